using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace AiAgent.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class LocalCallTests(TestClusterFixture fixture)
{
    [Fact]
    public async Task Greeting_arrives_as_whole_frames_in_few_chunks()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);

        var (_, chunks) = await call.NextUtteranceAsync();

        Assert.Equal("local", call.Started.Provider);
        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.Equal(0, c.Audio.Length % 320));
        var total = chunks.Sum(c => c.Audio.Length);
        Assert.InRange(total, 5 * 16_000, 7 * 16_000); // the greeting asset is ~5.8 s of slin 8 kHz
        Assert.True(chunks.Count <= total / 320 / 5, "chunks must batch many frames, never one event per frame");
        Assert.True(chunks.Select(c => c.Sequence).SequenceEqual(chunks.Select(c => c.Sequence).Order()), "stream sequence numbers must increase");
    }

    [Fact]
    public async Task Caller_turn_is_echoed_after_the_silence_that_ends_it()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);
        await call.NextUtteranceAsync(); // greeting

        await call.SendAsync(Signals.Silence(0.3));
        await call.SendAsync(Signals.Tone(1.0));
        await call.SendAsync(Signals.Silence(0.8));
        var (_, echo) = await call.NextUtteranceAsync();

        var audio = echo.SelectMany(c => c.Audio.ToArray()).ToArray();
        var seconds = audio.Length / 16_000.0;
        Assert.InRange(seconds, 1.0, 2.0);
        Assert.True(Signals.Rms(audio) > 2000, "the echo carries the caller's tone");
        var counters = await call.WaitForAsync(c => c.FramesIn == 105);
        var snapshot = await call.Grain.GetSnapshotAsync();
        Assert.Contains(snapshot.Transcript, l => l.Role == "caller");
        Assert.Contains(snapshot.Transcript, l => l.Role == "agent" && l.Text.Contains("echo", StringComparison.Ordinal));
        Assert.Equal(CallState.Active, snapshot.State);
        Assert.Equal(0, counters.FramesLost);
    }

    [Fact]
    public async Task Slin16_call_gets_640_byte_frames()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client, AudioFormat.Slin16);
        await call.NextUtteranceAsync();

        await call.SendAsync(Signals.Tone(0.8, rate: 16_000), frameSamples: 320);
        await call.SendAsync(Signals.Silence(0.8, rate: 16_000), frameSamples: 320);
        var (_, echo) = await call.NextUtteranceAsync();

        Assert.All(echo, c => Assert.Equal(0, c.Audio.Length % 640));
        Assert.InRange(echo.Sum(c => c.Audio.Length) / 32_000.0, 0.8, 1.8);
    }

    [Fact]
    public async Task A_ulaw_call_answered_in_slin8_gets_320_byte_frames_of_its_own_speech()
    {
        // A c(ulaw) channel sends µ-law bytes labelled 0x10; Asterisk reads our 0x10 replies as slin 8 kHz.
        await using var call = await CallProbe.StartAsync(fixture.Client, AudioFormat.Mulaw8, playoutFormat: AudioFormat.Slin8);
        Assert.Equal(AudioFormat.Slin8, call.Started.Format);
        await call.NextUtteranceAsync();

        await call.SendFramesAsync(MuLawFrames(Signals.Tone(0.8)));
        await call.SendFramesAsync(MuLawFrames(Signals.Silence(0.8)));
        var (_, echo) = await call.NextUtteranceAsync();

        var audio = echo.SelectMany(c => c.Audio.ToArray()).ToArray();
        Assert.All(echo, c => Assert.Equal(0, c.Audio.Length % 320));
        Assert.InRange(audio.Length / 16_000.0, 0.8, 1.8);
        Assert.True(Signals.Rms(audio) > 2000, "the echo is the caller's tone decoded to slin, not µ-law bytes read as PCM");
    }

    private static IEnumerable<byte[]> MuLawFrames(short[] samples)
    {
        for (var i = 0; i + 160 <= samples.Length; i += 160)
        {
            var frame = new byte[160];
            AiAgent.Grains.Audio.MuLaw.Encode(samples.AsSpan(i, 160), frame);
            yield return frame;
        }
    }

    [Fact]
    public async Task Dtmf_reaches_the_call_and_its_transcript()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);

        await call.Grain.SendDtmfAsync('5');
        await call.Grain.SendDtmfAsync('#');

        var snapshot = await call.Grain.GetSnapshotAsync();
        Assert.Equal(2, snapshot.Counters.DtmfDigits);
        Assert.Contains(snapshot.Transcript, l => l.Role == "dtmf" && l.Text == "#");
    }

    [Fact]
    public async Task Hangup_ends_the_call_and_its_record_outlives_the_activation()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);
        await call.NextUtteranceAsync();

        await call.Grain.HangupAsync(CallEndReason.CallerHangup);
        var ended = await call.Grain.GetSnapshotAsync();
        // The ended call deactivates itself; a call arriving meanwhile may already have activated a fresh one
        // (which loads the record). Deactivate whatever is there, so the next read can only come from storage.
        await fixture.Cluster.DeactivateAsync(call.Grain).WaitAsync(CallProbe.Timeout);
        var history = await call.Grain.GetSnapshotAsync();

        Assert.Equal(CallState.Ended, ended.State);
        Assert.Equal(CallEndReason.CallerHangup, ended.EndReason);
        Assert.Equal(CallState.Ended, history.State);
        Assert.Equal("local", history.Provider);
        Assert.Contains(history.Transcript, l => l.Role == "agent");
        Assert.Equal(CallAttachOutcome.Ended, (await call.Grain.AttachAsync(new CallAttachRequest(call.Request, call.Output))).Outcome);
    }

    [Fact]
    public async Task The_end_of_each_turn_saves_the_record_with_its_transcript_while_the_call_is_live()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);
        await call.NextUtteranceAsync(); // greeting
        var atStart = await ReadRecordAsync(call.CallId);

        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(0.8));
        await call.NextUtteranceAsync(); // the echo: the local agent's turn

        // Read from storage, not from the grain: this is what an activation replacing a lost one starts from.
        var saved = await WaitForRecordAsync(call.CallId, s => s.Transcript.Any(l => l.Role == "agent" && l.Text.Contains("echo", StringComparison.Ordinal)));

        Assert.Equal(CallState.Active, atStart?.State);
        Assert.Equal(CallState.Active, saved.State);
        Assert.Contains(saved.Transcript, l => l.Role == "caller");
        await call.Grain.HangupAsync(CallEndReason.CallerHangup);
    }

    private async Task<CallSnapshot> WaitForRecordAsync(Guid callId, Func<CallSnapshot, bool> condition)
    {
        using var timeout = new CancellationTokenSource(Waits.Long);
        while (true)
        {
            if (await ReadRecordAsync(callId) is { } saved && condition(saved))
            {
                return saved;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    private async Task<CallSnapshot?> ReadRecordAsync(Guid callId)
    {
        var storage = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(CallStorage.Name);
        var state = new GrainState<CallRecord>(new CallRecord());
        await storage.ReadStateAsync(CallStorage.RecordStateName, CallStorage.RecordId(callId), state);
        return state.State?.Snapshot;
    }

    [Fact]
    public async Task Reordered_and_duplicate_frames_are_put_back_in_order_and_counted()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);
        var frame = new byte[320];

        foreach (var seq in new long[] { 0, 1, 3, 2, 3, 4 })
        {
            await call.Grain.PushCallerAudioAsync(new CallerAudio(seq, frame));
        }

        // One-way calls may be dispatched in any order: wait until all five distinct frames are through.
        var counters = await call.WaitForAsync(c => c.FramesIn == 5);
        Assert.Equal(1, counters.FramesDuplicate);
        Assert.Equal(0, counters.FramesLost);
    }

    [Fact]
    public async Task Caller_speech_over_the_agent_flushes_playout_and_the_call_learns_what_was_played()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);
        var (greetingId, _) = await call.NextUtteranceAsync();
        // The greeting has played for 2 minutes (past its protection window) when the caller talks over it.
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(greetingId, PlayoutEvent.Started, 0, DateTime.UtcNow.AddSeconds(-120), TimeSpan.Zero));

        await call.SendAsync(Signals.Tone(0.4));
        var flush = await call.NextAsync<FlushPlayout>();

        Assert.Equal(greetingId, flush.UtteranceId);
        Assert.Equal(1, (await call.Grain.GetSnapshotAsync()).Counters.BargeIns);
    }

    [Fact]
    public async Task Caller_speech_early_in_the_greeting_does_not_cut_it_off()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);
        var (greetingId, _) = await call.NextUtteranceAsync();
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(greetingId, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.Zero));

        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(0.6));
        var skipped = new List<AgentStreamEvent>();
        await call.NextAsync<AgentUtteranceDone>(skipped); // the echo of that speech: the turn went on, no flush

        Assert.DoesNotContain(skipped, e => e is FlushPlayout);
        Assert.Equal(0, (await call.Grain.GetSnapshotAsync()).Counters.BargeIns);
    }

    [Fact]
    public async Task Turn_latency_is_measured_from_end_of_speech_to_first_frame_played()
    {
        await using var call = await CallProbe.StartAsync(fixture.Client);
        var (greetingId, _) = await call.NextUtteranceAsync();
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(greetingId, PlayoutEvent.Completed, 5800, DateTime.UtcNow, TimeSpan.Zero));

        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(0.6));
        var (echoId, _) = await call.NextUtteranceAsync();
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(echoId, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.Zero));

        var snapshot = await call.WaitForSnapshotAsync(s => s.TurnLatenciesMs.Count > 0);
        var latency = Assert.Single(snapshot.TurnLatenciesMs);
        Assert.InRange(latency, 0, 10_000);
    }
}
