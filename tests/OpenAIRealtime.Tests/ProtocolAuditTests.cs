using System.Text.Json;
using AiAgent.Emulators.Common;
using AiAgent.Grains.Interfaces.Audio;
using PlayoutEvent = AiAgent.Grains.Interfaces.Calls.PlayoutEvent;
using PlayoutReport = AiAgent.Grains.Interfaces.Calls.PlayoutReport;
using AiAgent.Grains.Providers;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>
/// Findings of the protocol audit (docs/protocols/openai-realtime.md, Client obligations): cancel before audio, heard
/// transcripts, formats, response.done reasons, the planned rollover.
/// </summary>
public sealed class ProtocolAuditTests
{
    // Event ids of OpenAIRealtimeLog the assertions below rely on.
    internal const int ServerErrorLog = 4103;
    internal const int ResponseEndedEarlyLog = 4117;
    internal const int BenignErrorLog = 4113;
    internal const int CancellingResponseLog = 4116;
    internal const int RolloverPlannedLog = 4118;
    internal const int RolledOverLog = 4119;
    internal const int ResponseCreatedLog = 4123;
    internal const int CallerAudioDroppedLog = 4122;

    [Fact]
    public async Task A_barge_in_cancels_an_answer_before_any_of_its_audio_arrived()
    {
        // The model "thinks" for 20 s before the reply's first audio: only our response.cancel can end it sooner.
        await using var h = await Harness.StartAsync(e => e.ReplyAudioDelayMs = 20_000, o => o.Greeting = string.Empty);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<SessionStarted>();

        // Nothing is active yet: nothing to cancel, nothing sent.
        Assert.False(await session.CancelResponseAsync(CancellationToken.None));

        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await events.NextAsync<UserSpeechStopped>();
        // No event marks response.created for the grain; its debug log says the session has seen it.
        await Waits.UntilAsync(() => h.Logs.WithEventId(ResponseCreatedLog).Count == 1, what: "response.created handled");

        Assert.True(await session.CancelResponseAsync(CancellationToken.None));

        var cancel = await h.Emulator.WaitForClientEventAsync("response.cancel", Waits.Long);
        var done = await h.Emulator.WaitForServerEventAsync(s => s.Type == "response.done", Waits.Long);
        using (var d = JsonDocument.Parse(done.Json))
        {
            var response = d.RootElement.GetProperty("response");
            Assert.Equal("cancelled", response.GetProperty("status").GetString());
            Assert.Equal("client_cancelled", response.GetProperty("status_details").GetProperty("reason").GetString());
            using var c = cancel.Parse();
            Assert.Equal(response.GetProperty("id").GetString(), c.RootElement.GetProperty("response_id").GetString());
        }

        await events.NextAsync<ProviderUsage>(u => u.Status == "cancelled");
        // The cancelled answer is over: a second barge-in has nothing to cancel and sends nothing.
        Assert.False(await session.CancelResponseAsync(CancellationToken.None));
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        Assert.Single(h.Emulator.ReceivedEvents, e => e.Type == "response.cancel");
        Assert.DoesNotContain(events.Seen, e => e is AgentAudio);
        Assert.DoesNotContain(events.Seen, e => e is ProviderError);
        Assert.Single(h.Logs.WithEventId(CancellingResponseLog));
        ProviderConversationTests.AssertAllClientEventsAreGa(h.Emulator);
    }

    [Fact]
    public async Task After_a_cancel_mid_answer_the_final_transcript_is_what_was_heard_and_the_truncate_follows_the_flush()
    {
        await using var h = await Harness.StartAsync(e => e.AudioChunkIntervalMs = 150);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudio>();
        var second = await events.NextAsync<AgentAudio>();

        // The grain accepted a barge-in: cancel at once; the played milliseconds come later, with the flush.
        Assert.True(await session.CancelResponseAsync(CancellationToken.None));
        await h.Emulator.WaitForServerEventAsync(s => s.Type == "response.done", Waits.Long);
        var generated = h.Emulator.SentEvents.Last(s => s.Type == "response.output_audio_transcript.done");
        await events.NextAsync<ProviderUsage>(u => u.Status == "cancelled");
        Assert.DoesNotContain(events.Seen, e => e is AgentTranscript { IsFinal: true });

        var receivedMs = AudioFormat.Mulaw8.MillisecondsOf(events.Seen.OfType<AgentAudio>().Sum(a => (long)a.Audio.Length));
        var playedMs = receivedMs / 2;
        await session.NotifyPlayoutInterruptedAsync(second.UtteranceId, playedMs, CancellationToken.None);

        var final = await events.NextAsync<AgentTranscript>(t => t.IsFinal);
        using (var g = JsonDocument.Parse(generated.Json))
        {
            var full = g.RootElement.GetProperty("transcript").GetString()!;
            Assert.NotEqual(full, final.Text);
            Assert.EndsWith("…", final.Text, StringComparison.Ordinal);
            Assert.StartsWith(final.Text.TrimEnd('…'), full, StringComparison.Ordinal);
        }

        var truncate = await h.Emulator.WaitForClientEventAsync("conversation.item.truncate", Waits.Long);
        using (var t = truncate.Parse())
        {
            Assert.Equal(playedMs, t.RootElement.GetProperty("audio_end_ms").GetInt64());
        }

        await h.Emulator.WaitForServerEventAsync(s => s.Type == "conversation.item.truncated", Waits.Long);
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        // One cancel only (the flush report does not cancel again), and one final line for the item.
        Assert.Single(h.Emulator.ReceivedEvents, e => e.Type == "response.cancel");
        Assert.Single(events.Seen.OfType<AgentTranscript>(), t => t.IsFinal);
        ProviderConversationTests.AssertAllClientEventsAreGa(h.Emulator);
    }

    [Fact]
    public async Task A_barge_in_after_the_whole_answer_arrived_still_makes_the_final_transcript_what_was_heard()
    {
        // Unpaced: the whole greeting (and its full transcript) arrives long before the caller could have heard it.
        await using var h = await Harness.StartAsync();
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        var done = await events.NextAsync<AgentAudioDone>();
        await h.Emulator.WaitForServerEventAsync(s => s.Type == "response.done", Waits.Long);

        // The caller talked over it 1 s in; the answer is complete, so there is nothing to cancel, only to truncate.
        Assert.False(await session.CancelResponseAsync(CancellationToken.None));
        await session.NotifyPlayoutInterruptedAsync(done.UtteranceId, 1_000, CancellationToken.None);

        var final = await events.SeenOrNextAsync<AgentTranscript>(t => t.IsFinal);
        Assert.EndsWith("…", final.Text, StringComparison.Ordinal);
        Assert.StartsWith(final.Text.TrimEnd('…'), VoiceAssets.GreetingText, StringComparison.Ordinal);
        Assert.InRange(final.Text.Length, 5, VoiceAssets.GreetingText.Length / 2);
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        Assert.Single(events.Seen.OfType<AgentTranscript>(), t => t.IsFinal);
        Assert.DoesNotContain(h.Emulator.ReceivedEvents, e => e.Type == "response.cancel");
    }

    [Fact]
    public async Task A_response_cancel_not_active_error_is_harmless()
    {
        await using var h = await Harness.StartAsync(e =>
        {
            e.AudioChunkIntervalMs = 100;
            e.CancelRacesResponseEnd = true;
        });
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        var first = await events.NextAsync<AgentAudio>();

        // The answer ends while our cancel is in flight: the server's response_cancel_not_active is ignored.
        Assert.True(await session.CancelResponseAsync(CancellationToken.None));

        await h.Emulator.WaitForServerEventAsync(s => s.Type == "error" && s.Json.Contains("response_cancel_not_active", StringComparison.Ordinal), Waits.Long);
        await events.NextAsync<ProviderUsage>(u => u.Status == "completed");
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        Assert.Empty(h.Logs.WithEventId(ServerErrorLog));
        Assert.DoesNotContain(events.Seen, e => e is ProviderError);
        Assert.Equal("response_cancel_not_active", Assert.Single(h.Logs.WithEventId(BenignErrorLog)).State["Code"]);
        Assert.Equal(("stopped", false), (events.Seen.OfType<SessionEnded>().Single().Reason, events.Seen.OfType<SessionEnded>().Single().HangUp));
        Assert.NotEqual(0, first.UtteranceId);
    }

    [Fact]
    public async Task The_session_rolls_over_before_it_expires_keeping_the_conversation_and_the_audio()
    {
        // The first session expires 10 s after it opens and says so in expires_at; rollover may start 6 s before. The
        // session cap runs on a fake clock shared by the emulator and the session: the test steps through it.
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(e => e.SessionExpiresAfter = TimeSpan.FromSeconds(10), o => o.SessionRolloverMarginMs = 6_000, time);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudioDone>();
        await events.SeenOrNextAsync<ProviderUsage>(); // the greeting's response is over: a quiet moment
        await Waits.UntilAsync(() => h.Logs.WithEventId(RolloverPlannedLog).Count == 1, what: "rollover planned");

        // The line stays open through the switch: 20 ms of caller silence every 20 ms (pacing, not synchronisation).
        var sent = 0;
        using var feeding = new CancellationTokenSource();
        var feeder = Task.Run(async () =>
        {
            var silence = new byte[session.Formats.Input.BytesFor(TimeSpan.FromMilliseconds(20))];
            Array.Fill(silence, (byte)0xFF); // µ-law silence
            while (!feeding.IsCancellationRequested)
            {
                await session.SendAudioAsync(silence, CancellationToken.None);
                Interlocked.Increment(ref sent);
                try
                {
                    await Task.Delay(20, feeding.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
        var created = h.Emulator.SentEvents.First(s => s.Connection == 1 && s.Type == "session.created");
        DateTimeOffset expiresAt;
        using (var c = JsonDocument.Parse(created.Json))
        {
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(c.RootElement.GetProperty("session").GetProperty("expires_at").GetInt64());
        }

        await h.Emulator.WaitForClientEventAsync(e => e.Connection == 1 && e.Type == "input_audio_buffer.append", Waits.Long);
        // Past the planned moment (at most half the 10 s life), before the forced one and the expiry.
        time.Advance(TimeSpan.FromSeconds(6));
        var rolled = await events.NextAsync<ProviderReconnected>();

        Assert.Equal(0, rolled.Attempt);
        Assert.True(time.GetUtcNow() < expiresAt, $"rolled over at {time.GetUtcNow():O}, after expires_at {expiresAt:O}");
        Assert.Single(h.Logs.WithEventId(RolledOverLog));
        // The new session knows the conversation so far, and is not greeted again.
        var item = await h.Emulator.WaitForClientEventAsync(e => e.Connection == 2 && e.Type == "conversation.item.create", Waits.Long);
        Assert.Contains(VoiceAssets.GreetingText, item.Json, StringComparison.Ordinal);
        Assert.Contains("\"output_text\"", item.Json, StringComparison.Ordinal);

        // Caller audio keeps flowing, now into the new session, and gets an answer there.
        await h.Emulator.WaitForClientEventAsync(e => e.Connection == 2 && e.Type == "input_audio_buffer.append", Waits.Long);
        await feeding.CancelAsync();
        await feeder;
        // At most the one append in flight on the old socket at the switch is lost; nothing is dropped for lack of a session.
        await Waits.UntilAsync(() => AppendCount(h) >= sent - 1, what: $"{sent - 1} of {sent} caller chunks received");
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await events.NextAsync<ProviderUsage>(u => u.Status == "completed");
        time.Advance(TestClock.PastPlayout); // the answer has played: its final transcript is released
        var final = await events.NextAsync<AgentTranscript>(t => t.IsFinal && t.Text == VoiceAssets.ReplyText);
        Assert.NotNull(final);
        Assert.DoesNotContain(h.Emulator.ReceivedEvents, e => e.Connection == 2 && e.Type == "response.create");
        Assert.DoesNotContain(h.Emulator.SentEvents, s => s.Type == "error");
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        Assert.DoesNotContain(events.Seen, e => e is ProviderError);
        Assert.Equal(2, h.Emulator.Connections.Count);
        // One switch, and it was the planned one: no reconnect after a lost connection.
        Assert.Equal(0, Assert.Single(events.Seen.OfType<ProviderReconnected>()).Attempt);
        var dropped = h.Logs.WithEventId(CallerAudioDroppedLog).Sum(l => (long)l.State["Bytes"]!);
        Assert.True(dropped <= session.Formats.Input.BytesFor(TimeSpan.FromMilliseconds(20)), $"{dropped} caller audio bytes dropped");
    }

    [Fact]
    public async Task The_quiet_moment_for_a_rollover_follows_the_playout_estimate_and_the_grains_playout_reports()
    {
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(time: time);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        var greeting = await events.NextAsync<AgentAudioDone>();
        await events.SeenOrNextAsync<ProviderUsage>();

        // The greeting's 3.15 s arrived at once: by the estimate the caller is still hearing it.
        Assert.False(session.IsQuiet);
        time.Advance(TestClock.PastPlayout);
        Assert.True(session.IsQuiet);

        // The gateway reports it playing (e.g. behind a slow start): not quiet until it reports the end.
        await session.OnPlayoutReportAsync(new PlayoutReport(greeting.UtteranceId, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.Zero), CancellationToken.None);
        Assert.False(session.IsQuiet);
        await session.OnPlayoutReportAsync(new PlayoutReport(greeting.UtteranceId, PlayoutEvent.Completed, 3_150, DateTime.UtcNow, TimeSpan.Zero), CancellationToken.None);
        Assert.True(session.IsQuiet);

        // A caller turn is not quiet either.
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await events.NextAsync<UserSpeechStarted>();
        Assert.False(session.IsQuiet);
    }

    private static int AppendCount(Harness h) => h.Emulator.ReceivedEvents.Count(e => e.Type == "input_audio_buffer.append");

    [Fact]
    public async Task A_session_updated_without_a_pcm_rate_means_24kHz()
    {
        await using var h = await Harness.StartAsync(e => e.OmitPcmRate = true);
        await using var session = h.CreateSession(AudioFormat.Slin24);
        Assert.Equal(new ProviderAudioFormats(AudioFormat.Slin24, AudioFormat.Slin24), session.Formats);
        var events = new EventReader(session);

        await session.StartAsync(CancellationToken.None);

        await events.NextAsync<SessionStarted>();
        await events.NextAsync<AgentAudioDone>();
        Assert.Contains(h.Emulator.SentEvents, s => s.Type == "session.updated" && s.Json.Contains("{\"type\":\"audio/pcm\"}", StringComparison.Ordinal));
        Assert.DoesNotContain(events.Seen, e => e is ProviderError);
    }

    [Theory]
    [InlineData("content_filter")]
    [InlineData("max_output_tokens")]
    public async Task An_incomplete_response_is_logged_with_its_reason_and_counted_as_a_provider_error(string reason)
    {
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(
            e =>
            {
                e.IncompleteOnResponse = 1;
                e.IncompleteReason = reason;
            },
            time: time);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);

        var error = await events.NextAsync<ProviderError>();

        Assert.Equal((ProviderErrorKind.Other, reason, false), (error.Kind, error.Code, error.Fatal));
        await events.SeenOrNextAsync<ProviderUsage>(u => u.Status == "incomplete");
        var early = Assert.Single(h.Logs.WithEventId(ResponseEndedEarlyLog));
        Assert.Equal(("incomplete", reason), (early.State["Status"], early.State["Reason"]));

        // The call goes on: a caller turn still gets an answer.
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await events.NextAsync<ProviderUsage>(u => u.Status == "completed");
        time.Advance(TestClock.PastPlayout);
        var final = await events.NextAsync<AgentTranscript>(t => t.IsFinal && t.Text == VoiceAssets.ReplyText);
        Assert.NotNull(final);
    }

    [Fact]
    public async Task A_cancelled_response_logs_its_reason_without_an_error()
    {
        await using var h = await Harness.StartAsync(e => e.AudioChunkIntervalMs = 150);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudio>();

        Assert.True(await session.CancelResponseAsync(CancellationToken.None));

        await events.NextAsync<ProviderUsage>(u => u.Status == "cancelled");
        var early = Assert.Single(h.Logs.WithEventId(ResponseEndedEarlyLog));
        Assert.Equal(("cancelled", "client_cancelled"), (early.State["Status"], early.State["Reason"]));
        Assert.DoesNotContain(events.Seen, e => e is ProviderError);
    }
}
