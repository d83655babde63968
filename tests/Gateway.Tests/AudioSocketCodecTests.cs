using System.Buffers;
using AiAgent.Gateway.AudioSocket;

namespace AiAgent.Gateway.Tests;

public sealed class AudioSocketCodecTests
{
    // The call id the dialplan passed and the bytes Asterisk sends for it (docs/protocols/audiosocket.md#worked-examples).
    private static readonly Guid s_callId = Guid.Parse("40325ec2-5efd-4bd3-805f-53576e581d13");
    private static readonly byte[] s_uuidFrame = Convert.FromHexString("0100104032" + "5ec25efd4bd3805f53576e581d13");

    [Fact]
    public void Hangup_frame_is_three_zero_bytes()
    {
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00 }, Write(w => AudioSocketFrameWriter.WriteHangup(w)));
    }

    [Fact]
    public void Uuid_frame_is_big_endian_rfc4122()
    {
        Assert.Equal(s_uuidFrame, Write(w => AudioSocketFrameWriter.WriteUuid(w, s_callId)));

        var buffer = new ReadOnlySequence<byte>(s_uuidFrame);
        Assert.True(new AudioSocketFrameReader().TryRead(ref buffer, out var frame));
        Assert.Equal(AudioSocketKind.Uuid, frame.Kind);
        Assert.Equal("40325ec2-5efd-4bd3-805f-53576e581d13", frame.ReadUuid().ToString());
    }

    [Fact]
    public void Dtmf_frame_carries_one_ascii_digit()
    {
        Assert.Equal(new byte[] { 0x03, 0x00, 0x01, 0x35 }, Write(w => AudioSocketFrameWriter.WriteDtmf(w, '5')));
        var buffer = new ReadOnlySequence<byte>([0x03, 0x00, 0x01, (byte)'#']);
        Assert.True(new AudioSocketFrameReader().TryRead(ref buffer, out var frame));
        Assert.Equal('#', frame.ReadDtmfDigit());
    }

    [Theory]
    [InlineData(AudioSocketKind.Slin8, 8_000, 320, "100140")]
    [InlineData(AudioSocketKind.Slin12, 12_000, 480, "1101E0")]
    [InlineData(AudioSocketKind.Slin16, 16_000, 640, "120280")]
    [InlineData(AudioSocketKind.Slin24, 24_000, 960, "1303C0")]
    [InlineData(AudioSocketKind.Slin32, 32_000, 1280, "140500")]
    [InlineData(AudioSocketKind.Slin44, 44_100, 1764, "1506E4")]
    [InlineData(AudioSocketKind.Slin48, 48_000, 1920, "160780")]
    [InlineData(AudioSocketKind.Slin96, 96_000, 3840, "170F00")]
    [InlineData(AudioSocketKind.Slin192, 192_000, 7680, "181E00")]
    public void Audio_frames_of_every_rate_have_golden_headers(AudioSocketKind kind, int rate, int bytesPer20Ms, string header)
    {
        Assert.Equal(rate, kind.SampleRateOf());
        Assert.Equal(bytesPer20Ms, rate / 50 * 2);
        var pcm = Enumerable.Range(0, bytesPer20Ms).Select(i => (byte)i).ToArray();

        var bytes = Write(w => AudioSocketFrameWriter.WriteAudio(w, kind, pcm));

        Assert.Equal(Convert.FromHexString(header), bytes[..3]);
        Assert.Equal(pcm, bytes[3..]);
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(new AudioSocketFrameReader().TryRead(ref buffer, out var frame));
        Assert.Equal(kind, frame.Kind);
        Assert.Equal(pcm, frame.Payload.ToArray());
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Error_frame_parses_with_and_without_a_code()
    {
        Assert.Equal(new byte[] { 0xFF, 0x00, 0x01, 0x04 }, Write(w => AudioSocketFrameWriter.WriteError(w, 0x04)));
        Assert.Equal(new byte[] { 0xFF, 0x00, 0x00 }, Write(w => AudioSocketFrameWriter.WriteError(w, null)));

        var buffer = new ReadOnlySequence<byte>([0xFF, 0x00, 0x01, 0x04, 0xFF, 0x00, 0x00]);
        var reader = new AudioSocketFrameReader();
        Assert.True(reader.TryRead(ref buffer, out var withCode));
        Assert.Equal((byte)0x04, withCode.ReadErrorCode());
        Assert.True(reader.TryRead(ref buffer, out var withoutCode));
        Assert.Equal(AudioSocketKind.Error, withoutCode.Kind);
        Assert.Null(withoutCode.ReadErrorCode());
    }

    [Fact]
    public void Every_split_of_a_session_parses_to_the_same_frames()
    {
        var session = Session();
        var expected = ParseAll(new ReadOnlySequence<byte>(session));
        Assert.Equal(7, expected.Count);

        for (var split = 0; split <= session.Length; split++)
        {
            Assert.Equal(expected, ParseAll(SegmentedSequence.Split(session, split)));
        }

        for (var a = 0; a <= 30; a++)
        {
            for (var b = a; b <= 30; b++)
            {
                Assert.Equal(expected, ParseAll(SegmentedSequence.Split(session, a, b)));
            }
        }

        // One byte per TCP read.
        Assert.Equal(expected, ParseAll(SegmentedSequence.Create(session.Select(b => new[] { b }).ToArray())));
    }

    [Fact]
    public void Every_prefix_of_a_frame_is_incomplete_and_left_untouched()
    {
        var frame = Write(w => AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Slin8, new byte[320]));
        var reader = new AudioSocketFrameReader();
        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = SegmentedSequence.Split(frame[..length], Math.Min(length, 2));
            var before = buffer;
            Assert.False(reader.TryRead(ref buffer, out _));
            Assert.Equal(before.Length, buffer.Length);
        }
    }

    [Fact]
    public void Oversized_length_is_rejected_from_the_header_alone()
    {
        var reader = new AudioSocketFrameReader(maxPayload: 1024);
        var buffer = new ReadOnlySequence<byte>([0x10, 0x04, 0x02]); // 1026 bytes announced, none sent
        var ex = Assert.Throws<AudioSocketProtocolException>(() => reader.TryRead(ref buffer, out _));
        Assert.Equal(AudioSocketProtocolError.Oversized, ex.Error);
        Assert.Equal(1026, ex.Length);

        // Exactly the maximum is fine.
        var ok = new ReadOnlySequence<byte>([0x10, 0x04, 0x00, .. new byte[1024]]);
        Assert.True(reader.TryRead(ref ok, out var frame));
        Assert.Equal(1024, frame.Length);
    }

    [Theory]
    [InlineData(0x02)]
    [InlineData(0x04)]
    [InlineData(0x0F)]
    [InlineData(0x19)]
    [InlineData(0x7F)]
    [InlineData(0xFE)]
    public void Unknown_kinds_are_rejected(byte kind)
    {
        var buffer = new ReadOnlySequence<byte>([kind, 0x00, 0x02, 0x00, 0x00]);
        var ex = Assert.Throws<AudioSocketProtocolException>(() => new AudioSocketFrameReader().TryRead(ref buffer, out _));
        Assert.Equal(AudioSocketProtocolError.UnknownKind, ex.Error);
        Assert.Equal(kind, ex.Kind);
    }

    [Fact]
    public void Unknown_kinds_can_be_passed_through_to_be_skipped()
    {
        var buffer = new ReadOnlySequence<byte>([0x02, 0x00, 0x02, 0xAA, 0xBB, 0x10, 0x00, 0x02, 0x01, 0x02]);
        var reader = new AudioSocketFrameReader(passUnknownKinds: true);

        Assert.True(reader.TryRead(ref buffer, out var unknown));
        Assert.Equal((AudioSocketKind)0x02, unknown.Kind);
        Assert.Equal(2, unknown.Length);
        Assert.True(reader.TryRead(ref buffer, out var audio));
        Assert.Equal(AudioSocketKind.Slin8, audio.Kind);

        // The length is still bounded.
        var oversized = new ReadOnlySequence<byte>([0x7F, 0xFF, 0xFF]);
        Assert.Equal(AudioSocketProtocolError.Oversized, Assert.Throws<AudioSocketProtocolException>(() => new AudioSocketFrameReader(1024, passUnknownKinds: true).TryRead(ref oversized, out _)).Error);
    }

    [Theory]
    [InlineData("100000", AudioSocketProtocolError.EmptyAudio)]
    [InlineData("180000", AudioSocketProtocolError.EmptyAudio)]
    [InlineData("100141", AudioSocketProtocolError.OddAudioLength)]
    [InlineData("120001", AudioSocketProtocolError.OddAudioLength)]
    [InlineData("01000F", AudioSocketProtocolError.BadUuidLength)]
    [InlineData("010011", AudioSocketProtocolError.BadUuidLength)]
    [InlineData("030000", AudioSocketProtocolError.BadDtmfLength)]
    [InlineData("030002", AudioSocketProtocolError.BadDtmfLength)]
    public void Impossible_lengths_are_rejected_from_the_header(string header, AudioSocketProtocolError error)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(header));
        var ex = Assert.Throws<AudioSocketProtocolException>(() => new AudioSocketFrameReader().TryRead(ref buffer, out _));
        Assert.Equal(error, ex.Error);
    }

    [Fact]
    public void Audio_of_any_even_length_is_accepted()
    {
        var reader = new AudioSocketFrameReader();
        foreach (var length in new[] { 2, 160, 240, 320, 480, 640, 2000 })
        {
            var buffer = new ReadOnlySequence<byte>(Write(w => AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Slin8, new byte[length])));
            Assert.True(reader.TryRead(ref buffer, out var frame));
            Assert.Equal(length, frame.Length);
        }
    }

    [Fact]
    public void Writer_refuses_frames_asterisk_would_tear_down_on()
    {
        var w = new ArrayBufferWriter<byte>();
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Slin8, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Slin8, new byte[321]));
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Slin8, new byte[65_536]));
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Dtmf, new byte[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Error, new byte[2]));
        Assert.Equal(0, w.WrittenCount);
    }

    private static byte[] Session()
    {
        var w = new ArrayBufferWriter<byte>();
        AudioSocketFrameWriter.WriteUuid(w, s_callId);
        AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Slin8, Enumerable.Range(0, 320).Select(i => (byte)i).ToArray());
        AudioSocketFrameWriter.WriteDtmf(w, '7');
        AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Slin16, Enumerable.Range(0, 640).Select(i => (byte)(i * 3)).ToArray());
        AudioSocketFrameWriter.WriteError(w, 0x02);
        AudioSocketFrameWriter.WriteAudio(w, AudioSocketKind.Slin8, new byte[] { 1, 2 });
        AudioSocketFrameWriter.WriteHangup(w);
        return w.WrittenSpan.ToArray();
    }

    private static List<string> ParseAll(ReadOnlySequence<byte> buffer)
    {
        var reader = new AudioSocketFrameReader();
        var frames = new List<string>();
        while (reader.TryRead(ref buffer, out var frame))
        {
            frames.Add($"{frame.Kind}:{Convert.ToHexString(frame.Payload.ToArray())}");
        }

        Assert.True(buffer.IsEmpty);
        return frames;
    }

    private static byte[] Write(Action<ArrayBufferWriter<byte>> write)
    {
        var w = new ArrayBufferWriter<byte>();
        write(w);
        return w.WrittenSpan.ToArray();
    }
}
