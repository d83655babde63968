using System.Runtime.InteropServices;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Local;
using AiAgent.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiAgent.Grains.Tests;

/// <summary>The local provider's session for a call resumed on another silo: no second greeting, the echo goes on.</summary>
public sealed class LocalResumedSessionTests
{
    [Fact]
    public async Task A_new_call_is_greeted_with_audio()
    {
        var events = await RunAsync(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8), callerTurn: false);

        Assert.IsType<SessionStarted>(events[0]);
        Assert.Contains(events, e => e is AgentTranscript { Text: LocalGreeting.Text });
        Assert.True(events.OfType<AgentAudio>().Sum(a => a.Audio.Length) > 16_000, "the greeting is seconds of audio");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_resumed_call_gets_no_greeting_audio_and_its_next_turn_is_echoed(bool withHistory)
    {
        var context = new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) with
        {
            PriorConversation = withHistory ? [new TranscriptLine(DateTime.UtcNow, "agent", LocalGreeting.Text)] : [],
            ResumedWithoutHistory = !withHistory,
        };

        var silent = await RunAsync(context, callerTurn: false);
        Assert.IsType<SessionStarted>(Assert.Single(silent, e => e is not SessionEnded));

        // The call goes on: the caller's next turn is played back, and that is the only agent audio.
        var events = await RunAsync(context, callerTurn: true);
        var echo = events.OfType<AgentAudio>().ToList();
        Assert.NotEmpty(echo);
        Assert.All(echo, a => Assert.Equal(echo[0].UtteranceId, a.UtteranceId));
        Assert.InRange(echo.Sum(a => a.Audio.Length) / 16_000.0, 1.0, 2.0);
        Assert.DoesNotContain(events, e => e is AgentTranscript { Text: LocalGreeting.Text });
    }

    [Theory]
    [InlineData(5.0, 5.0)] // many echo chunks long: the whole turn comes back
    [InlineData(9.0, 6.0)] // past max_turn_ms: the turn ends there, as before
    public async Task A_long_turn_is_echoed_whole_up_to_max_turn_ms(double speechSeconds, double echoedSeconds)
    {
        var events = await RunAsync(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8), callerTurn: true, speechSeconds, maxTurnMs: 6_000);

        // The utterance after the greeting: the first turn's echo (with its pre-roll and the silence that ended it).
        var echo = events.OfType<AgentAudio>().GroupBy(static a => a.UtteranceId).Skip(1).First();
        Assert.InRange(echo.Sum(static a => a.Audio.Length) / 16_000.0, echoedSeconds, echoedSeconds + 1.0);
    }

    /// <summary>Starts a session, optionally plays one caller turn (a tone, 0.8 s silence), stops it: every event it emitted.</summary>
    private static async Task<List<ProviderEvent>> RunAsync(AgentSessionContext context, bool callerTurn, double speechSeconds = 1.0, int? maxTurnMs = null)
    {
        var options = new AgentOptions();
        if (maxTurnMs is { } max)
        {
            options.Providers.Local.MaxTurnMs = max;
        }

        var provider = new LocalAgentProvider(new TestOptionsMonitor<AgentOptions>(options), NullLoggerFactory.Instance);
        await using var session = provider.CreateSession(context);
        using var timeout = new CancellationTokenSource(Waits.Long);
        await session.StartAsync(timeout.Token);
        if (callerTurn)
        {
            await session.SendAudioAsync(Bytes([.. Signals.Tone(speechSeconds), .. Signals.Silence(0.8)]), timeout.Token);
        }

        await session.StopAsync(timeout.Token);
        var events = new List<ProviderEvent>();
        await foreach (var e in session.Events.ReadAllAsync(timeout.Token))
        {
            events.Add(e);
        }

        return events;
    }

    private static byte[] Bytes(short[] samples) => MemoryMarshal.AsBytes(samples.AsSpan()).ToArray();
}
