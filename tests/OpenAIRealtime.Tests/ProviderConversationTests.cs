using System.Text.Json;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>The provider against the emulator over real loopback WebSockets: greeting, a turn, barge-in, DTMF.</summary>
public sealed class ProviderConversationTests
{
    // Event ids of OpenAIRealtimeLog the assertions below rely on.
    private const int SessionStartedLog = 4100;
    private const int TruncatedLog = 4110;
    private const int InvalidDtmfLog = 4121;
    public static TheoryData<string> CallFormats => ["slin8", "ulaw8", "alaw8", "slin16", "slin24", "slin48"];

    internal static AudioFormat Call(string name) => name switch
    {
        "slin8" => AudioFormat.Slin8,
        "ulaw8" => AudioFormat.Mulaw8,
        "alaw8" => AudioFormat.Alaw8,
        "slin16" => AudioFormat.Slin16,
        "slin24" => AudioFormat.Slin24,
        _ => AudioFormat.Slin48,
    };

    internal static void AssertAllClientEventsAreGa(OpenAIRealtimeEmulator emulator)
    {
        var received = emulator.ReceivedEvents;
        Assert.NotEmpty(received);
        foreach (var e in received)
        {
            var problems = GaClientEventChecker.Check(e.Json);
            Assert.True(problems.Count == 0, $"{e.Type}: {string.Join("; ", problems)}\n{(e.Json.Length > 400 ? e.Json[..400] : e.Json)}");
        }

        // The emulator rejects what the real API rejects: no error event may have been provoked.
        Assert.DoesNotContain(emulator.SentEvents, s => s.Type == "error");
        foreach (var c in emulator.Connections)
        {
            Assert.True(c.Authorized);
            Assert.False(c.BetaHeader);
            Assert.Equal("/v1/realtime", c.Path);
        }
    }

    [Theory]
    [MemberData(nameof(CallFormats))]
    public async Task Greeting_audio_arrives_in_the_declared_format(string callFormat)
    {
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(time: time);
        await using var session = h.CreateSession(Call(callFormat));
        var expected = Call(callFormat).SampleRate == 8_000
            ? (Call(callFormat).Encoding == AudioEncoding.Alaw ? AudioFormat.Alaw8 : AudioFormat.Mulaw8)
            : AudioFormat.Slin24;
        Assert.Equal(new ProviderAudioFormats(expected, expected), session.Formats);

        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<SessionStarted>();
        var done = await events.NextAsync<AgentAudioDone>();
        var audio = events.Seen.OfType<AgentAudio>().ToList();
        Assert.NotEmpty(audio);
        Assert.All(audio, a => Assert.Equal(expected, a.Format));
        Assert.All(audio, a => Assert.Equal(done.UtteranceId, a.UtteranceId));
        Assert.All(audio, a => Assert.Equal(0, a.Audio.Length % expected.BlockAlign));

        // Byte for byte what the emulator sent for the greeting in that format.
        var sent = RealtimeEmulatorAudio.FromPcm24k(VoiceAssets.Greeting, CallerAudio.ToEmulatorFormat(expected));
        Assert.Equal(sent, audio.SelectMany(a => a.Audio.ToArray()).ToArray());
        await events.SeenOrNextAsync<ProviderUsage>();
        time.Advance(TestClock.PastPlayout); // the greeting has played: its final line is released
        var transcript = await events.SeenOrNextAsync<AgentTranscript>(t => t.IsFinal);
        Assert.Equal(VoiceAssets.GreetingText, transcript.Text);

        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        var ended = Assert.Single(events.Seen.OfType<SessionEnded>());
        Assert.Equal(("stopped", false), (ended.Reason, ended.HangUp));
        var create = await h.Emulator.WaitForClientEventAsync("response.create", Waits.Long);
        using var doc = create.Parse();
        // A per-response instructions replaces the session's: the greeting carries the persona, then the request.
        Assert.Equal("You are a test agent.\n\nGreet the caller.", doc.RootElement.GetProperty("response").GetProperty("instructions").GetString());
        AssertAllClientEventsAreGa(h.Emulator);
        var started = Assert.Single(h.Logs.WithEventId(SessionStartedLog));
        Assert.Equal((expected, expected), (started.State["InputFormat"], started.State["OutputFormat"]));
    }

    [Theory]
    [InlineData("slin8")]
    [InlineData("slin24")]
    public async Task A_caller_turn_produces_speech_events_transcripts_and_an_answer(string callFormat)
    {
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(time: time);
        await using var session = h.CreateSession(Call(callFormat));
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        var greeting = await events.NextAsync<AgentAudioDone>();

        var chunks = await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));

        await events.NextAsync<UserSpeechStarted>();
        await events.NextAsync<UserSpeechStopped>();
        var partial = await events.NextAsync<UserTranscript>(t => !t.IsFinal);
        var final = await events.NextAsync<UserTranscript>(t => t.IsFinal);
        Assert.StartsWith("[caller speech ", final.Text, StringComparison.Ordinal);
        Assert.StartsWith(partial.Text, final.Text, StringComparison.Ordinal);
        var answer = await events.NextAsync<AgentAudio>();
        Assert.NotEqual(greeting.UtteranceId, answer.UtteranceId);
        var done = await events.NextAsync<AgentAudioDone>();
        Assert.Equal(answer.UtteranceId, done.UtteranceId);
        await events.NextAsync<ProviderUsage>(); // the answer's response.done
        time.Advance(TestClock.PastPlayout); // the answer has played: its final line is released
        var agentFinal = await events.SeenOrNextAsync<AgentTranscript>(t => t.IsFinal && t.Text != VoiceAssets.GreetingText);
        Assert.Equal(VoiceAssets.ReplyText, agentFinal.Text);
        var usage = await events.SeenOrNextAsync<ProviderUsage>(); // the answer's final line waits for its playout: usage may come first
        Assert.Equal(132, usage.InputTokens);
        Assert.Equal(64, usage.CachedInputTokens);

        // Only appends carried the audio: no commit (server VAD), and every event is GA.
        Assert.Contains(h.Emulator.ReceivedEvents, e => e.Type == "input_audio_buffer.append");
        Assert.DoesNotContain(h.Emulator.ReceivedEvents, e => e.Type == "input_audio_buffer.commit");
        AssertAllClientEventsAreGa(h.Emulator);
        // Every caller chunk became one append: none dropped.
        Assert.True(chunks > 100, $"{chunks} chunks");
        await Waits.UntilAsync(() => h.Emulator.ReceivedEvents.Count(e => e.Type == "input_audio_buffer.append") >= chunks, what: $"{chunks} appends");
        Assert.Equal(chunks, h.Emulator.ReceivedEvents.Count(e => e.Type == "input_audio_buffer.append"));
    }

    [Fact]
    public async Task Barge_in_cancels_the_response_and_truncates_at_the_played_milliseconds()
    {
        // Paced deltas keep the greeting in progress while the grain reports the barge-in.
        await using var h = await Harness.StartAsync(e => e.AudioChunkIntervalMs = 150);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudio>();
        var second = await events.NextAsync<AgentAudio>();

        await session.NotifyPlayoutInterruptedAsync(second.UtteranceId, 260, CancellationToken.None);

        var cancel = await h.Emulator.WaitForClientEventAsync("response.cancel", Waits.Long);
        var truncate = await h.Emulator.WaitForClientEventAsync("conversation.item.truncate", Waits.Long);
        var truncated = await h.Emulator.WaitForServerEventAsync(s => s.Type == "conversation.item.truncated", Waits.Long);
        var cancelled = await h.Emulator.WaitForServerEventAsync(s => s.Type == "response.done" && s.Json.Contains("\"cancelled\"", StringComparison.Ordinal), Waits.Long);
        var itemAdded = h.Emulator.SentEvents.First(s => s.Type == "response.output_item.added");
        using var item = JsonDocument.Parse(itemAdded.Json);
        var itemId = item.RootElement.GetProperty("item").GetProperty("id").GetString();
        using var t = truncate.Parse();
        Assert.Equal(itemId, t.RootElement.GetProperty("item_id").GetString());
        Assert.Equal(260, t.RootElement.GetProperty("audio_end_ms").GetInt64());
        Assert.Equal(0, t.RootElement.GetProperty("content_index").GetInt32());
        Assert.True(h.Emulator.ReceivedEvents.ToList().IndexOf(cancel) < h.Emulator.ReceivedEvents.ToList().IndexOf(truncate));
        Assert.Contains("\"client_cancelled\"", cancelled.Json, StringComparison.Ordinal);
        Assert.Contains("\"audio_end_ms\":260", truncated.Json, StringComparison.Ordinal);
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == second.UtteranceId);
        AssertAllClientEventsAreGa(h.Emulator);

        // After a clean stop every server event has been handled: the confirmation was seen, the answer ended cancelled.
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        Assert.Single(h.Emulator.ReceivedEvents, e => e.Type == "conversation.item.truncate");
        Assert.Equal(260L, Assert.Single(h.Logs.WithEventId(TruncatedLog)).State["AudioEndMs"]);
        Assert.Single(events.Seen.OfType<ProviderUsage>(), u => u.Status == "cancelled");
    }

    [Fact]
    public async Task Truncate_is_clamped_to_the_audio_actually_received()
    {
        await using var h = await Harness.StartAsync();
        await using var session = h.CreateSession(AudioFormat.Slin24);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        var done = await events.NextAsync<AgentAudioDone>();
        var receivedMs = AudioFormat.Slin24.MillisecondsOf(events.Seen.OfType<AgentAudio>().Sum(a => (long)a.Audio.Length));

        // The grain claims more than was ever sent (e.g. padding): audio_end_ms must not exceed the item's audio.
        await session.NotifyPlayoutInterruptedAsync(done.UtteranceId, receivedMs + 5_000, CancellationToken.None);

        var truncate = await h.Emulator.WaitForClientEventAsync("conversation.item.truncate", Waits.Long);
        using var t = truncate.Parse();
        Assert.Equal(receivedMs, t.RootElement.GetProperty("audio_end_ms").GetInt64());
        await h.Emulator.WaitForServerEventAsync(s => s.Type == "conversation.item.truncated", Waits.Long);
        // The response had finished: no cancel is sent (it would only draw response_cancel_not_active).
        Assert.DoesNotContain(h.Emulator.ReceivedEvents, e => e.Type == "response.cancel");
        AssertAllClientEventsAreGa(h.Emulator);
    }

    [Fact]
    public async Task Dtmf_reaches_the_model_as_a_user_text_item_and_gets_an_answer()
    {
        var time = TestClock.StartingNow();
        await using var h = await Harness.StartAsync(provider: o => o.Greeting = string.Empty, time: time);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<SessionStarted>();

        await session.SendDtmfAsync('7', CancellationToken.None);

        var create = await h.Emulator.WaitForClientEventAsync("conversation.item.create", Waits.Long);
        using (var doc = create.Parse())
        {
            var item = doc.RootElement.GetProperty("item");
            Assert.Equal("message", item.GetProperty("type").GetString());
            Assert.Equal("user", item.GetProperty("role").GetString());
            var part = item.GetProperty("content")[0];
            Assert.Equal("input_text", part.GetProperty("type").GetString());
            Assert.Contains("'7'", part.GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        await h.Emulator.WaitForClientEventAsync("response.create", Waits.Long);
        await events.NextAsync<AgentAudio>();
        await events.NextAsync<AgentAudioDone>();
        await events.SeenOrNextAsync<ProviderUsage>();
        time.Advance(TestClock.PastPlayout);
        var transcript = await events.SeenOrNextAsync<AgentTranscript>(t => t.IsFinal);
        Assert.Equal(VoiceAssets.ReplyText, transcript.Text);
        AssertAllClientEventsAreGa(h.Emulator);
    }

    [Theory]
    [InlineData('x')]
    [InlineData('E')]
    [InlineData(' ')]
    public async Task An_invalid_dtmf_digit_is_dropped_with_a_warning_and_the_call_goes_on(char digit)
    {
        await using var h = await Harness.StartAsync(provider: o => o.Greeting = string.Empty);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<SessionStarted>();

        await session.SendDtmfAsync(digit, CancellationToken.None);
        await session.SendDtmfAsync('4', CancellationToken.None);

        // Only the valid key reached the model and was answered.
        await events.NextAsync<AgentAudioDone>();
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        var item = Assert.Single(h.Emulator.ReceivedEvents, e => e.Type == "conversation.item.create");
        using (var doc = item.Parse())
        {
            Assert.Contains("'4'", doc.RootElement.GetProperty("item").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        Assert.Single(h.Emulator.ReceivedEvents, e => e.Type == "response.create");
        var warning = Assert.Single(h.Logs.WithEventId(InvalidDtmfLog));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
        Assert.DoesNotContain(events.Seen, e => e is ProviderError);
        Assert.False(Assert.Single(events.Seen.OfType<SessionEnded>()).HangUp);
    }

    [Fact]
    public async Task Dtmf_during_a_response_is_answered_after_it_without_an_api_error()
    {
        await using var h = await Harness.StartAsync(e => e.AudioChunkIntervalMs = 100);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        var greeting = await events.NextAsync<AgentAudio>();

        await session.SendDtmfAsync('#', CancellationToken.None);

        await h.Emulator.WaitForClientEventAsync("conversation.item.create", Waits.Long);
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == greeting.UtteranceId);
        var answer = await events.NextAsync<AgentAudio>(a => a.UtteranceId != greeting.UtteranceId);
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == answer.UtteranceId);
        var creates = h.Emulator.ReceivedEvents.Where(e => e.Type == "response.create").ToList();
        Assert.Equal(2, creates.Count);
        AssertAllClientEventsAreGa(h.Emulator);
    }

    [Fact]
    public async Task A_config_edit_applies_to_the_next_call()
    {
        await using var h = await Harness.StartAsync();
        await using (var first = h.CreateSession(AudioFormat.Slin8))
        {
            Assert.Equal(AudioFormat.Mulaw8, first.Formats.Output);
        }

        h.Options.OutputEncoding = "pcm16";
        h.Options.Voice = "cedar";
        await using var second = h.CreateSession(AudioFormat.Slin8);
        Assert.Equal(AudioFormat.Slin24, second.Formats.Output);
        Assert.Equal(AudioFormat.Mulaw8, second.Formats.Input);
        await second.StartAsync(CancellationToken.None);
        var update = await h.Emulator.WaitForClientEventAsync("session.update", Waits.Long);
        Assert.Contains("\"voice\":\"cedar\"", update.Json, StringComparison.Ordinal);
    }
}
