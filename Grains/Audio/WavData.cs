using System.Buffers.Binary;

namespace AiAgent.Grains.Audio;

/// <summary>Reads the sample data of a PCM16 mono WAV (our own assets: RIFF, "fmt ", "data").</summary>
public static class WavData
{
    /// <summary>Returns the bytes of the <c>data</c> chunk; throws <see cref="InvalidDataException"/> on anything else.</summary>
    public static byte[] ReadPcm16(Stream stream)
    {
        using var reader = new BinaryReader(stream);
        Span<byte> id = stackalloc byte[4];
        if (reader.Read(id) != 4 || !id.SequenceEqual("RIFF"u8))
        {
            throw new InvalidDataException("not a RIFF file");
        }

        reader.ReadInt32();
        if (reader.Read(id) != 4 || !id.SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("not a WAVE file");
        }

        while (reader.Read(id) == 4)
        {
            var size = reader.ReadInt32();
            if (id.SequenceEqual("fmt "u8))
            {
                var fmt = reader.ReadBytes(size);
                var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(2));
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt.AsSpan(14));
                if (tag != 1 || channels != 1 || bits != 16)
                {
                    throw new InvalidDataException($"expected PCM16 mono, got format {tag}, {channels} channels, {bits} bits");
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                return reader.ReadBytes(size);
            }
            else
            {
                reader.ReadBytes(size + (size & 1));
            }
        }

        throw new InvalidDataException("no data chunk");
    }
}
