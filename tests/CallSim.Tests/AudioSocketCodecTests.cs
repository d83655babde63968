using System.Buffers;
using AiAgent.CallSim.Protocol;

namespace AiAgent.CallSim.Tests;

public sealed class AudioSocketCodecTests
{
    // The UUID row of docs/protocols/audiosocket.md#worked-examples.
    private static readonly byte[] s_uuidVector =
        Convert.FromHexString("010010" + "40325ec25efd4bd3805f53576e581d13");

    [Fact]
    public void UuidFrameIsBigEndianRfc4122()
    {
        var frame = new byte[AudioSocketCodec.UuidFrameSize];
        var written = AudioSocketCodec.WriteUuid(frame, Guid.Parse("40325ec2-5efd-4bd3-805f-53576e581d13"));
        Assert.Equal(19, written);
        Assert.Equal(s_uuidVector, frame);
    }

    [Theory]
    [InlineData('5', "03000135")]
    [InlineData('#', "03000123")]
    [InlineData('*', "0300012A")]
    [InlineData('D', "03000144")]
    public void DtmfFrameIsOneAsciiByte(char digit, string hex)
    {
        var frame = new byte[AudioSocketCodec.DtmfFrameSize];
        AudioSocketCodec.WriteDtmf(frame, digit);
        Assert.Equal(Convert.FromHexString(hex), frame);
    }

    [Fact]
    public void DtmfRejectsNonDigits()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSocketCodec.WriteDtmf(new byte[4], 'E'));
    }

    [Fact]
    public void HangupIsThreeZeroBytes()
    {
        var frame = new byte[3] { 9, 9, 9 };
        AudioSocketCodec.WriteHangup(frame);
        Assert.Equal(new byte[3], frame);
    }

    [Theory]
    [InlineData(0x10, 320, "100140")]
    [InlineData(0x12, 640, "120280")]
    [InlineData(0x13, 960, "1303C0")]
    [InlineData(0x15, 1764, "1506E4")]
    [InlineData(0x16, 1920, "160780")]
    public void AudioHeaderLengthIsBigEndian(byte kind, int length, string hex)
    {
        var header = new byte[3];
        AudioSocketCodec.WriteHeader(header, kind, length);
        Assert.Equal(Convert.FromHexString(hex), header);
    }

    [Fact]
    public void ParserReassemblesFramesSplitAtEveryOffset()
    {
        var audio = new byte[320];
        for (var i = 0; i < audio.Length; i++)
        {
            audio[i] = (byte)i;
        }

        byte[] stream = [.. s_uuidVector, 0x03, 0x00, 0x01, (byte)'7', 0x10, 0x01, 0x40, .. audio, 0xFF, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00];
        var expected = new (byte Kind, byte[] Payload)[]
        {
            (0x01, s_uuidVector[3..]), (0x03, [(byte)'7']), (0x10, audio), (0xFF, [0x02]), (0x00, []),
        };

        for (var split = 0; split <= stream.Length; split++)
        {
            var frames = new List<(byte Kind, byte[] Payload)>();
            var pending = Array.Empty<byte>();
            foreach (var chunk in new[] { stream[..split], stream[split..] })
            {
                var buffer = new ReadOnlySequence<byte>([.. pending, .. chunk]);
                while (AudioSocketCodec.TryReadFrame(ref buffer, out var kind, out var payload))
                {
                    frames.Add((kind, payload.ToArray()));
                }

                pending = buffer.ToArray();
            }

            Assert.Empty(pending);
            Assert.Equal(expected.Length, frames.Count);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i].Kind, frames[i].Kind);
                Assert.Equal(expected[i].Payload, frames[i].Payload);
            }
        }
    }

    [Fact]
    public void ParserWaitsForAPayloadSpreadOverSegments()
    {
        var first = new Segment(new byte[] { 0x10, 0x00 });
        var last = first.Append(new byte[] { 0x04, 1, 2 }).Append(new byte[] { 3, 4 });
        var buffer = new ReadOnlySequence<byte>(first, 0, last, 2);
        Assert.True(AudioSocketCodec.TryReadFrame(ref buffer, out var kind, out var payload));
        Assert.Equal(0x10, kind);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, payload.ToArray());
        Assert.True(buffer.IsEmpty);

        var incomplete = new ReadOnlySequence<byte>(new byte[] { 0x10, 0x01, 0x40, 0, 0 });
        Assert.False(AudioSocketCodec.TryReadFrame(ref incomplete, out _, out _));
        Assert.Equal(5, incomplete.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
