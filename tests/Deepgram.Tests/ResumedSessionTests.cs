using System.Text.Json;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.Deepgram;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary>
/// A call resumed on another silo after its own was lost: the fresh session's first <c>Settings</c> carries the
/// persisted conversation in <c>agent.context.messages</c> and no greeting, and later connections keep it. What the
/// emulator received over the loopback WebSocket is the evidence.
/// </summary>
public sealed class ResumedSessionTests
{
    private const string Greeting = "Hello, this greeting must not be spoken twice.";
    private const int ResumedLog = 5130;

    private static readonly TranscriptLine[] s_prior =
    [
        Line("agent", "Hello, this is the bank. How can I help?"),
        Line("caller", "I would like to know my balance."),
        Line("dtmf", "4"),
        Line("agent", "Your balance is twelve euros."),
    ];

    private static readonly (string Role, string Content)[] s_priorSeeded =
    [
        ("assistant", "Hello, this is the bank. How can I help?"),
        ("user", "I would like to know my balance."),
        ("user", "The caller pressed the telephone key 4."),
        ("assistant", "Your balance is twelve euros."),
    ];

    [Fact]
    public async Task The_first_Settings_carries_the_prior_conversation_and_no_greeting()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin16, new DeepgramEmulatorOptions { BurstFactor = 20 },
            o => o.Greeting = Greeting, context: c => c with { PriorConversation = s_prior });
        await h.StartAsync();
        await h.WaitForAsync<SessionStarted>();

        var first = h.Connection;
        using (var settings = JsonDocument.Parse(first.SettingsJson!))
        {
            var agent = settings.RootElement.GetProperty("agent");
            Assert.False(agent.TryGetProperty("greeting", out _), "a resumed call is not greeted again");
            Assert.Equal(s_priorSeeded, Messages(agent));
        }

        Assert.Equal(4, Assert.Single(h.Logs.WithEventId(ResumedLog)).State["HistoryItems"]);

        // The first thing the agent says is its answer to the caller's next turn, not a greeting.
        await h.SendSpeechThenSilenceAsync();
        var answer = await h.WaitForAsync<AgentTranscript>(t => t.IsFinal);
        Assert.Equal(VoiceAssets.ReplyText, answer.Text);
        await h.WaitForAsync<AgentAudioDone>();
        Assert.Equal(1, first.UserTurns);
        Assert.Equal(1, first.AgentTurnsCompleted);
        Assert.DoesNotContain(h.Events, e => e is AgentTranscript t && t.Text == Greeting);
        Assert.Empty(first.ErrorsSent);
        Assert.Single(h.Emulator.Sessions);
    }

    [Fact]
    public async Task A_reconnect_after_resuming_reseeds_the_prior_conversation_and_the_turns_since()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions { BurstFactor = 20 },
            o => o.Greeting = Greeting, context: c => c with { PriorConversation = s_prior });
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();
        var answer = await h.WaitForAsync<AgentTranscript>(t => t.IsFinal && t.Text == VoiceAssets.ReplyText);
        var said = await h.WaitForAsync<UserTranscript>(t => t.IsFinal);
        await h.WaitForAsync<AgentAudioDone>();

        await h.Emulator.InjectErrorAsync("INTERNAL_SERVER_ERROR", "Something broke.");
        await h.WaitForAsync<ProviderReconnected>();

        Assert.Equal(2, h.Emulator.Sessions.Count);
        using var settings = JsonDocument.Parse(h.Connection.SettingsJson!);
        var agent = settings.RootElement.GetProperty("agent");
        Assert.False(agent.TryGetProperty("greeting", out _));
        Assert.Equal([.. s_priorSeeded, ("user", said.Text), ("assistant", answer.Text)], Messages(agent));
    }

    [Fact]
    public async Task A_call_resumed_without_history_is_neither_seeded_nor_greeted()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin16, new DeepgramEmulatorOptions { BurstFactor = 20 },
            o => o.Greeting = Greeting, context: c => c with { ResumedWithoutHistory = true });
        await h.StartAsync();
        await h.WaitForAsync<SessionStarted>();

        using var settings = JsonDocument.Parse(h.Connection.SettingsJson!);
        var agent = settings.RootElement.GetProperty("agent");
        Assert.False(agent.TryGetProperty("greeting", out _));
        Assert.False(agent.TryGetProperty("context", out _));
    }

    private static TranscriptLine Line(string role, string text) => new(DateTime.UtcNow, role, text);

    private static (string Role, string Content)[] Messages(JsonElement agent) =>
        [.. agent.GetProperty("context").GetProperty("messages").EnumerateArray().Select(m =>
        {
            Assert.Equal("History", m.GetProperty("type").GetString());
            return (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!);
        })];
}
