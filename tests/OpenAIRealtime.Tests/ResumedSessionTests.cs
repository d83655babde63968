using System.Text.Json;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>
/// A call resumed on another silo after its own was lost: a fresh session whose first connection is seeded with the
/// persisted conversation as text items, never greets, and asks for the answer when the caller had the last word.
/// What the emulator received over the loopback WebSocket is the evidence.
/// </summary>
public sealed class ResumedSessionTests
{
    private const int ResumedLog = 4130;

    private static readonly TranscriptLine[] s_agentSpokeLast =
    [
        Line("agent", "Hello, this is the bank. How can I help?"),
        Line("caller", "I would like to know my balance."),
        Line("dtmf", "4"),
        Line("agent", "Your balance is twelve euros."),
    ];

    [Fact]
    public async Task The_first_connection_is_seeded_with_the_prior_conversation_in_order_and_never_greets()
    {
        await using var h = await Harness.StartAsync();
        await using var session = h.CreateSession(Resumed(s_agentSpokeLast));
        var events = new EventReader(session);

        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<SessionStarted>();
        var first = await ReceivedUpToAudioAsync(h, session, connection: 1);

        Assert.Equal("session.update", first[0].Type);
        var seeded = first.Where(e => e.Type == "conversation.item.create").Select(Item).ToList();
        Assert.Equal(
            [
                ("assistant", "output_text", "Hello, this is the bank. How can I help?"),
                ("user", "input_text", "I would like to know my balance."),
                ("user", "input_text", "The caller pressed the phone key '4'."),
                ("assistant", "output_text", "Your balance is twelve euros."),
            ],
            seeded);
        // Every item goes in before the caller's audio, and the agent (who spoke last) is not asked to speak again.
        Assert.True(first.FindLastIndex(e => e.Type == "conversation.item.create") < first.FindIndex(e => e.Type == "input_audio_buffer.append"));
        Assert.DoesNotContain(first, e => e.Type == "response.create");
        Assert.DoesNotContain(h.Emulator.SentEvents, e => e.Type == "response.created");
        var logged = Assert.Single(h.Logs.WithEventId(ResumedLog));
        Assert.Equal(4, logged.State["Items"]);
        Assert.Equal(false, logged.State["AnswerAsked"]);
        ProviderConversationTests.AssertAllClientEventsAreGa(h.Emulator);
    }

    [Theory]
    [InlineData("caller", "And my savings account?", "And my savings account?")]
    [InlineData("dtmf", "2", "The caller pressed the phone key '2'.")]
    public async Task When_the_caller_had_the_last_word_the_answer_is_asked_for_once_seeded(string role, string text, string seededText)
    {
        await using var h = await Harness.StartAsync();
        await using var session = h.CreateSession(Resumed([.. s_agentSpokeLast, Line(role, text)]));
        var events = new EventReader(session);

        await session.StartAsync(CancellationToken.None);
        var answer = await events.NextAsync<AgentAudio>();
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == answer.UtteranceId);

        var first = h.Emulator.ReceivedEvents.Where(e => e.Connection == 1).ToList();
        var seeded = first.Where(e => e.Type == "conversation.item.create").Select(Item).ToList();
        Assert.Equal(5, seeded.Count);
        Assert.Equal(("user", "input_text", seededText), seeded[^1]);
        // One response.create, after the last seeded item, asking for a plain answer (not the greeting's instructions).
        var create = Assert.Single(first, e => e.Type == "response.create");
        Assert.True(first.IndexOf(create) > first.FindLastIndex(e => e.Type == "conversation.item.create"));
        using var json = create.Parse();
        Assert.False(json.RootElement.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.Object && response.TryGetProperty("instructions", out _),
            "the owed answer is not the greeting: " + create.Json);
        Assert.Equal(1, h.Emulator.SentEvents.Count(e => e.Type == "response.created"));
        Assert.Equal(true, Assert.Single(h.Logs.WithEventId(ResumedLog)).State["AnswerAsked"]);
        ProviderConversationTests.AssertAllClientEventsAreGa(h.Emulator);
    }

    [Fact]
    public async Task A_call_resumed_without_history_is_neither_seeded_nor_greeted()
    {
        await using var h = await Harness.StartAsync();
        await using var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin24) { ResumedWithoutHistory = true });
        var events = new EventReader(session);

        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<SessionStarted>();
        var first = await ReceivedUpToAudioAsync(h, session, connection: 1);

        Assert.DoesNotContain(first, e => e.Type is "conversation.item.create" or "response.create");
        Assert.DoesNotContain(h.Emulator.SentEvents, e => e.Type == "response.created");
    }

    [Fact]
    public async Task A_reconnect_after_resuming_reseeds_the_prior_conversation_and_the_turns_since()
    {
        // Response 1 (the answer to a key pressed after resuming) loses its connection after 2 deltas.
        await using var h = await Harness.StartAsync(e =>
        {
            e.DisconnectDuringResponse = 1;
            e.DisconnectAfterDeltas = 2;
        });
        await using var session = h.CreateSession(Resumed(s_agentSpokeLast));
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);

        await session.SendDtmfAsync('9', CancellationToken.None);
        var cut = await events.NextAsync<AgentAudio>();
        Assert.Equal(ProviderErrorKind.Disconnected, (await events.NextAsync<ProviderError>()).Kind);
        Assert.Equal(1, (await events.NextAsync<ProviderReconnected>()).Attempt);
        var answer = await events.NextAsync<AgentAudio>(a => a.UtteranceId != cut.UtteranceId);
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == answer.UtteranceId);

        var second = h.Emulator.ReceivedEvents.Where(e => e.Connection == 2).ToList();
        var seeded = second.Where(e => e.Type == "conversation.item.create").Select(Item).ToList();
        Assert.True(seeded.Count >= 5, string.Join(" | ", seeded));
        Assert.Equal(
            [
                ("assistant", "output_text", "Hello, this is the bank. How can I help?"),
                ("user", "input_text", "I would like to know my balance."),
                ("user", "input_text", "The caller pressed the phone key '4'."),
                ("assistant", "output_text", "Your balance is twelve euros."),
                ("user", "input_text", "The caller pressed the phone key '9'."),
            ],
            seeded.Take(5));
        // The cut answer is asked for again, once, after the re-seed; never the greeting.
        var create = Assert.Single(second, e => e.Type == "response.create");
        Assert.True(second.IndexOf(create) > second.FindLastIndex(e => e.Type == "conversation.item.create"));
        Assert.DoesNotContain("instructions", create.Json, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Emulator.ReceivedEvents, e => e.Connection == 1 && e.Type == "response.create" && e.Json.Contains("instructions", StringComparison.Ordinal));
        ProviderConversationTests.AssertAllClientEventsAreGa(h.Emulator);
    }

    private static TranscriptLine Line(string role, string text) => new(DateTime.UtcNow, role, text);

    private static AgentSessionContext Resumed(IReadOnlyList<TranscriptLine> prior) =>
        new(Guid.NewGuid(), AudioFormat.Slin24) { PriorConversation = prior };

    /// <summary>
    /// Sends 20 ms of silence and waits until the emulator has it: one socket keeps order, so everything the session
    /// sent while configuring (seed, greeting or answer request) has been received by then.
    /// </summary>
    private static async Task<List<ReceivedClientEvent>> ReceivedUpToAudioAsync(Harness h, IAgentSession session, int connection)
    {
        await session.SendAudioAsync(new byte[session.Formats.Input.BytesFor(TimeSpan.FromMilliseconds(20))], CancellationToken.None);
        await h.Emulator.WaitForClientEventAsync(e => e.Connection == connection && e.Type == "input_audio_buffer.append", Waits.Long);
        return h.Emulator.ReceivedEvents.Where(e => e.Connection == connection).ToList();
    }

    private static (string Role, string Type, string Text) Item(ReceivedClientEvent e)
    {
        using var doc = e.Parse();
        var item = doc.RootElement.GetProperty("item");
        var part = item.GetProperty("content")[0];
        return (item.GetProperty("role").GetString()!, part.GetProperty("type").GetString()!, part.GetProperty("text").GetString()!);
    }
}
