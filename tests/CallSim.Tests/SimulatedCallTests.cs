using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Tests;

/// <summary>Whole calls over real TCP on loopback against <see cref="FakeAudioSocketServer"/>.</summary>
public sealed class SimulatedCallTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FirstFrameIsTheUuidInBigEndianOrder()
    {
        await using var server = new FakeAudioSocketServer();
        var callId = Guid.Parse("40325ec2-5efd-4bd3-805f-53576e581d13");

        var result = await RunAsync(Settings(server.Port, speechMs: 100) with { CallId = callId });

        var frames = (await server.FirstConnection).Frames;
        Assert.Equal(0x01, frames[0].Kind);
        Assert.Equal(Convert.FromHexString("40325ec25efd4bd3805f53576e581d13"), frames[0].Payload);
        Assert.Equal(callId.ToString(), result.Summary.CallId);
    }

    [Fact]
    public async Task SlinCallStreamsWholeFramesOfTheWavInRealTime()
    {
        await using var server = new FakeAudioSocketServer();
        var settings = Settings(server.Port, speechMs: 310);

        var result = await RunAsync(settings);

        var connection = await server.FirstConnection;
        await connection.Eof.WaitAsync(s_wait);
        var audio = connection.Frames.Where(static f => f.Kind != 0x01).ToList();

        // leading 100 ms (5 frames) + 310 ms of speech (16 frames, the last padded) + tail 100 ms (5 frames).
        Assert.Equal(26, settings.TotalFrames);
        Assert.Equal(settings.TotalFrames, audio.Count);
        Assert.All(audio, static f => Assert.Equal(0x10, f.Kind));
        Assert.All(audio, static f => Assert.Equal(320, f.Payload.Length));
        Assert.Equal(settings.TotalFrames, result.Summary.FramesSent);

        // Payloads are the silence, then the speech sample for sample (zero-padded), then silence.
        var expected = new byte[settings.TotalFrames * 320];
        settings.Audio.Bytes.Span.CopyTo(expected.AsSpan(5 * 320));
        Assert.Equal(expected, audio.SelectMany(static f => f.Payload).ToArray());

        // Paced, not a burst: frame k leaves no earlier than its k × 20 ms deadline. Loose bound; no tight timing.
        var spanMs = (audio[^1].ArrivedAt - audio[0].ArrivedAt) * 1000.0 / Stopwatch.Frequency;
        Assert.True(spanMs >= 25 * 20 / 2, $"26 frames arrived within {spanMs:0.0} ms: not paced");

        Assert.Equal(CallOutcome.CallerHangup, result.Summary.Outcome);
        Assert.True(result.Summary.Passed);
        Assert.NotNull(result.Summary.ServerCloseAfterHangupMs);
    }

    [Theory]
    [InlineData("slin16", false, 0x12, 640)]
    [InlineData("slin16", true, 0x10, 640)]
    [InlineData("slin48", false, 0x16, 1920)]
    [InlineData("ulaw", false, 0x10, 160)]
    [InlineData("alaw", false, 0x10, 160)]
    public async Task FormatsSetKindAndFrameSize(string name, bool legacy, byte kind, int frameBytes)
    {
        Assert.True(CallFormat.TryParse(name, out var format));
        await using var server = new FakeAudioSocketServer();

        await RunAsync(Settings(server.Port, speechMs: 100, format) with { LabelLegacy = legacy });

        var connection = await server.FirstConnection;
        await connection.Eof.WaitAsync(s_wait);
        var audio = connection.Frames.Skip(1).ToList();
        Assert.NotEmpty(audio);
        Assert.All(audio, f => Assert.Equal(kind, f.Kind));
        Assert.All(audio, f => Assert.Equal(frameBytes, f.Payload.Length));
    }

    [Fact]
    public async Task DtmfFramesGoOutAtTheirTimes()
    {
        await using var server = new FakeAudioSocketServer();
        var settings = Settings(server.Port, speechMs: 200) with
        {
            Dtmf = DtmfEvent.ParseList("1@0.1, #@0.3"),
        };

        var result = await RunAsync(settings);

        var connection = await server.FirstConnection;
        await connection.Eof.WaitAsync(s_wait);
        var frames = connection.Frames.Skip(1).ToList();
        var dtmf = frames.Select(static (f, i) => (f, i)).Where(static x => x.f.Kind == 0x03).ToList();
        Assert.Equal(2, dtmf.Count);
        Assert.Equal("1"u8.ToArray(), dtmf[0].f.Payload);
        Assert.Equal("#"u8.ToArray(), dtmf[1].f.Payload);

        // 0.1 s = 5 audio frames before the first digit; 0.3 s = 15 before the second (one DTMF frame in between).
        Assert.Equal(5, dtmf[0].i);
        Assert.Equal(15 + 1, dtmf[1].i);
        Assert.Equal(2, result.Summary.DtmfSent);
        Assert.True(result.Summary.Passed);
    }

    [Fact]
    public async Task ReceivedAudioIsRecordedAndCounted()
    {
        var speech = Frame(320, 3000);
        var silence = new byte[320];
        await using var server = new FakeAudioSocketServer(onUuid: async c =>
        {
            for (var i = 0; i < 4; i++)
            {
                await c.SendFrameAsync(0x10, speech);
            }

            for (var i = 0; i < 3; i++)
            {
                await c.SendFrameAsync(0x10, silence);
            }

            c.Close();
        });

        var result = await RunAsync(Settings(server.Port, speechMs: 200, record: true) with { Tail = TimeSpan.FromSeconds(30) });

        var summary = result.Summary;
        Assert.Equal(7, summary.FramesReceived);
        Assert.Equal(4, summary.SpeechFrames);
        Assert.Equal(3, summary.SilentFrames);
        Assert.Equal(0, summary.WrongSizeFrames);
        Assert.Equal(6, summary.Gaps.Count);
        Assert.NotNull(summary.FirstAudioMs);
        Assert.Equal(summary.FirstAudioMs, summary.FirstSpeechMs);
        Assert.Equal(CallOutcome.ServerClosed, summary.Outcome);
        Assert.Equal([.. speech, .. speech, .. speech, .. speech, .. silence, .. silence, .. silence], result.ReceivedAudio.ToArray());
        Assert.True(summary.Passed);
    }

    [Fact]
    public async Task EchoedAudioComesBack()
    {
        await using var server = new FakeAudioSocketServer(echo: true);

        // A 1 s tail (not the default 100 ms) so that the echo of the last speech frame lands before our hangup even on a
        // loaded machine: with 100 ms, one CI run received fewer than the 10 echoed speech frames. Echoed silence may still
        // land after the hangup; everything before it is recorded in order.
        var result = await RunAsync(Settings(server.Port, speechMs: 200, record: true) with { Tail = TimeSpan.FromSeconds(1) });

        Assert.True(result.Summary.FramesReceived > 0);
        Assert.Equal(result.Summary.FramesReceived * 320, result.ReceivedAudio.Length);
        Assert.True(result.Summary.SpeechFrames >= 10);
        Assert.True(result.Summary.Passed);
    }

    [Theory]
    [InlineData(0x01, 16)]
    [InlineData(0x02, 0)]
    [InlineData(0x03, 1)]
    [InlineData(0xFF, 1)]
    [InlineData(0x42, 2)]
    public async Task NonAudioFromTheServerIsAViolationThatTearsTheCallDown(byte kind, int length)
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => c.SendFrameAsync(kind, new byte[length]));
        var settings = Settings(server.Port, speechMs: 200) with { Tail = TimeSpan.FromSeconds(30) };

        var result = await RunAsync(settings);

        Assert.Equal(CallOutcome.ProtocolViolation, result.Summary.Outcome);
        Assert.Equal(1, result.Summary.Violations);
        Assert.Contains($"0x{kind:X2}", result.Summary.ViolationDetails[0], StringComparison.Ordinal);
        Assert.False(result.Summary.Passed);

        // Torn down at once, not at the end of the 30 s tail.
        Assert.True(result.Summary.FramesSent < settings.TotalFrames);
        await (await server.FirstConnection).Eof.WaitAsync(s_wait);
    }

    [Fact]
    public async Task ZeroLengthAudioIsAViolation()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => c.SendFrameAsync(0x10, []));

        var result = await RunAsync(Settings(server.Port, speechMs: 200) with { Tail = TimeSpan.FromSeconds(30) });

        Assert.Equal(CallOutcome.ProtocolViolation, result.Summary.Outcome);
        Assert.Equal(1, result.Summary.Violations);
    }

    [Fact]
    public async Task OddLengthAndWrongSizeFramesAreCounted()
    {
        await using var server = new FakeAudioSocketServer(onUuid: async c =>
        {
            await c.SendFrameAsync(0x10, new byte[160]);
            await c.SendFrameAsync(0x10, new byte[321]);
            await c.SendFrameAsync(0x12, new byte[320]);
            c.Close();
        });

        var result = await RunAsync(Settings(server.Port, speechMs: 100) with { Tail = TimeSpan.FromSeconds(30) });

        var summary = result.Summary;
        Assert.Equal(3, summary.FramesReceived);
        Assert.Equal(2, summary.WrongSizeFrames);
        Assert.Equal(1, summary.KindMismatchFrames);
        Assert.Equal(1, summary.Violations);
        Assert.Equal(CallOutcome.ServerClosed, summary.Outcome);
        Assert.False(summary.Passed);
    }

    [Fact]
    public async Task WithLegacyLabelsRepliesAreExpectedAsSlin8()
    {
        // Asterisk before 20.17 reads every 0x10 frame as slin 8 kHz: on a legacy-labelled slin16 call a
        // 640-byte reply would play at half speed, so only 320-byte frames are the right size.
        await using var server = new FakeAudioSocketServer(onUuid: async c =>
        {
            await c.SendFrameAsync(0x10, new byte[320]);
            await c.SendFrameAsync(0x10, new byte[640]);
            c.Close();
        });
        Assert.True(CallFormat.TryParse("slin16", out var slin16));

        var result = await RunAsync(Settings(server.Port, speechMs: 100, slin16) with { LabelLegacy = true, Tail = TimeSpan.FromSeconds(30) });

        Assert.Equal(2, result.Summary.FramesReceived);
        Assert.Equal(1, result.Summary.WrongSizeFrames);
        Assert.Equal(CallFormat.Slin, result.Format);
    }

    [Theory]
    [InlineData("ulaw")]
    [InlineData("alaw")]
    public async Task G711CallsExpectRepliesAsSlin8(string name)
    {
        await using var server = new FakeAudioSocketServer(onUuid: async c =>
        {
            await c.SendFrameAsync(0x10, new byte[320]);
            await c.SendFrameAsync(0x10, new byte[160]);
            c.Close();
        });
        Assert.True(CallFormat.TryParse(name, out var format));

        var result = await RunAsync(Settings(server.Port, speechMs: 100, format) with { Tail = TimeSpan.FromSeconds(30) });

        Assert.Equal(2, result.Summary.FramesReceived);
        Assert.Equal(1, result.Summary.WrongSizeFrames); // the 160-byte one: G.711 bytes Asterisk would play as noise
        Assert.Equal(CallFormat.Slin, result.Format);
    }

    [Fact]
    public async Task HeadersSplitAcrossWritesAreReassembled()
    {
        var frame = ServerConnection.Frame(0x10, Frame(320, 2000));
        await using var server = new FakeAudioSocketServer(onUuid: async c =>
        {
            for (var i = 0; i < 3; i++)
            {
                // One byte per write with NoDelay: the header arrives in pieces.
                foreach (var b in frame.AsSpan(0, 5).ToArray())
                {
                    await c.SendRawAsync([b]);
                }

                await c.SendRawAsync(frame[5..]);
            }

            c.Close();
        });

        var result = await RunAsync(Settings(server.Port, speechMs: 100) with { Tail = TimeSpan.FromSeconds(30) });

        Assert.Equal(3, result.Summary.FramesReceived);
        Assert.Equal(3, result.Summary.SpeechFrames);
        Assert.Equal(0, result.Summary.Violations);
    }

    [Fact]
    public async Task ServerHangupFrameEndsTheCallAndItsCloseIsTimed()
    {
        await using var server = new FakeAudioSocketServer(onUuid: async c =>
        {
            await c.SendRawAsync([0, 0, 0]);
            c.Close(); // in the same step, as the gateway does
        });

        var result = await RunAsync(Settings(server.Port, speechMs: 100) with { Tail = TimeSpan.FromSeconds(30) });

        Assert.Equal(CallOutcome.ServerHangupFrame, result.Summary.Outcome);
        Assert.True(result.Summary.Passed);
        Assert.InRange(result.Summary.ServerCloseAfterHangupFrameMs ?? -1, 0, 1_000);
        Assert.Null(result.Summary.ServerCloseAfterHangupMs); // we never hung up
        await (await server.FirstConnection).Eof.WaitAsync(s_wait);
    }

    [Fact]
    public async Task AServerThatKeepsItsSocketOpenAfterItsHangupFrameFails()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => c.SendRawAsync([0, 0, 0]));

        var result = await RunAsync(Settings(server.Port, speechMs: 100) with { Tail = TimeSpan.FromSeconds(30), CloseWait = TimeSpan.FromSeconds(0.3) });

        Assert.Equal(CallOutcome.ServerHangupFrame, result.Summary.Outcome);
        Assert.True(result.Summary.ServerCloseTimedOut);
        Assert.Null(result.Summary.ServerCloseAfterHangupFrameMs);
        Assert.False(result.Summary.Passed);
    }

    [Fact]
    public async Task ServerCloseEndsTheCall()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c =>
        {
            c.Close();
            return Task.CompletedTask;
        });

        var result = await RunAsync(Settings(server.Port, speechMs: 100) with { Tail = TimeSpan.FromSeconds(30) });

        Assert.Equal(CallOutcome.ServerClosed, result.Summary.Outcome);
    }

    [Fact]
    public async Task HangupIsAnEofWithoutAFrameUnlessAsked()
    {
        await using var plain = new FakeAudioSocketServer();
        await using var withFrame = new FakeAudioSocketServer();

        await RunAsync(Settings(plain.Port, speechMs: 100));
        await RunAsync(Settings(withFrame.Port, speechMs: 100) with { SendHangupFrame = true });

        var plainFrames = (await plain.FirstConnection).Frames;
        var framedFrames = (await withFrame.FirstConnection).Frames;
        Assert.DoesNotContain(plainFrames, static f => f.Kind == 0x00);
        Assert.Equal(0x00, framedFrames[^1].Kind);
        Assert.Empty(framedFrames[^1].Payload);
    }

    [Fact]
    public async Task AServerThatDoesNotCloseAfterOurHangupFails()
    {
        await using var server = new FakeAudioSocketServer(closeOnEof: false);

        var result = await RunAsync(Settings(server.Port, speechMs: 100) with { CloseWait = TimeSpan.FromSeconds(0.3) });

        Assert.Equal(CallOutcome.CallerHangup, result.Summary.Outcome);
        Assert.True(result.Summary.ServerCloseTimedOut);
        Assert.False(result.Summary.Passed);

        // A close wait of zero closes at once, as Asterisk does, and checks nothing.
        var closedAtOnce = await RunAsync(Settings(server.Port, speechMs: 100) with { CloseWait = TimeSpan.Zero });
        Assert.False(closedAtOnce.Summary.ServerCloseTimedOut);
        Assert.True(closedAtOnce.Summary.Passed);
    }

    [Fact]
    public async Task ConnectFailureIsReported()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await RunAsync(Settings(port, speechMs: 100));

        Assert.Equal(CallOutcome.ConnectFailed, result.Summary.Outcome);
        Assert.NotNull(result.Summary.Error);
        Assert.False(result.Summary.Passed);
    }

    [Fact]
    public async Task ManyCallsShareThePacerAndAreSummarised()
    {
        await using var server = new FakeAudioSocketServer(echo: true);
        var calls = Enumerable.Range(0, 5).Select(_ => Settings(server.Port, speechMs: 200)).ToArray();

        var result = await AsteriskSimulator.RunAsync(calls, TimeSpan.FromSeconds(0.1)).WaitAsync(s_wait);

        Assert.Equal(5, result.Load.Calls);
        Assert.Equal(5, result.Load.Passed);
        Assert.Equal(5, server.Connections.Count);
        Assert.Equal(5 * calls[0].TotalFrames, result.Load.FramesSent);
        Assert.Equal(result.Calls.Sum(static c => c.Summary.FramesReceived), result.Load.FramesReceived);
        Assert.Equal(result.Calls.Sum(static c => c.Summary.Gaps.Count), result.Load.Gaps.Count);
        Assert.Equal(5, calls.Select(static c => c.CallId).Distinct().Count());
    }

    [Fact]
    public async Task CancellingHangsUpAndStillReports()
    {
        await using var server = new FakeAudioSocketServer();
        using var cancel = new CancellationTokenSource();
        var settings = Settings(server.Port, speechMs: 100) with { Tail = TimeSpan.FromSeconds(60) };

        var run = AsteriskSimulator.RunCallAsync(settings, cancel.Token);
        var connection = await server.FirstConnection.WaitAsync(s_wait);
        await cancel.CancelAsync();
        var result = await run.WaitAsync(s_wait);

        Assert.Equal(CallOutcome.CallerHangup, result.Summary.Outcome);
        Assert.True(result.Summary.FramesSent < settings.TotalFrames);
        await connection.Eof.WaitAsync(s_wait);
    }

    [Theory]
    [InlineData("slin")]
    [InlineData("ulaw")]
    [InlineData("alaw")]
    public async Task SilentGapsSendOnlyTheSpeechFramesAndKeepItsTiming(string name)
    {
        Assert.True(CallFormat.TryParse(name, out var format));
        await using var server = new FakeAudioSocketServer();
        // 200 ms tone, 200 ms digital silence, 200 ms tone: the pause and the leading and trailing silence are withheld.
        var tone = Tone(format, 200);
        var speech = tone.Concat(new short[format.SampleRate / 5]).Concat(tone).ToArray();
        var settings = Settings(server.Port, speechMs: 0, format) with { Audio = CallAudio.FromSamples(speech, format), SilentGaps = true };

        var result = await RunAsync(settings);

        var connection = await server.FirstConnection;
        await connection.Eof.WaitAsync(s_wait);
        var audio = connection.Frames.Skip(1).ToList();
        Assert.Equal(20, audio.Count);
        Assert.Equal(20, result.Summary.FramesSent);
        Assert.Equal(settings.TotalFrames - 20, result.Summary.FramesWithheld);
        Assert.All(audio, f => Assert.Contains(f.Payload, b => b != format.SilenceByte));

        // The pause is time that passed without frames, not a burst: the second half starts ~400 ms after the first
        // frame (200 ms of tone, 200 ms of pause) and ~220 ms after the first half's last frame. A loaded machine's
        // timer can make one of those two frames late and shorten one measure; a burst shortens both.
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        var fromFirst = Ms(audio[10].ArrivedAt - audio[0].ArrivedAt);
        var fromLastBefore = Ms(audio[10].ArrivedAt - audio[9].ArrivedAt);
        Assert.True(fromFirst >= 350 || fromLastBefore >= 170, $"the second half started {fromFirst:0.0} ms after the first frame and {fromLastBefore:0.0} ms after the one before the pause");
        Assert.True(result.Summary.Passed);
    }

    [Fact]
    public void SilentFramesAreTheLeadingSilenceTheTailAndTheQuietSpeechFrames()
    {
        var format = CallFormat.Slin;
        var quiet = Enumerable.Repeat((short)20, format.SampleRate / 50).ToArray(); // about -64 dBFS: silence
        var speech = Tone(format, 40).Concat(quiet).Concat(Tone(format, 20)).ToArray();
        var settings = new CallSettings
        {
            Audio = CallAudio.FromSamples(speech, format),
            LeadingSilence = TimeSpan.FromMilliseconds(60),
            Tail = TimeSpan.FromMilliseconds(40),
        };

        var silent = SilentFrames.Of(settings);

        bool[] expected = [true, true, true, false, false, true, false, true, true];
        Assert.Equal(expected.Length, settings.TotalFrames);
        Assert.Equal(expected, Enumerable.Range(0, expected.Length).Select(silent.IsSilent));
        Assert.Equal(6, silent.LastSpeechFrame);
    }

    [Fact]
    public async Task ReplyAfterSpeechIsMeasuredFromTheEndOfTheCallersSpeech()
    {
        // The server speaks once, at the start, while the caller still speaks (speech ends ~300 ms in): no reply follows.
        var speechFrame = Tone(CallFormat.Slin, 20).SelectMany(BitConverter.GetBytes).ToArray();
        await using var server = new FakeAudioSocketServer(onUuid: c => c.SendFrameAsync(0x10, speechFrame));

        var result = await RunAsync(Settings(server.Port, speechMs: 200) with { Tail = TimeSpan.FromMilliseconds(400) });

        Assert.Null(result.Summary.ReplyAfterSpeechMs);

        await using var replying = new FakeAudioSocketServer(onUuid: async c =>
        {
            // Speech comes 500 ms in (100 ms lead + 200 ms speech ends at ~300 ms): a reply ~200 ms after the turn.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var frame = Tone(CallFormat.Slin, 20).SelectMany(BitConverter.GetBytes).ToArray();
            await c.SendFrameAsync(0x10, frame);
        });
        // A long tail: on a loaded machine the server's reply may come well after its 500 ms, and it must still be heard.
        var answered = await RunAsync(Settings(replying.Port, speechMs: 200) with { Tail = TimeSpan.FromSeconds(3) });
        Assert.NotNull(answered.Summary.ReplyAfterSpeechMs);
        Assert.InRange(answered.Summary.ReplyAfterSpeechMs!.Value, 0, 3000);
    }

    private static short[] Tone(CallFormat format, int ms) =>
        Enumerable.Range(0, format.SampleRate * ms / 1000).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / format.SampleRate))).ToArray();

    private static Task<CallResult> RunAsync(CallSettings settings) =>
        AsteriskSimulator.RunCallAsync(settings).WaitAsync(s_wait);

    private static CallSettings Settings(int port, int speechMs, CallFormat? format = null, bool record = false)
    {
        var callFormat = format ?? CallFormat.Slin;
        var samples = new short[callFormat.SampleRate * speechMs / 1000];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / callFormat.SampleRate));
        }

        return new CallSettings
        {
            Port = port,
            Audio = CallAudio.FromSamples(samples, callFormat),
            LeadingSilence = TimeSpan.FromMilliseconds(100),
            Tail = TimeSpan.FromMilliseconds(100),
            Record = record,
        };
    }

    private static byte[] Frame(int bytes, short amplitude)
    {
        var frame = new byte[bytes];
        for (var i = 0; i + 1 < bytes; i += 2)
        {
            var sample = (short)(i % 8 < 4 ? amplitude : -amplitude);
            frame[i] = (byte)sample;
            frame[i + 1] = (byte)(sample >> 8);
        }

        return frame;
    }
}
