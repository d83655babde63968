using System.Buffers.Binary;
using NAudio.Wave;
using NAudio.Wave.SampleProviders;

namespace AiAgent.CallSim.Audio;

/// <summary>
/// The caller's speech, already in the call format (s16le mono at the call's rate, or G.711 bytes), ready to be
/// cut into frames.
/// </summary>
public sealed class CallAudio
{
    private CallAudio(CallFormat format, byte[] bytes)
    {
        Format = format;
        Bytes = bytes;
    }

    /// <summary>The format of <see cref="Bytes"/>.</summary>
    public CallFormat Format { get; }

    /// <summary>The audio as it goes on the wire: signed 16-bit little-endian mono samples, or G.711 codes.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>How long the audio plays.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((double)Bytes.Length / Format.BytesPerSecond);

    /// <summary>Samples at the call's rate, encoded in the call format (G.711 with NAudio's ITU-T codecs).</summary>
    public static CallAudio FromSamples(ReadOnlySpan<short> samples, CallFormat format)
    {
        var bytes = new byte[samples.Length * format.BytesPerSample];
        for (var i = 0; i < samples.Length; i++)
        {
            switch (format.Encoding)
            {
                case CallEncoding.Ulaw:
                    bytes[i] = NAudio.Codecs.MuLawEncoder.LinearToMuLawSample(samples[i]);
                    break;
                case CallEncoding.Alaw:
                    bytes[i] = NAudio.Codecs.ALawEncoder.LinearToALawSample(samples[i]);
                    break;
                default:
                    BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
                    break;
            }
        }

        return new CallAudio(format, bytes);
    }

    /// <summary><paramref name="duration"/> of digital silence.</summary>
    public static CallAudio Silence(TimeSpan duration, CallFormat format)
    {
        var bytes = new byte[(int)(duration.TotalSeconds * format.SampleRate) * format.BytesPerSample];
        bytes.AsSpan().Fill(format.SilenceByte);
        return new CallAudio(format, bytes);
    }

    /// <summary>
    /// Reads a WAV file of any rate, channel count and sample type NAudio decodes (8/16/24/32-bit PCM, 32/64-bit
    /// float) and converts it to the call format: channels averaged to mono, resampled (WDL), rounded to s16.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a WAV file, or its encoding is not PCM or float.</exception>
    public static CallAudio FromWav(string path, CallFormat format)
    {
        using var stream = File.OpenRead(path);
        try
        {
            return FromWav(stream, format);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc cref="FromWav(string, CallFormat)"/>
    public static CallAudio FromWav(Stream stream, CallFormat format)
    {
        WaveFileReader reader;
        try
        {
            reader = new WaveFileReader(stream);
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"not a readable WAV file ({ex.Message})", ex);
        }

        using (reader)
        {
            ISampleProvider samples;
            try
            {
                samples = reader.ToSampleProvider();
            }
            catch (ArgumentException ex)
            {
                throw new InvalidDataException(
                    $"unsupported WAV encoding {reader.WaveFormat.Encoding} ({reader.WaveFormat.BitsPerSample}-bit); use PCM or IEEE float",
                    ex);
            }

            if (samples.WaveFormat.Channels > 1)
            {
                samples = new MonoDownmix(samples);
            }

            if (samples.WaveFormat.SampleRate != format.SampleRate)
            {
                samples = new WdlResamplingSampleProvider(samples, format.SampleRate);
            }

            return FromSamples(ToSamples(samples), format);
        }
    }

    private static short[] ToSamples(ISampleProvider samples)
    {
        var output = new List<short>();
        var floats = new float[4096];
        int read;
        while ((read = samples.Read(floats)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                // NAudio scales s16 by 1/32768, so this round-trips 16-bit input exactly.
                output.Add((short)Math.Clamp(MathF.Round(floats[i] * 32768f), short.MinValue, short.MaxValue));
            }
        }

        return [.. output];
    }

    /// <summary>Averages all channels into one (NAudio's own stereo-to-mono handles only two channels).</summary>
    private sealed class MonoDownmix(ISampleProvider source) : ISampleProvider
    {
        private readonly int _channels = source.WaveFormat.Channels;
        private float[] _interleaved = [];

        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(source.WaveFormat.SampleRate, 1);

        public int Read(Span<float> buffer)
        {
            var needed = buffer.Length * _channels;
            if (_interleaved.Length < needed)
            {
                _interleaved = new float[needed];
            }

            var read = source.Read(_interleaved.AsSpan(0, needed)) / _channels;
            for (var i = 0; i < read; i++)
            {
                var sum = 0f;
                for (var c = 0; c < _channels; c++)
                {
                    sum += _interleaved[(i * _channels) + c];
                }

                buffer[i] = sum / _channels;
            }

            return read;
        }
    }
}
