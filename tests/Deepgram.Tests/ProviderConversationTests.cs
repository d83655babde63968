using System.Text.Json;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.Deepgram;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Deepgram;
using AiAgent.Deepgram.Tests.Transport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary>The provider against the emulator over loopback WebSockets: greeting, turns, barge-in, DTMF, tools, keep-alive.</summary>
public sealed class ProviderConversationTests
{
    [Theory]
    [InlineData("slin8")]
    [InlineData("slin16")]
    [InlineData("ulaw")]
    public async Task Greeting_arrives_in_the_declared_output_format(string call)
    {
        await using var h = await Harness.CreateAsync(SettingsShapeTests.CallFormat(call), new DeepgramEmulatorOptions { BurstFactor = 20 },
            o => o.Greeting = "Welcome to the test line.");
        await h.StartAsync();

        var started = await h.WaitForAsync<SessionStarted>();
        var done = await h.WaitForAsync<AgentAudioDone>();
        var connection = h.Connection;
        Assert.Equal(connection.RequestId, started.SessionId);
        Assert.Equal("Token", connection.AuthorizationScheme);

        // Settings first and exactly once (docs/protocols/deepgram.md#client-obligations, item 2), formats as declared.
        var messages = connection.Messages;
        Assert.Equal("Settings", messages[0].Type);
        Assert.Single(messages, m => m.Type == "Settings");
        using var settings = JsonDocument.Parse(connection.SettingsJson!);
        var output = settings.RootElement.GetProperty("audio").GetProperty("output");
        Assert.Equal(h.Session.Formats.Output.SampleRate, output.GetProperty("sample_rate").GetInt32());

        var transcript = await h.WaitForAsync<AgentTranscript>();
        Assert.Equal("Welcome to the test line.", transcript.Text);
        var latency = await h.WaitForAsync<ProviderLatency>();
        var audio = h.Events.OfType<AgentAudio>().ToArray();
        Assert.NotEmpty(audio);
        Assert.All(audio, a => Assert.Equal(h.Session.Formats.Output, a.Format));
        Assert.All(audio, a => Assert.Equal(latency.UtteranceId, a.UtteranceId));
        Assert.All(audio, a => Assert.Equal(0, a.Audio.Length % a.Format.BlockAlign));
        Assert.Equal(latency.UtteranceId, done.UtteranceId);
        Assert.Equal(connection.AgentAudioBytesSent, audio.Sum(a => (long)a.Audio.Length));
        Assert.True(h.IndexOf(latency) < h.IndexOf(audio[0]), "latency is reported before the utterance's audio");
        Assert.True(h.IndexOf(audio[^1]) < h.IndexOf(done));
    }

    [Theory]
    [InlineData("slin8", false)]
    [InlineData("slin16", true)]
    [InlineData("ulaw", true)]
    public async Task Agent_audio_reaches_the_grain_byte_exact_even_when_frames_split_samples(string call, bool oddChunks)
    {
        await using var h = await Harness.CreateAsync(SettingsShapeTests.CallFormat(call), new DeepgramEmulatorOptions { BurstFactor = 20, OddChunks = oddChunks });
        await h.StartAsync();
        var done = await h.WaitForAsync<AgentAudioDone>();

        var format = h.Session.Formats.Output;
        var expected = DeepgramEmulatorAudio.Encode("greeting", VoiceAssets.Greeting, DeepgramSettingsBuilder.EncodingName(format.Encoding), format.SampleRate);
        var chunks = h.Events.OfType<AgentAudio>().Where(a => a.UtteranceId == done.UtteranceId).ToArray();
        Assert.All(chunks, a => Assert.Equal(0, a.Audio.Length % format.BlockAlign));
        Assert.Equal(expected, chunks.SelectMany(a => a.Audio.ToArray()).ToArray());
    }

    [Fact]
    public async Task Caller_turn_gets_an_agent_answer()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 });
        await h.StartAsync();
        var greetingDone = await h.WaitForAsync<AgentAudioDone>();

        await h.SendSpeechThenSilenceAsync();

        var speechStarted = await h.WaitForAsync<UserSpeechStarted>();
        var speechStopped = await h.WaitForAsync<UserSpeechStopped>();
        var userText = await h.WaitForAsync<UserTranscript>();
        Assert.StartsWith("[caller speech", userText.Text);
        Assert.True(userText.IsFinal);
        var answer = await h.WaitForAsync<AgentTranscript>(t => t.Text == VoiceAssets.ReplyText);
        var done = await h.WaitForAsync<AgentAudioDone>(d => d.UtteranceId != greetingDone.UtteranceId);
        var latency = await h.WaitForAsync<ProviderLatency>(l => l.UtteranceId == done.UtteranceId);
        Assert.True(latency.Think > TimeSpan.Zero);
        Assert.True(latency.Total >= latency.Think);

        Assert.True(h.IndexOf(speechStarted) < h.IndexOf(speechStopped));
        Assert.True(h.IndexOf(speechStopped) < h.IndexOf(userText));
        Assert.True(h.IndexOf(userText) < h.IndexOf(answer));
        Assert.Contains(h.Events, e => e is AgentAudio a && a.UtteranceId == done.UtteranceId);
        Assert.Equal(1, h.Connection.UserTurns);
    }

    [Fact]
    public async Task Barge_in_raises_speech_started_and_drops_stale_agent_audio()
    {
        // Real-time agent audio so the caller can talk over it; 300 ms of "in flight" frames after UserStartedSpeaking.
        await using var h = await Harness.CreateAsync(AudioFormat.Slin16,
            new DeepgramEmulatorOptions { BurstFactor = 1, StaleAudioAfterBargeInMs = 300 });
        await h.StartAsync();
        var firstAudio = await h.WaitForAsync<AgentAudio>();

        await h.SendSpeechThenSilenceAsync();

        var bargeIn = await h.WaitForAsync<UserSpeechStarted>();
        var interruptedDone = await h.WaitForAsync<AgentAudioDone>(d => d.UtteranceId == firstAudio.UtteranceId);
        // The answer to the caller's turn, on a new utterance; by then the stale frames were long received.
        var answerDone = await h.WaitForAsync<AgentAudioDone>(d => d.UtteranceId != firstAudio.UtteranceId);

        Assert.Equal(1, h.Connection.BargeIns);
        Assert.True(h.Connection.StaleAudioBytesSent > 0, "the emulator sent in-flight audio after UserStartedSpeaking");
        var events = h.Events;
        var after = events.Skip(h.IndexOf(bargeIn) + 1).ToArray();
        Assert.DoesNotContain(after, e => e is AgentAudio a && a.UtteranceId == firstAudio.UtteranceId);
        // Nothing at all is played between the barge-in and the next AgentStartedSpeaking (docs/protocols/deepgram.md#client-obligations, item 6).
        var answerLatency = await h.WaitForAsync<ProviderLatency>(l => l.UtteranceId == answerDone.UtteranceId);
        Assert.DoesNotContain(events.Skip(h.IndexOf(bargeIn) + 1).Take(h.IndexOf(answerLatency) - h.IndexOf(bargeIn) - 1), e => e is AgentAudio);
        Assert.Equal(answerDone.UtteranceId, answerLatency.UtteranceId);
        Assert.True(h.IndexOf(bargeIn) < h.IndexOf(interruptedDone), "the interrupted utterance is closed after the barge-in signal");
        Assert.Single(events, e => e is AgentAudioDone d && d.UtteranceId == firstAudio.UtteranceId);
        Assert.Contains(after, e => e is AgentAudio a && a.UtteranceId == answerDone.UtteranceId);

        // Deepgram has no truncate: reporting playout is accepted and sends nothing.
        var before = h.Connection.Messages.Count;
        await h.Session.NotifyPlayoutInterruptedAsync(firstAudio.UtteranceId, 420, CancellationToken.None);
        Assert.Equal(before, h.Connection.Messages.Count);
    }

    [Fact]
    public async Task Barge_in_without_AgentStartedSpeaking_still_plays_the_next_turn()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 1, StaleAudioAfterBargeInMs = 300, OmitAgentStartedSpeaking = true });
        await h.StartAsync();
        var firstAudio = await h.WaitForAsync<AgentAudio>();

        await h.SendSpeechThenSilenceAsync();

        var bargeIn = await h.WaitForAsync<UserSpeechStarted>();
        var answer = await h.WaitForAsync<AgentTranscript>(t => t.Text == VoiceAssets.ReplyText);
        var answerAudio = await h.WaitForAsync<AgentAudio>(a => a.UtteranceId != firstAudio.UtteranceId);
        await h.WaitForAsync<AgentAudioDone>(d => d.UtteranceId == answerAudio.UtteranceId);

        Assert.True(h.Connection.StaleAudioBytesSent > 0);
        var between = h.Events.Skip(h.IndexOf(bargeIn) + 1).Take(h.IndexOf(answer) - h.IndexOf(bargeIn) - 1);
        Assert.DoesNotContain(between, e => e is AgentAudio);
        Assert.True(h.IndexOf(answer) < h.IndexOf(answerAudio));
        Assert.DoesNotContain(h.Events, e => e is ProviderLatency);
    }

    [Fact]
    public async Task Dtmf_reaches_the_agent_as_InjectUserMessage()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 }, o => o.Greeting = "");
        await h.StartAsync();
        await h.WaitForAsync<SessionStarted>();

        await h.Session.SendDtmfAsync('x', CancellationToken.None); // not a key: logged, not sent
        await h.Session.SendDtmfAsync('5', CancellationToken.None);

        var answer = await h.WaitForAsync<AgentTranscript>();
        Assert.Equal(VoiceAssets.ReplyText, answer.Text);
        await h.WaitForAsync<UserTranscript>(t => t.Text.Contains('5', StringComparison.Ordinal));
        var injected = Assert.Single(h.Connection.Messages, m => m.Type == "InjectUserMessage");
        using var json = JsonDocument.Parse(injected.Json);
        Assert.Equal(["type", "content"], json.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Contains("5", json.RootElement.GetProperty("content").GetString(), StringComparison.Ordinal);
        var dropped = Assert.Single(h.Logs.WithEventId(5117));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, dropped.Level);
    }

    [Fact]
    public async Task Client_side_function_calls_are_answered_and_server_side_ones_are_not()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 }, o => o.Greeting = "");
        await h.StartAsync();
        await h.WaitForAsync<SessionStarted>();

        var serverSide = await h.Emulator.RequestFunctionCallAsync("check_weather", """{"city":"Paris"}""", clientSide: false);
        var clientSide = await h.Emulator.RequestFunctionCallAsync("book_appointment", """{"date":"2026-09-04"}""", clientSide: true);
        await h.Emulator.WaitUntilAsync(() => h.Connection.FunctionCalls.Any(c => c.Id == clientSide && c.ResponseJson is not null), Waits.Long, "FunctionCallResponse");

        var calls = h.Connection.FunctionCalls;
        Assert.Null(calls.Single(c => c.Id == serverSide).ResponseJson);
        using var response = JsonDocument.Parse(calls.Single(c => c.Id == clientSide).ResponseJson!);
        var root = response.RootElement;
        Assert.Equal("FunctionCallResponse", root.GetProperty("type").GetString());
        Assert.Equal(clientSide, root.GetProperty("id").GetString());
        Assert.Equal("book_appointment", root.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.String, root.GetProperty("content").ValueKind);
        using var content = JsonDocument.Parse(root.GetProperty("content").GetString()!);
        Assert.Contains("book_appointment", content.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Single(h.Connection.Messages, m => m.Type == "FunctionCallResponse");

        // The agent carries on after the answer.
        await h.WaitForAsync<AgentAudioDone>();
    }

    [Fact]
    public async Task KeepAlive_keeps_a_silent_session_past_the_idle_timeout()
    {
        // The emulator's idle window is real time (2 s, slack for a cold start); the provider's clock is fake and runs
        // ten times faster from the start, so a KeepAlive (every fake second without caller audio) comes every
        // ~100 ms of real time.
        var time = new FakeTimeProvider();
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20, IdleTimeout = TimeSpan.FromSeconds(2) },
            o => o.KeepAliveSeconds = 1,
            time: time);
        await h.StartAsync();

        // Five KeepAlives, the greeting played, and more than the idle window of real time without caller audio.
        var silence = System.Diagnostics.Stopwatch.StartNew();
        await time.AdvanceUntilAsync(
            () => h.Connection.KeepAlives >= 5 && silence.Elapsed >= TimeSpan.FromSeconds(2.5) && h.Events.Any(e => e is AgentAudioDone),
            TimeSpan.FromMilliseconds(200), "5 KeepAlives over 2.5 s");

        Assert.True(h.Emulator.Sessions.Count == 1, string.Join(" | ", h.Emulator.Sessions.Select(s => $"{s.KeepAlives} keep-alives, errors {string.Join(",", s.ErrorsSent)}")));
        Assert.True(h.Connection.IsOpen);
        Assert.Empty(h.Connection.ErrorsSent);
        Assert.DoesNotContain(h.Events, e => e is ProviderError or SessionEnded);
        var keepAlive = h.Connection.Messages.First(m => m.Type == "KeepAlive");
        Assert.Equal("""{"type":"KeepAlive"}""", keepAlive.Json);
    }

    [Fact]
    public async Task No_KeepAlive_while_caller_audio_flows()
    {
        var time = new FakeTimeProvider();
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20 }, o => { o.KeepAliveSeconds = 2; o.Greeting = ""; }, time: time);
        await h.StartAsync();
        await h.WaitForAsync<SessionStarted>();

        // Five seconds of silence frames paced by the (fake) clock, as Asterisk sends them; every 10 frames the
        // clock waits until the emulator has them, so the socket is never idle on the provider's clock.
        var frame = Harness.Silence(h.Session.Formats.Input, 20);
        for (var i = 1; i <= 250; i++)
        {
            await h.Session.SendAudioAsync(frame, CancellationToken.None);
            time.Advance(TimeSpan.FromMilliseconds(20));
            if (i % 10 == 0)
            {
                var expected = i * frame.Length;
                await h.Emulator.WaitUntilAsync(() => h.Connection.AudioBytesReceived >= expected, Waits.Long, $"{i} frames received");
            }
        }

        Assert.Equal(0, h.Connection.KeepAlives);
        Assert.True(h.Connection.IsOpen);
    }

    [Fact]
    public async Task Caller_audio_waits_for_SettingsApplied()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { SettingsAppliedDelay = TimeSpan.FromMilliseconds(600) }, o => o.Greeting = "");
        var frame = Harness.Silence(h.Session.Formats.Input, 20);
        var start = h.StartAsync();
        var sent = 0;
        while (!start.IsCompleted)
        {
            await h.Session.SendAudioAsync(frame, CancellationToken.None);
            sent++;
            await Task.Yield();
            if (sent % 25 == 0)
            {
                await Task.WhenAny(start, Task.Delay(20));
            }
        }

        await start;
        await h.Emulator.WaitUntilAsync(() => h.Connection.AudioBytesReceived > 0, Waits.Long, "held audio flushed");
        Assert.True(sent > 0);
        Assert.Equal(0, h.Connection.AudioBytesBeforeSettingsApplied);
        Assert.Empty(h.Connection.ErrorsSent);
        Assert.Equal("Settings", h.Connection.Messages[0].Type);
    }

    [Fact]
    public async Task Stop_closes_cleanly_without_hang_up()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 });
        await h.StartAsync();
        await h.WaitForAsync<AgentAudioDone>();

        await h.Session.StopAsync(CancellationToken.None);
        var ended = await h.WaitForAsync<SessionEnded>();
        await h.WaitForCompletionAsync();
        await h.Emulator.WaitUntilAsync(() => !h.Connection.IsOpen, Waits.Long, "connection closed");

        Assert.False(ended.HangUp);
        Assert.DoesNotContain(h.Events, e => e is ProviderError);
        Assert.Single(h.Emulator.Sessions);
    }
}
