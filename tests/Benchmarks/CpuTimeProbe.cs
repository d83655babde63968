using System.Diagnostics;
using System.Globalization;
using AiAgent.Grains.Audio;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Benchmarks;

/// <summary>
/// Process CPU time per 20 ms frame for the converter chains. BenchmarkDotNet measures wall-clock time, which on a
/// shared 2-core machine includes time the thread spent descheduled; CPU time does not, so it estimates the cost
/// on an idle core. Single-threaded loop; the process's other threads (GC, tiered JIT) are idle by then.
/// </summary>
internal static class CpuTimeProbe
{
    private const int Frames = 200_000;

    public static void Run(TextWriter writer)
    {
        writer.WriteLine("| conversion (one 20 ms frame) | CPU µs per frame | × real time | bytes allocated per frame |");
        writer.WriteLine("|---|---:|---:|---:|");
        Measure(writer, "µ-law 8k → PCM16 24k", AudioFormat.Mulaw8, AudioFormat.Slin24);
        Measure(writer, "PCM16 24k → slin 8k", AudioFormat.Slin24, AudioFormat.Slin8);
        Measure(writer, "PCM16 24k → slin16", AudioFormat.Slin24, AudioFormat.Slin16);
        Measure(writer, "slin 8k → µ-law 8k", AudioFormat.Slin8, AudioFormat.Mulaw8);
    }

    private static void Measure(TextWriter writer, string name, AudioFormat from, AudioFormat to)
    {
        var converter = AudioConverter.Create(from, to);
        var input = from.Encoding == AudioEncoding.Mulaw ? AiAgent.Benchmarks.Frames.Mulaw8() : AiAgent.Benchmarks.Frames.Slin(from.SampleRate);
        var output = new byte[converter.GetMaxOutputBytes(input.Length)];
        for (var i = 0; i < 20_000; i++)
        {
            converter.Convert(input, output);
        }

        using var process = Process.GetCurrentProcess();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        for (var i = 0; i < Frames; i++)
        {
            converter.Convert(input, output);
        }

        process.Refresh();
        var perFrame = (process.TotalProcessorTime - cpu).TotalMicroseconds / Frames;
        var bytes = (double)(GC.GetAllocatedBytesForCurrentThread() - allocated) / Frames;
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {perFrame:F2} | {20_000 / perFrame:N0} | {bytes:F0} |"));
    }
}
