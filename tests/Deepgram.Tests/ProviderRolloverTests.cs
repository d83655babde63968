using System.Text.Json;
using AiAgent.Deepgram.Tests.Transport;
using AiAgent.Emulators.Deepgram;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Deepgram;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary>
/// The 2-hour session cap (docs/protocols/deepgram.md, "Limits and keepalive"; client obligation 12), scaled down
/// and on a fake clock: a planned rollover moves the call to a new connection before the cap; without it the
/// server's Error at the cap still ends in a reconnect.
/// </summary>
public sealed class ProviderRolloverTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task Session_rolls_over_before_the_cap_with_the_conversation_and_no_greeting()
    {
        // Cap 10 s; margin 6 s: planned from 5 s (half the session) at a quiet moment, forced at 8.75 s.
        var time = new FakeTimeProvider();
        var cap = TimeSpan.FromSeconds(10);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20 },
            o =>
            {
                o.Greeting = "Hello from the first connection.";
                o.MaxSessionLengthOverride = cap;
                o.SessionRolloverMarginMs = 6_000;
            },
            time: time);
        await h.StartAsync();
        await h.WaitForAsync<AgentAudioDone>();
        var first = h.Connection;

        // One caller turn on the first connection, so the re-seeded history holds both roles.
        await h.SendSpeechThenSilenceAsync();
        await h.WaitForAsync<AgentTranscript>(skip: h.IndexOf(await h.WaitForAsync<UserTranscript>()));
        await h.WaitForAsync<AgentAudioDone>(skip: h.IndexOf(await h.WaitForAsync<UserTranscript>()));

        var waited = await time.AdvanceUntilAsync(() => h.Emulator.Sessions.Count == 2, Step, "rollover connection");
        Assert.InRange(waited, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(8.75));
        var reconnected = await h.WaitForAsync<ProviderReconnected>();
        Assert.Equal(0, reconnected.Attempt); // 0 = planned rollover
        Assert.DoesNotContain(h.Events, e => e is ProviderError or SessionEnded);
        Assert.Equal(2, h.Emulator.Sessions.Count);
        var second = h.Connection;
        Assert.Contains(h.Logs.WithEventId(5121), e => Equals(e.State["Why"], "quiet moment"));

        // The old socket was closed by us, cleanly.
        await h.Emulator.WaitUntilAsync(() => !first.IsOpen, Waits.Long, "first connection closed");
        Assert.True(first.ClientClosed, "the client closed the old connection with a close frame");
        Assert.Empty(first.ErrorsSent);

        // The new connection carries the conversation so far, and no second greeting.
        using var settings = JsonDocument.Parse(second.SettingsJson!);
        var agent = settings.RootElement.GetProperty("agent");
        Assert.False(agent.TryGetProperty("greeting", out _), "no greeting on a rollover");
        var history = agent.GetProperty("context").GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString()))
            .ToArray();
        var expected = h.Events.TakeWhile(e => e is not ProviderReconnected)
            .Select(e => e switch
            {
                UserTranscript u => ("user", u.Text),
                AgentTranscript a => ("assistant", a.Text),
                _ => ((string?)null, (string?)null),
            })
            .Where(x => x.Item1 is not null)
            .ToArray();
        Assert.Equal(3, expected.Length); // greeting, caller, answer
        Assert.Equal("Hello from the first connection.", expected[0].Item2);
        Assert.Equal(expected, history);

        // Caller audio flows on over the new connection, and the agent answers there.
        var index = h.IndexOf(reconnected);
        await h.SendSpeechThenSilenceAsync();
        await h.WaitForAsync<AgentAudioDone>(skip: index);
        Assert.Equal(1, second.UserTurns);
        Assert.True(second.AudioBytesReceived > 0);
        Assert.Equal(0, second.AudioBytesBeforeSettingsApplied);
        Assert.DoesNotContain(h.Events, e => e is ProviderError or SessionEnded);
    }

    [Fact]
    public async Task Caller_mid_turn_forces_the_rollover_shortly_before_the_cap()
    {
        // Cap 12 s; margin 8 s: planned from 6 s, forced at 10.5 s. The caller starts speaking and never pauses
        // (the emulator's VAD counts samples), so no quiet moment comes.
        var time = new FakeTimeProvider();
        var cap = TimeSpan.FromSeconds(12);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20 },
            o =>
            {
                o.Greeting = "";
                o.MaxSessionLengthOverride = cap;
                o.SessionRolloverMarginMs = 8_000;
            },
            time: time);
        await h.StartAsync();
        var first = h.Connection;
        await h.SendFramesAsync(Harness.CallerSpeech(h.Session.Formats.Input));
        await h.WaitForAsync<UserSpeechStarted>();

        var waited = await time.AdvanceUntilAsync(() => h.Emulator.Sessions.Count == 2, Step, "rollover connection");
        Assert.InRange(waited, TimeSpan.FromSeconds(10.5), TimeSpan.FromSeconds(10.5) + Step);
        var reconnected = await h.WaitForAsync<ProviderReconnected>();
        Assert.Equal(0, reconnected.Attempt);
        Assert.Contains(h.Logs.WithEventId(5121), e => Equals(e.State["Why"], "forced before the cap"));
        // The cut turn is settled: the grain is not left waiting for the end of the caller's speech.
        Assert.Contains(h.Events.Take(h.IndexOf(reconnected)), e => e is UserSpeechStopped);
        await h.Emulator.WaitUntilAsync(() => !first.IsOpen, Waits.Long, "first connection closed");
        Assert.True(first.ClientClosed, "the client closed the old connection with a close frame");
        Assert.Empty(first.ErrorsSent);
        Assert.DoesNotContain(h.Events, e => e is ProviderError or SessionEnded);

        // The caller's next turn is heard on the new connection.
        await h.SendSpeechThenSilenceAsync();
        await h.WaitForAsync<AgentAudioDone>(skip: h.IndexOf(reconnected));
        Assert.Equal(1, h.Emulator.Sessions[1].UserTurns);
    }

    [Theory]
    [InlineData("SESSION_LIMIT_EXCEEDED", ProviderErrorKind.SessionExpired)]
    [InlineData("SOMETHING_NEW_AT_TWO_HOURS", ProviderErrorKind.Server)]
    public async Task Without_rollover_the_cap_ends_in_a_reconnect(string code, ProviderErrorKind kind)
    {
        // The server's Error at the cap (EmulatorProtocolTests covers the emulator's own cap) after the greeting.
        var time = new FakeTimeProvider();
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20 },
            o =>
            {
                o.Greeting = "Hello before the cap.";
                o.SessionRolloverMarginMs = 0;
            },
            time: time);
        await h.StartAsync();
        var first = h.Connection;
        await h.WaitForAsync<AgentTranscript>();
        time.Advance(TimeSpan.FromHours(2));
        await h.Emulator.InjectErrorAsync(code, "The maximum session duration has been reached.");

        var error = await h.WaitForAsync<ProviderError>();
        Assert.Equal(code, error.Code);
        Assert.Equal(kind, error.Kind);
        var reconnected = await h.WaitForAsync<ProviderReconnected>();
        Assert.Equal(1, reconnected.Attempt);
        Assert.Equal([code], first.ErrorsSent);

        var second = h.Emulator.Sessions[1];
        using var settings = JsonDocument.Parse(second.SettingsJson!);
        var agent = settings.RootElement.GetProperty("agent");
        Assert.False(agent.TryGetProperty("greeting", out _), "no second greeting after the cap");
        var item = Assert.Single(agent.GetProperty("context").GetProperty("messages").EnumerateArray());
        Assert.Equal("Hello before the cap.", item.GetProperty("content").GetString());
        Assert.DoesNotContain(h.Events, e => e is SessionEnded);
    }

    [Fact]
    public async Task An_error_without_a_code_at_the_cap_ends_in_a_reconnect()
    {
        // The cap's Error code is unknown (docs/protocols/deepgram.md): even an Error with no code at all must
        // reconnect, not end the call.
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 },
            o => o.SessionRolloverMarginMs = 0, time: new FakeTimeProvider());
        await h.StartAsync();
        await h.WaitForAsync<AgentAudioDone>();

        await h.Emulator.SendServerTextAsync("""{"type":"Error","description":"Session closed."}""");

        var error = await h.WaitForAsync<ProviderError>();
        Assert.Equal("UNKNOWN", error.Code);
        var reconnected = await h.WaitForAsync<ProviderReconnected>();
        Assert.Equal(1, reconnected.Attempt);
        Assert.DoesNotContain(h.Events, e => e is SessionEnded);
    }
}
