using System.Buffers;
using System.IO.Pipelines;
using AiAgent.Gateway.AudioSocket;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

public sealed class AudioSocketHandshakeTests
{
    private static readonly Guid s_callId = Guid.Parse("40325ec2-5efd-4bd3-805f-53576e581d13");
    private static readonly byte[] s_uuidFrame = Convert.FromHexString("01001040325ec25efd4bd3805f53576e581d13");
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _time = new();
    private readonly AudioSocketFrameReader _reader = new();

    public static TheoryData<string, string, AudioSocketProtocolError?> Cases => new()
    {
        // bytes sent (hex) then EOF, outcome, error
        { "", nameof(HandshakeOutcome.Closed), null },
        { "01001040325ec25efd4bd3805f53576e581d13", nameof(HandshakeOutcome.Ok), null },
        { "100140", nameof(HandshakeOutcome.Invalid), AudioSocketProtocolError.MissingUuid },
        { "03", nameof(HandshakeOutcome.Invalid), AudioSocketProtocolError.MissingUuid },
        { "01000f40325ec25efd4bd3805f53576e581d", nameof(HandshakeOutcome.Invalid), AudioSocketProtocolError.BadUuidLength },
        { "01001040325e", nameof(HandshakeOutcome.Invalid), AudioSocketProtocolError.Truncated },
        { "0100", nameof(HandshakeOutcome.Invalid), AudioSocketProtocolError.Truncated },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_first_bytes_decide_the_handshake(string hex, string outcome, AudioSocketProtocolError? error)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Convert.FromHexString(hex));
        await pipe.Writer.CompleteAsync();

        var result = await AudioSocketHandshake.ReadUuidAsync(pipe.Reader, _reader, s_timeout, _time);

        Assert.Equal(outcome, result.Outcome.ToString());
        Assert.Equal(error, result.Error?.Error);
        Assert.Equal(result.Outcome == HandshakeOutcome.Ok ? s_callId : Guid.Empty, result.CallId);
    }

    [Fact]
    public async Task A_uuid_split_at_every_offset_is_read_and_the_frames_behind_it_are_left_in_the_pipe()
    {
        byte[] audio = [0x10, 0x00, 0x02, 0xAA, 0xBB];
        for (var split = 1; split < s_uuidFrame.Length; split++)
        {
            var pipe = new Pipe();
            await pipe.Writer.WriteAsync(s_uuidFrame.AsMemory(0, split));
            var handshake = AudioSocketHandshake.ReadUuidAsync(pipe.Reader, _reader, s_timeout, _time);
            Assert.False(handshake.IsCompleted, $"completed with {split} bytes");
            await pipe.Writer.WriteAsync(s_uuidFrame.AsMemory(split).ToArray().Concat(audio).ToArray());

            var result = await handshake;

            Assert.Equal((HandshakeOutcome.Ok, s_callId), (result.Outcome, result.CallId));
            var rest = await pipe.Reader.ReadAsync();
            Assert.Equal(audio, rest.Buffer.ToArray());
        }
    }

    [Fact]
    public async Task Nothing_within_the_timeout_times_out()
    {
        var pipe = new Pipe();
        var handshake = AudioSocketHandshake.ReadUuidAsync(pipe.Reader, _reader, s_timeout, _time);

        _time.Advance(s_timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(handshake.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(HandshakeOutcome.TimedOut, (await handshake).Outcome);
    }
}
