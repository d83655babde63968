using System.Diagnostics;
using AiAgent.Grains.Audio;
using NAudio.Dsp;

namespace AiAgent.AudioQuality;

/// <summary>A sample-rate converter under test: 16-bit mono in, 16-bit mono out, fed in 20 ms chunks where it streams.</summary>
internal interface IResampler
{
    string Name { get; }

    /// <summary>Null when the converter cannot run here (e.g. sox missing), with the reason in <see cref="Unavailable"/>.</summary>
    string? Unavailable { get; }

    /// <summary>Output delay in output samples if the converter declares it; null to measure it.</summary>
    int? DeclaredDelay(int from, int to);

    short[] Resample(short[] input, int from, int to);
}

/// <summary>Ours: <see cref="PolyphaseResampler"/>, streamed in 20 ms chunks.</summary>
internal sealed class PolyphaseUnderTest : IResampler
{
    public string Name => "ours (polyphase FIR)";

    public string? Unavailable => null;

    public int? DeclaredDelay(int from, int to) => new PolyphaseResampler(from, to).DelayOutputSamples;

    public short[] Resample(short[] input, int from, int to)
    {
        var resampler = new PolyphaseResampler(from, to);
        var output = new short[resampler.GetMaxOutputCount(input.Length)];
        var written = 0;
        var frame = from / 50;
        for (var offset = 0; offset < input.Length; offset += frame)
        {
            var chunk = input.AsSpan(offset, Math.Min(frame, input.Length - offset));
            written += resampler.Process(chunk, output.AsSpan(written));
        }

        return output[..written];
    }
}

/// <summary>sox's <c>rate</c> effect (default: high quality, linear phase, delay compensated), no dither.</summary>
internal sealed class SoxUnderTest : IResampler
{
    public SoxUnderTest()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("sox", "--version") { RedirectStandardOutput = true, RedirectStandardError = true });
            probe!.WaitForExit();
            Version = probe.StandardOutput.ReadToEnd().Trim();
            Unavailable = probe.ExitCode == 0 ? null : $"sox --version exited {probe.ExitCode}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Unavailable = $"sox is not installed ({e.Message}); apt-get install sox";
        }
    }

    public string Name => "sox rate (default -h)";

    public string? Unavailable { get; }

    public string Version { get; } = "";

    public int? DeclaredDelay(int from, int to) => null;

    public short[] Resample(short[] input, int from, int to)
    {
        var inPath = Path.GetTempFileName();
        var outPath = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(inPath, System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()).ToArray());
            var format = "-t raw -e signed-integer -b 16 -c 1 -L";
            var start = new ProcessStartInfo("sox", $"-D {format} -r {from} \"{inPath}\" {format} -r {to} \"{outPath}\" rate")
            {
                RedirectStandardError = true,
            };
            using var sox = Process.Start(start)!;
            var errors = sox.StandardError.ReadToEnd();
            sox.WaitForExit();
            if (sox.ExitCode != 0)
            {
                throw new InvalidOperationException($"sox exited {sox.ExitCode}: {errors}");
            }

            var bytes = File.ReadAllBytes(outPath);
            return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(bytes).ToArray();
        }
        finally
        {
            File.Delete(inPath);
            File.Delete(outPath);
        }
    }
}

/// <summary>NAudio 3.3.0's WDL resampler, input-driven in 20 ms chunks; IIR mode is what WdlResamplingSampleProvider uses.</summary>
internal sealed class WdlUnderTest(bool sinc) : IResampler
{
    public string Name => sinc ? "NAudio WDL (sinc 64)" : "NAudio WDL (IIR)";

    public string? Unavailable => null;

    public int? DeclaredDelay(int from, int to) => null;

    public short[] Resample(short[] input, int from, int to)
    {
        var wdl = new WdlResampler();
        if (sinc)
        {
            wdl.SetMode(true, 0, true, 64, 32);
        }
        else
        {
            wdl.SetMode(true, 2, false, 64, 32);
            wdl.SetFilterParms(0.693f, 0.707f);
        }

        wdl.SetFeedMode(true);
        wdl.SetRates(from, to);
        var output = new List<short>(input.Length * to / from + 64);
        var frame = from / 50;
        var buffer = new float[frame * to / from + 64];
        for (var offset = 0; offset < input.Length; offset += frame)
        {
            var count = Math.Min(frame, input.Length - offset);
            var wanted = wdl.ResamplePrepare(count, 1, out var inBuffer);
            for (var i = 0; i < wanted; i++)
            {
                inBuffer[i] = i < count ? input[offset + i] / 32768f : 0f;
            }

            var written = wdl.ResampleOut(buffer, wanted, buffer.Length, 1);
            for (var i = 0; i < written; i++)
            {
                output.Add((short)Math.Clamp(MathF.Round(buffer[i] * 32768f), short.MinValue, short.MaxValue));
            }
        }

        return [.. output];
    }
}

/// <summary>The anchor's old method: linear interpolation between neighbouring input samples, no filter.</summary>
internal sealed class LinearUnderTest : IResampler
{
    public string Name => "linear interpolation";

    public string? Unavailable => null;

    public int? DeclaredDelay(int from, int to) => null;

    public short[] Resample(short[] input, int from, int to)
    {
        var count = (int)((long)input.Length * to / from);
        var output = new short[count];
        for (var k = 0; k < count; k++)
        {
            var position = (double)k * from / to;
            var i = (int)position;
            var fraction = position - i;
            var next = Math.Min(i + 1, input.Length - 1);
            output[k] = (short)Math.Round((input[i] * (1 - fraction)) + (input[next] * fraction));
        }

        return output;
    }
}
