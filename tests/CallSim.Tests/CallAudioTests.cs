using System.Buffers.Binary;
using AiAgent.CallSim.Audio;
using NAudio.Wave;

namespace AiAgent.CallSim.Tests;

public sealed class CallAudioTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("callsim-tests-").FullName;

    [Fact]
    public void Mono8kPcm16IsTakenAsIs()
    {
        var samples = new short[800];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)((i * 37) - 12_000);
        }

        var path = Path.Combine(_directory, "mono8k.wav");
        using (var writer = new WaveFileWriter(path, new WaveFormat(8000, 16, 1)))
        {
            writer.WriteSamples(samples, 0, samples.Length);
        }

        var audio = CallAudio.FromWav(path, CallFormat.Slin);

        Assert.Equal(samples.Length * 2, audio.Bytes.Length);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(samples[i], BinaryPrimitives.ReadInt16LittleEndian(audio.Bytes.Span[(i * 2)..]));
        }
    }

    [Fact]
    public void StereoFloat16kIsDownmixedAndResampledTo8k()
    {
        // One second of a 500 Hz tone on the left, silence on the right: mono is the tone at half amplitude.
        var path = Path.Combine(_directory, "stereo16k.wav");
        using (var writer = new WaveFileWriter(path, WaveFormat.CreateIeeeFloatWaveFormat(16_000, 2)))
        {
            for (var i = 0; i < 16_000; i++)
            {
                writer.WriteSample(0.8f * MathF.Sin(2 * MathF.PI * 500 * i / 16_000));
                writer.WriteSample(0f);
            }
        }

        var audio = CallAudio.FromWav(path, CallFormat.Slin);

        Assert.InRange(audio.Bytes.Length / 2, 7_900, 8_100);
        var peak = 0;
        for (var i = 1000; i < 7000; i++)
        {
            peak = Math.Max(peak, Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(audio.Bytes.Span[(i * 2)..])));
        }

        Assert.InRange(peak, (int)(0.35 * short.MaxValue), (int)(0.45 * short.MaxValue));
    }

    [Fact]
    public void NotAWavIsAClearError()
    {
        var path = Path.Combine(_directory, "bad.wav");
        File.WriteAllText(path, "this is not audio");
        var error = Assert.Throws<InvalidDataException>(() => CallAudio.FromWav(path, CallFormat.Slin));
        Assert.Contains("bad.wav", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecordingRoundTripsThroughAWavFile()
    {
        var pcm = new byte[640];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (byte)(i * 7);
        }

        Assert.True(CallFormat.TryParse("slin16", out var slin16));
        var path = Path.Combine(_directory, "sub", "reply.wav");
        WavRecording.Write(path, slin16, pcm);

        using var reader = new WaveFileReader(path);
        Assert.Equal(16_000, reader.WaveFormat.SampleRate);
        Assert.Equal(1, reader.WaveFormat.Channels);
        Assert.Equal(16, reader.WaveFormat.BitsPerSample);
        var read = new byte[pcm.Length + 10];
        Assert.Equal(pcm.Length, reader.Read(read, 0, read.Length));
        Assert.Equal(pcm, read[..pcm.Length]);
    }

    [Theory]
    [InlineData("slin", 0x10, 320)]
    [InlineData("slin12", 0x11, 480)]
    [InlineData("slin16", 0x12, 640)]
    [InlineData("slin24", 0x13, 960)]
    [InlineData("slin44", 0x15, 1764)]
    [InlineData("slin48", 0x16, 1920)]
    [InlineData("SLIN192", 0x18, 7680)]
    public void FormatsMapToKindsAndFrameSizes(string name, byte kind, int frameBytes)
    {
        Assert.True(CallFormat.TryParse(name, out var format));
        Assert.Equal(kind, format.Kind);
        Assert.Equal(frameBytes, format.FrameBytes);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("ulaw", 0xFF)]
    [InlineData("alaw", 0xD5)]
    public void G711AudioIsOneCodePerSampleAndSilenceIsTheCodecsSilence(string name, byte silence)
    {
        Assert.True(CallFormat.TryParse(name, out var format));
        short[] samples = [0, 1000, -1000, 32767, -32768];

        var audio = CallAudio.FromSamples(samples, format);

        Assert.Equal(160, format.FrameBytes);
        Assert.Equal(samples.Length, audio.Bytes.Length);
        var expected = samples.Select(x => name == "ulaw" ? NAudio.Codecs.MuLawEncoder.LinearToMuLawSample(x) : NAudio.Codecs.ALawEncoder.LinearToALawSample(x));
        Assert.Equal(expected, audio.Bytes.ToArray());
        Assert.All(CallAudio.Silence(TimeSpan.FromMilliseconds(20), format).Bytes.ToArray(), b => Assert.Equal(silence, b));
    }
}
