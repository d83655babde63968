using System.Text.Json;
using AiAgent.Emulators.Deepgram;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Deepgram;
using AiAgent.Deepgram.Tests.Transport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary>Every fault has a defined outcome: bad key, server Error, dropped connection, idle timeout, service gone.</summary>
public sealed class ProviderFaultTests
{
    [Fact]
    public async Task Bad_key_is_a_fatal_authentication_error_that_hangs_up()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, clientKey: "dg-wrong-key-7f3a9c");

        var ex = await Assert.ThrowsAsync<DeepgramSessionException>(h.StartAsync);
        Assert.Equal(ProviderErrorKind.Authentication, ex.Kind);

        var error = await h.WaitForAsync<ProviderError>();
        Assert.Equal(ProviderErrorKind.Authentication, error.Kind);
        Assert.Equal("HTTP_401", error.Code);
        Assert.True(error.Fatal);
        var ended = await h.WaitForAsync<SessionEnded>();
        Assert.True(ended.HangUp);
        Assert.True(ended.Failed); // the call ends with the error disposition, not the agent's hangup
        await h.WaitForCompletionAsync();

        Assert.Equal(1, h.Emulator.RejectedAuthentications); // no retry with a rejected key
        Assert.Empty(h.Emulator.Sessions);
        AssertNoSecret(h, ex);
    }

    [Fact]
    public async Task Missing_key_is_an_authentication_error_naming_the_variable()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, setKey: false);

        var ex = await Assert.ThrowsAsync<DeepgramSessionException>(h.StartAsync);
        Assert.Equal(ProviderErrorKind.Authentication, ex.Kind);
        Assert.Contains(h.EnvVar, ex.Message, StringComparison.Ordinal);
        Assert.True((await h.WaitForAsync<SessionEnded>()).HangUp);
        Assert.Equal(0, h.Emulator.RejectedAuthentications);
        Assert.Empty(h.Emulator.Sessions);
    }

    [Fact]
    public async Task Server_error_reconnects_and_reseeds_the_conversation()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 },
            o => o.Greeting = "Hello from the first connection.");
        await h.StartAsync();
        await h.WaitForAsync<AgentAudioDone>();
        var first = h.Connection;

        await h.Emulator.InjectErrorAsync("INTERNAL_SERVER_ERROR", "Something broke.");

        var error = await h.WaitForAsync<ProviderError>();
        Assert.Equal(ProviderErrorKind.Server, error.Kind);
        Assert.Equal("INTERNAL_SERVER_ERROR", error.Code);
        Assert.True(error.Fatal);
        Assert.Contains(first.RequestId, error.Message, StringComparison.Ordinal); // request_id with every error (deepgram.md#client-obligations, item 5)
        Assert.Contains(h.Logs.WithEventId(5106), e => Equals(e.State["Code"], "INTERNAL_SERVER_ERROR") && Equals(e.State["RequestId"], first.RequestId));

        var reconnected = await h.WaitForAsync<ProviderReconnected>();
        Assert.Equal(1, reconnected.Attempt);
        Assert.Equal(2, h.Emulator.Sessions.Count);
        var second = h.Connection;
        using var settings = JsonDocument.Parse(second.SettingsJson!);
        var agent = settings.RootElement.GetProperty("agent");
        Assert.False(agent.TryGetProperty("greeting", out _), "no second greeting after a reconnect");
        var history = agent.GetProperty("context").GetProperty("messages").EnumerateArray().ToArray();
        var item = Assert.Single(history);
        Assert.Equal("History", item.GetProperty("type").GetString());
        Assert.Equal("assistant", item.GetProperty("role").GetString());
        Assert.Equal("Hello from the first connection.", item.GetProperty("content").GetString());

        // The call carries on over the new connection.
        var reconnectIndex = h.IndexOf(reconnected);
        await h.SendSpeechThenSilenceAsync();
        await h.WaitForAsync<AgentAudioDone>(skip: reconnectIndex);
        Assert.Equal(1, second.UserTurns);
        Assert.DoesNotContain(h.Events, e => e is SessionEnded);
    }

    [Fact]
    public async Task Dropped_connection_reconnects()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Mulaw8, new DeepgramEmulatorOptions { BurstFactor = 20 });
        await h.StartAsync();
        await h.WaitForAsync<AgentAudioDone>();

        h.Emulator.DropConnections();

        var error = await h.WaitForAsync<ProviderError>();
        Assert.Equal(ProviderErrorKind.Disconnected, error.Kind);
        Assert.True(error.Fatal);
        await h.WaitForAsync<ProviderReconnected>();
        Assert.Equal(2, h.Emulator.Sessions.Count);
        Assert.DoesNotContain(h.Events, e => e is SessionEnded);
        using var settings = JsonDocument.Parse(h.Connection.SettingsJson!);
        Assert.Equal("mulaw", settings.RootElement.GetProperty("audio").GetProperty("input").GetProperty("encoding").GetString());
    }

    [Fact]
    public async Task Idle_timeout_without_keepalives_is_reported_as_CLIENT_MESSAGE_TIMEOUT()
    {
        // The emulator times out after 1 s; the provider's clock is fake and never reaches its first KeepAlive.
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { IdleTimeout = TimeSpan.FromSeconds(1) },
            o => { o.KeepAliveSeconds = 8; o.Greeting = ""; o.MaxReconnectAttempts = 1; },
            time: new FakeTimeProvider());
        await h.StartAsync();

        var error = await h.WaitForAsync<ProviderError>();
        Assert.Equal("CLIENT_MESSAGE_TIMEOUT", error.Code);
        Assert.True(error.Fatal);
        Assert.Equal(["CLIENT_MESSAGE_TIMEOUT"], h.Emulator.Sessions[0].ErrorsSent);
        Assert.Equal(0, h.Emulator.Sessions[0].KeepAlives);
        // The call continues, so the session reconnects (at once: no time passes on the fake clock).
        await h.WaitForAsync<ProviderReconnected>();
    }

    [Fact]
    public async Task No_SettingsApplied_within_the_connect_timeout_fails_the_start()
    {
        var time = new FakeTimeProvider();
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { SettingsAppliedDelay = TimeSpan.FromMinutes(5) },
            o => { o.ConnectTimeoutMs = 3_000; o.MaxReconnectAttempts = 0; },
            time: time);
        var start = h.StartAsync();
        await h.Emulator.WaitUntilAsync(() => h.Emulator.Sessions.Count == 1, Waits.Long, "connected");

        var waited = await time.AdvanceUntilAsync(() => start.IsCompleted, TimeSpan.FromMilliseconds(250), "start failed");

        var failure = await Assert.ThrowsAsync<DeepgramSessionException>(() => start);
        Assert.Equal("CONNECT_TIMEOUT", failure.Code);
        Assert.Contains("no SettingsApplied within 3000 ms", failure.Message, StringComparison.Ordinal);
        Assert.InRange(waited, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3.25));
        Assert.True((await h.WaitForAsync<SessionEnded>()).HangUp);
        Assert.Equal("CONNECT_TIMEOUT", Assert.Single(h.Events.OfType<ProviderError>()).Code);
    }

    [Fact]
    public async Task Service_gone_ends_the_call_after_the_configured_attempts()
    {
        var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 },
            o => { o.MaxReconnectAttempts = 2; o.Greeting = ""; o.ConnectTimeoutMs = 2_000; }, proxied: true);
        await using (h)
        {
            await h.StartAsync();
            await h.WaitForAsync<SessionStarted>();

            // The service goes away: nothing listens any more, then the socket drops (the first reconnect is
            // immediate, so it must not find a server that is still shutting down).
            await h.Proxy!.GoneAsync();

            var ended = await h.WaitForAsync<SessionEnded>();
            Assert.True(ended.HangUp);
            var errors = h.Events.OfType<ProviderError>().ToArray();
            Assert.Equal(3, errors.Length); // the drop, then one per failed attempt
            Assert.Equal(ProviderErrorKind.Disconnected, errors[0].Kind);
            Assert.All(errors[1..], e => Assert.Equal("CONNECT_FAILED", e.Code));
            Assert.DoesNotContain(h.Events, e => e is ProviderReconnected);
            await h.WaitForCompletionAsync();
        }
    }

    [Fact]
    public async Task Invalid_settings_error_is_final()
    {
        // Retrying identical Settings cannot succeed: INVALID_SETTINGS ends the call instead of reconnecting.
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions(), o => o.Greeting = "");
        await h.StartAsync();
        await h.Emulator.InjectErrorAsync("INVALID_SETTINGS", "Injected refusal.");

        var ended = await h.WaitForAsync<SessionEnded>();
        Assert.True(ended.HangUp);
        var error = Assert.Single(h.Events.OfType<ProviderError>());
        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("INVALID_SETTINGS", error.Code);
        Assert.Single(h.Emulator.Sessions);
    }

    [Fact]
    public async Task Audio_not_in_the_declared_format_is_a_final_USER_AUDIO_FORMAT_error()
    {
        // A conversion bug upstream: PCM16 silence on a session that declared mulaw (docs/protocols/deepgram.md#client-obligations, item 3).
        await using var h = await Harness.CreateAsync(AudioFormat.Mulaw8, new DeepgramEmulatorOptions(), o => o.Greeting = "");
        await h.StartAsync();
        Assert.Equal(AudioEncoding.Mulaw, h.Session.Formats.Input.Encoding);

        await h.SendFramesAsync(new byte[AudioFormat.Mulaw8.BytesFor(TimeSpan.FromSeconds(2))]);

        var error = await h.WaitForAsync<ProviderError>();
        Assert.Equal("USER_AUDIO_FORMAT", error.Code);
        Assert.Equal(ProviderErrorKind.InvalidRequest, error.Kind);
        Assert.True((await h.WaitForAsync<SessionEnded>()).HangUp);
        Assert.Single(h.Emulator.Sessions);
    }

    [Fact]
    public async Task Correctly_declared_audio_is_not_mistaken_for_a_format_mismatch()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Mulaw8, new DeepgramEmulatorOptions { BurstFactor = 20 }, o => o.Greeting = "");
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();
        await h.WaitForAsync<AgentAudioDone>();
        Assert.Empty(h.Connection.ErrorsSent);
        Assert.DoesNotContain(h.Events, e => e is ProviderError);
    }

    [Fact]
    public async Task Unsolicited_and_unknown_server_messages_are_ignored_and_the_session_goes_on()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 }, o => o.Greeting = "");
        await h.StartAsync();
        await h.WaitForAsync<SessionStarted>();

        await h.Emulator.SendServerTextAsync("""{"type":"History","role":"user","content":"Hi there."}""");
        await h.Emulator.SendServerTextAsync("""{"type":"History","function_calls":[{"id":"f1","name":"x","client_side":true,"arguments":"{}","response":"ok"}]}""");
        await h.Emulator.SendServerTextAsync("""{"type":"LatencyReport","total_latency":0.9,"tts_latency":0.2,"ttt_latency":0.5}""");
        await h.Emulator.SendServerTextAsync("""{"type":"SomethingNew","content":{"nested":true},"message":7}""");
        await h.Emulator.SendServerTextAsync("not json at all");

        // Frames are handled in order: an answered function call after them proves the reader went on.
        var id = await h.Emulator.RequestFunctionCallAsync("book_appointment", """{"date":"2026-09-04"}""");
        await h.Emulator.WaitUntilAsync(() => h.Connection.FunctionCalls.Any(c => c.Id == id && c.ResponseJson is not null), Waits.Long, "FunctionCallResponse");
        Assert.DoesNotContain(h.Events, e => e is ProviderError);
        Assert.Single(h.Emulator.Sessions);
    }

    [Fact]
    public async Task An_error_with_a_field_of_unexpected_shape_still_ends_the_connection()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 }, o => o.Greeting = "");
        await h.StartAsync();
        await h.WaitForAsync<SessionStarted>();

        await h.Emulator.SendServerTextAsync("""{"type":"Error","code":"INTERNAL_SERVER_ERROR","description":"Broke.","content":{"unexpected":true}}""");

        var error = await h.WaitForAsync<ProviderError>();
        Assert.Equal("INTERNAL_SERVER_ERROR", error.Code);
        Assert.Equal(1, (await h.WaitForAsync<ProviderReconnected>()).Attempt);
    }

    [Fact]
    public async Task An_answer_cut_off_by_a_fault_is_closed_before_the_reconnect()
    {
        // Real-time pacing: the greeting is still arriving when the error comes.
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 1 });
        await h.StartAsync();
        var greeting = await h.WaitForAsync<AgentAudio>();

        await h.Emulator.InjectErrorAsync("INTERNAL_SERVER_ERROR", "Broke mid-answer.");
        await h.WaitForAsync<ProviderReconnected>();

        var events = h.Events.ToList();
        var closed = events.FindIndex(e => e is AgentAudioDone done && done.UtteranceId == greeting.UtteranceId);
        Assert.InRange(closed, 0, events.FindIndex(e => e is ProviderReconnected));
    }

    [Fact]
    public async Task Key_never_appears_in_logs_events_or_errors()
    {
        const string key = "dg-secret-8c1f2e77a9b04d3e";
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { ApiKey = key, BurstFactor = 20 },
            o => { o.KeepAliveSeconds = 8; o.MaxReconnectAttempts = 1; });
        await h.StartAsync();
        await h.WaitForAsync<AgentAudioDone>();
        await h.Emulator.InjectErrorAsync();
        await h.WaitForAsync<ProviderReconnected>();
        await h.Session.StopAsync(CancellationToken.None);
        await h.WaitForCompletionAsync();

        Assert.Equal(key, h.ApiKey);
        Assert.NotEmpty(h.Logs.Entries);
        AssertNoSecret(h, null);
    }

    private static void AssertNoSecret(Harness h, Exception? exception)
    {
        Assert.DoesNotContain(h.ApiKey, h.Logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain(h.Events, e => e.ToString().Contains(h.ApiKey, StringComparison.Ordinal));
        if (exception is not null)
        {
            Assert.DoesNotContain(h.ApiKey, exception.ToString(), StringComparison.Ordinal);
        }
    }
}
