using System.Buffers;

namespace AiAgent.Fuzz;

/// <summary>A byte array as a two-segment <see cref="ReadOnlySequence{T}"/>, as a socket read may deliver it.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] data, int at)
    {
        if (at <= 0 || at >= data.Length)
        {
            return new ReadOnlySequence<byte>(data);
        }

        var first = new Segment(data.AsMemory(0, at), 0);
        var second = first.Append(data.AsMemory(at));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
