using System.Text.Json;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.OpenAIRealtime;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>Every fault has a defined outcome: reconnect with the conversation so far, or a clean hang-up; all reported.</summary>
public sealed class ProviderFaultTests
{
    [Theory]
    [InlineData(AuthFailureMode.HttpUnauthorized)]
    [InlineData(AuthFailureMode.ErrorThenClose)]
    public async Task An_invalid_key_is_a_fatal_error_and_a_clean_hang_up(AuthFailureMode mode)
    {
        await using var h = await Harness.StartAsync(e =>
        {
            e.AuthFailure = mode;
            e.ApiKey = "sk-the-right-key-is-another-one";
        });
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);

        var ex = await Assert.ThrowsAsync<OpenAIRealtimeException>(() => session.StartAsync(CancellationToken.None));
        Assert.Equal(ProviderErrorKind.Authentication, ex.Kind);

        await events.DrainAsync();
        var error = Assert.Single(events.Seen.OfType<ProviderError>());
        Assert.Equal(ProviderErrorKind.Authentication, error.Kind);
        Assert.True(error.Fatal);
        Assert.Equal("invalid_api_key", error.Code);
        var ended = Assert.Single(events.Seen.OfType<SessionEnded>());
        Assert.True(ended.HangUp);
        Assert.IsType<SessionEnded>(events.Seen[^1]);
        AssertKeyNeverLeaked(h, events, ex);
    }

    [Fact]
    public async Task A_missing_key_environment_variable_hangs_up_without_connecting()
    {
        await using var h = await Harness.StartAsync(provider: o => o.ApiKeyEnv = "AIAGENT_TEST_UNSET_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant());
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);

        var ex = await Assert.ThrowsAsync<OpenAIRealtimeException>(() => session.StartAsync(CancellationToken.None));
        Assert.Contains(h.Options.ApiKeyEnv, ex.Message, StringComparison.Ordinal);
        await events.DrainAsync();
        Assert.Equal("missing_api_key", Assert.Single(events.Seen.OfType<ProviderError>()).Code);
        Assert.True(Assert.Single(events.Seen.OfType<SessionEnded>()).HangUp);
        Assert.Empty(h.Emulator.Connections);
    }

    [Theory]
    [InlineData(RateLimitShape.ErrorEvent)]
    [InlineData(RateLimitShape.FailedResponse)]
    public async Task A_rate_limit_is_reported_and_the_call_goes_on(RateLimitShape shape)
    {
        await using var h = await Harness.StartAsync(e =>
        {
            e.RateLimitOnResponse = 1;
            e.RateLimitShape = shape;
        });
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);

        var error = await events.NextAsync<ProviderError>();
        Assert.Equal(ProviderErrorKind.RateLimited, error.Kind);
        Assert.Equal("rate_limit_exceeded", error.Code);
        Assert.False(error.Fatal);

        // The session is still usable: the next request is answered.
        await session.SendDtmfAsync('1', CancellationToken.None);
        await events.NextAsync<AgentAudio>();
        await events.NextAsync<AgentAudioDone>();
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        Assert.Equal(ProviderErrorKind.RateLimited, Assert.Single(events.Seen.OfType<ProviderError>()).Kind);
        Assert.False(Assert.Single(events.Seen.OfType<SessionEnded>()).HangUp);
    }

    [Fact]
    public async Task A_disconnect_mid_response_reconnects_and_reseeds_the_conversation()
    {
        // Response 1 is the greeting; response 2 (the answer to a DTMF digit) loses its connection after 2 deltas.
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(
            e =>
            {
                e.DisconnectDuringResponse = 2;
                e.DisconnectAfterDeltas = 2;
            },
            time: time);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudioDone>();
        await events.SeenOrNextAsync<ProviderUsage>();
        time.Advance(TestClock.PastPlayout); // the greeting has played: it is re-seeded whole
        await events.SeenOrNextAsync<AgentTranscript>(t => t.IsFinal);

        await session.SendDtmfAsync('3', CancellationToken.None);

        var cut = await events.NextAsync<AgentAudio>();
        var lost = await events.NextAsync<ProviderError>();
        Assert.Equal(ProviderErrorKind.Disconnected, lost.Kind);
        Assert.False(lost.Fatal);
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == cut.UtteranceId);
        var reconnected = await events.NextAsync<ProviderReconnected>();
        Assert.Equal(1, reconnected.Attempt);

        // The new connection configures the session, then re-seeds the conversation as text items, then asks again.
        var answer = await events.NextAsync<AgentAudio>(a => a.UtteranceId != cut.UtteranceId);
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == answer.UtteranceId);
        var second = h.Emulator.ReceivedEvents.Where(e => e.Connection == 2).ToList();
        Assert.Equal("session.update", second[0].Type);
        var seeded = second.Where(e => e.Type == "conversation.item.create").Select(Text).ToList();
        Assert.True(seeded.Count >= 2, string.Join(" | ", seeded));
        Assert.Equal(("assistant", "output_text", VoiceAssets.GreetingText), seeded[0]);
        Assert.Equal("user", seeded[1].Role);
        Assert.Contains("'3'", seeded[1].Text, StringComparison.Ordinal);
        if (seeded.Count > 2)
        {
            Assert.Equal("assistant", seeded[2].Role);
            Assert.StartsWith(seeded[2].Text, VoiceAssets.ReplyText, StringComparison.Ordinal);
        }

        var resume = second.FindIndex(e => e.Type == "response.create");
        Assert.True(resume > second.FindLastIndex(e => e.Type == "conversation.item.create"));
        ProviderConversationTests.AssertAllClientEventsAreGa(h.Emulator);
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        // One connection lost, one reconnect.
        Assert.Single(events.Seen.OfType<ProviderError>());
        Assert.Equal(1, Assert.Single(events.Seen.OfType<ProviderReconnected>()).Attempt);
        Assert.Equal(2, h.Emulator.Connections.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Session_expiry_reconnects_with_the_conversation_so_far(bool serverLeavesSocketOpen)
    {
        // Planning off: this is the unplanned path (the expiry error itself), whether or not the server closes after it.
        // The session limit runs on a fake clock: the test moves it past the expiry instead of waiting 5 s.
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(
            e =>
            {
                e.SessionExpiresAfter = TimeSpan.FromSeconds(5);
                e.SessionExpiredLeavesSocketOpen = serverLeavesSocketOpen;
            },
            o => o.SessionRolloverMarginMs = 0,
            time);
        await using var session = h.CreateSession(AudioFormat.Slin24);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudioDone>();
        await events.SeenOrNextAsync<ProviderUsage>(); // the greeting is over: nothing to resume after the expiry

        time.Advance(TimeSpan.FromSeconds(5));
        var expired = await events.NextAsync<ProviderError>();
        Assert.Equal(ProviderErrorKind.SessionExpired, expired.Kind);
        Assert.Equal("session_expired", expired.Code);
        Assert.False(expired.Fatal);
        await events.NextAsync<ProviderReconnected>();

        var item = await h.Emulator.WaitForClientEventAsync(e => e.Connection == 2 && e.Type == "conversation.item.create", Waits.Long);
        Assert.Equal(("assistant", "output_text", VoiceAssets.GreetingText), Text(item));

        // The call goes on over the new connection.
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await events.NextAsync<UserSpeechStarted>();
        await events.NextAsync<ProviderUsage>(u => u.Status == "completed");
        time.Advance(TestClock.PastPlayout); // the answer has played: its final transcript is released
        var final = await events.NextAsync<AgentTranscript>(t => t.IsFinal && t.Text == VoiceAssets.ReplyText);
        Assert.DoesNotContain(h.Emulator.ReceivedEvents, e => e.Connection == 2 && e.Type == "response.create");
        Assert.Contains(h.Emulator.ReceivedEvents, e => e.Connection == 2 && e.Type == "input_audio_buffer.append");
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        // One connection lost (the expiry), one reconnect after it, no planned rollover.
        Assert.Equal(expired, Assert.Single(events.Seen.OfType<ProviderError>()));
        Assert.Equal(1, Assert.Single(events.Seen.OfType<ProviderReconnected>()).Attempt);
    }

    [Fact]
    public async Task After_a_barge_in_only_the_heard_part_of_the_answer_is_reseeded()
    {
        // A 5 s session on a fake clock: the planned rollover (from half its life) moves the call to a new session.
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(e => e.SessionExpiresAfter = TimeSpan.FromSeconds(5), time: time);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        var greeting = await events.NextAsync<AgentAudioDone>();
        await events.SeenOrNextAsync<ProviderUsage>();

        // The caller heard 1 s of the 3.15 s greeting.
        await session.NotifyPlayoutInterruptedAsync(greeting.UtteranceId, 1_000, CancellationToken.None);
        await h.Emulator.WaitForServerEventAsync(s => s.Type == "conversation.item.truncated", Waits.Long);
        await Waits.UntilAsync(() => h.Logs.WithEventId(ProtocolAuditTests.RolloverPlannedLog).Count == 1, what: "rollover planned");
        time.Advance(TimeSpan.FromSeconds(3)); // past half the session's life, before its expiry
        Assert.Equal(0, (await events.NextAsync<ProviderReconnected>()).Attempt);

        var item = await h.Emulator.WaitForClientEventAsync(e => e.Connection == 2 && e.Type == "conversation.item.create", Waits.Long);
        var (role, type, text) = Text(item);
        Assert.Equal(("assistant", "output_text"), (role, type));
        Assert.EndsWith("…", text, StringComparison.Ordinal);
        var heard = text.TrimEnd('…');
        Assert.StartsWith(heard, VoiceAssets.GreetingText, StringComparison.Ordinal);
        Assert.InRange(heard.Length, 5, VoiceAssets.GreetingText.Length / 2);
    }

    [Fact]
    public async Task When_reconnects_keep_failing_the_call_is_hung_up()
    {
        await using var h = await Harness.StartAsync(
            e => e.DisconnectDuringResponse = 1,
            o =>
            {
                o.Greeting = string.Empty;
                o.MaxReconnectAttempts = 2;
            });
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        h.Emulator.Options.RefuseUpgrades = true;

        await session.SendDtmfAsync('9', CancellationToken.None);

        var lost = await events.NextAsync<ProviderError>();
        Assert.False(lost.Fatal);
        var fatal = await events.NextAsync<ProviderError>(e => e.Fatal);
        Assert.Equal(ProviderErrorKind.Disconnected, fatal.Kind);
        Assert.Equal("reconnect_failed", fatal.Code);
        await events.DrainAsync();
        Assert.True(Assert.Single(events.Seen.OfType<SessionEnded>()).HangUp);
        Assert.Equal(3, h.Emulator.Connections.Count);
    }

    [Fact]
    public async Task A_key_revoked_mid_call_hangs_up_on_reconnect()
    {
        await using var h = await Harness.StartAsync(e => e.DisconnectDuringResponse = 1, o => o.Greeting = string.Empty);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        h.Emulator.Options.ApiKey = "sk-rotated-" + Guid.NewGuid().ToString("N");

        await session.SendDtmfAsync('0', CancellationToken.None);

        var fatal = await events.NextAsync<ProviderError>(e => e.Fatal);
        Assert.Equal(ProviderErrorKind.Authentication, fatal.Kind);
        await events.DrainAsync();
        Assert.True(Assert.Single(events.Seen.OfType<SessionEnded>()).HangUp);
        Assert.DoesNotContain(events.Seen, e => e is ProviderReconnected);
        AssertKeyNeverLeaked(h, events, null);
    }

    [Fact]
    public async Task A_rejected_client_event_is_reported_with_its_event_id_and_the_session_goes_on()
    {
        await using var h = await Harness.StartAsync(e => e.RejectClientEventType = "conversation.item.create", o => o.Greeting = string.Empty);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);

        await session.SendDtmfAsync('5', CancellationToken.None);

        var error = await events.NextAsync<ProviderError>();
        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.False(error.Fatal);
        var rejected = await h.Emulator.WaitForClientEventAsync("conversation.item.create", Waits.Long);
        using var doc = rejected.Parse();
        var eventId = doc.RootElement.GetProperty("event_id").GetString();
        Assert.Contains($"conversation.item.create {eventId}", error.Message, StringComparison.Ordinal);
        var logged = Assert.Single(h.Logs.WithEventId(ProtocolAuditTests.ServerErrorLog));
        Assert.Equal((eventId, "conversation.item.create"), (logged.State["ClientEventId"], logged.State["ClientEventType"]));
        await events.NextAsync<AgentAudioDone>();
    }

    [Fact]
    public async Task The_key_never_appears_in_logs_or_events_of_a_whole_call()
    {
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(time: time);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudioDone>();
        await events.SeenOrNextAsync<ProviderUsage>();
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await events.NextAsync<ProviderUsage>(); // the answer's response.done
        time.Advance(TestClock.PastPlayout);
        await events.NextAsync<AgentTranscript>(t => t.IsFinal && t.Text == VoiceAssets.ReplyText);
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();

        Assert.Contains(h.Logs.Entries, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Debug);
        var started = Assert.Single(h.Logs.WithEventId(4100));
        Assert.Equal(("gpt-realtime", AudioFormat.Mulaw8), (started.State["Model"], started.State["InputFormat"]));
        AssertKeyNeverLeaked(h, events, null);
        Assert.DoesNotContain(h.Key, h.Options.BuildRealtimeUri().ToString(), StringComparison.Ordinal);
    }

    internal static void AssertKeyNeverLeaked(Harness h, EventReader events, Exception? ex)
    {
        var masked = "****" + h.Key[^4..];
        var everything = h.Logs.AllText() + "\n" + string.Join('\n', events.Seen.Select(e => e.ToString())) + "\n" + ex;
        Assert.NotEmpty(h.Logs.Entries);
        Assert.DoesNotContain(h.Key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(masked, everything, StringComparison.Ordinal);
    }

    private static (string Role, string Type, string Text) Text(ReceivedClientEvent e)
    {
        using var doc = JsonDocument.Parse(e.Json);
        var item = doc.RootElement.GetProperty("item");
        var part = item.GetProperty("content")[0];
        return (item.GetProperty("role").GetString()!, part.GetProperty("type").GetString()!, part.GetProperty("text").GetString()!);
    }
}
