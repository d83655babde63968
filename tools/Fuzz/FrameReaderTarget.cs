using System.Buffers;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Tests;

namespace AiAgent.Fuzz;

/// <summary>
/// The fuzz target: any byte stream, read by <see cref="AudioSocketFrameReader"/> whole and again split in two at a
/// point the input itself picks. Either reading must end the same way (the same frames, then the same protocol error
/// or a frame left incomplete); anything else, an exception other than <see cref="AudioSocketProtocolException"/>
/// included, is a finding.
/// </summary>
public static class FrameReaderTarget
{
    /// <summary>Runs one input; throws <see cref="FuzzFindingException"/> (or whatever the reader threw) on a finding.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        // The first byte picks the split and the options, so the fuzzer explores those too.
        var control = input[0];
        var data = input[1..].ToArray();
        var reader = new AudioSocketFrameReader(maxPayload: (control & 0x80) != 0 ? 16_384 : AudioSocketFrameReader.ProtocolMaxPayload, passUnknownKinds: (control & 0x40) != 0);
        var whole = Read(reader, new ReadOnlySequence<byte>(data));
        var split = data.Length == 0 ? 0 : (control & 0x3F) * data.Length / 0x3F;
        var parts = Read(reader, SegmentedSequence.Split(data, split));
        if (whole != parts)
        {
            throw new FuzzFindingException($"reading whole gave {whole}, split at {split} of {data.Length} gave {parts}");
        }
    }

    /// <summary>What reading <paramref name="buffer"/> to its end gives: each frame's kind and length, then how it stopped.</summary>
    private static string Read(AudioSocketFrameReader reader, ReadOnlySequence<byte> buffer)
    {
        var frames = new System.Text.StringBuilder();
        try
        {
            while (reader.TryRead(ref buffer, out var frame))
            {
                frames.Append((byte)frame.Kind).Append(':').Append(frame.Length).Append(' ');
                if (frame.Kind == AudioSocketKind.Uuid)
                {
                    _ = frame.ReadUuid();
                }
                else if (frame.Kind == AudioSocketKind.Dtmf)
                {
                    _ = frame.ReadDtmfDigit();
                }
            }

            return frames.Append("incomplete ").Append(buffer.Length).ToString();
        }
        catch (AudioSocketProtocolException ex)
        {
            return frames.Append("error ").Append(ex.Error).ToString();
        }
    }
}

/// <summary>The target found something: the input is kept by the fuzzer as a crash.</summary>
public sealed class FuzzFindingException(string message) : Exception(message);
