using AiAgent.Grains.Audio;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Tests.Support;

namespace AiAgent.Grains.Tests.Parts;

public sealed class BargeInHandlerTests : IDisposable
{
    private readonly CallPartsHarness _h = new();
    private readonly RecordingOutput _stream = new();
    private readonly PlayoutTracker _playout = new();
    private readonly FakeAgentSession _session = new();
    private readonly TestOptionsMonitor<AgentOptions> _options = new(new AgentOptions { BargeIn = { Enabled = true, GreetingProtectionMs = 1500, EchoGuardMs = 300 } });
    private readonly AgentOutputPublisher _publisher;
    private readonly AgentAudioPath _agentAudio;
    private readonly BargeInHandler _handler;

    public BargeInHandlerTests()
    {
        _publisher = new AgentOutputPublisher(_stream, 1, _h.Call);
        _agentAudio = new AgentAudioPath(AudioConverter.Create(AudioFormat.Slin8, AudioFormat.Slin8), new AudioFramer(AudioFormat.Slin8, TimeSpan.FromMilliseconds(20)), _playout, _publisher, _h.Call);
        _handler = new BargeInHandler(_playout, _agentAudio, _session, _options, _h.Call);
    }

    public void Dispose() => _h.Dispose();

    private async Task<IReadOnlyList<AgentStreamEvent>> PublishedAsync()
    {
        _publisher.Complete();
        await _publisher.DrainAsync(Waits.Long);
        return _stream.Events;
    }

    /// <summary>The caller finished a turn; the answer's audio arrived and started playing <paramref name="playedFor"/> ago.</summary>
    private void AnswerPlaying(int utteranceId, TimeSpan playedFor)
    {
        _playout.OnCallerTurnEnded();
        _agentAudio.Write(utteranceId, new byte[3200], _h.Now);
        _playout.OnPlayoutReport(new PlayoutReport(utteranceId, PlayoutEvent.Started, 0, _h.Now - playedFor, TimeSpan.Zero));
    }

    [Fact]
    public async Task Speech_over_an_answer_flushes_it_and_cancels_the_rest_of_it()
    {
        using var bargeIns = _h.Collect<long>("ai_agent_barge_ins");
        AnswerPlaying(4, TimeSpan.FromSeconds(2));

        await _handler.OnCallerSpeechStartedAsync(_h.Now, CancellationToken.None);

        Assert.Equal(1, _handler.BargeIns);
        Assert.Equal(1, _session.CancelRequests);
        Assert.True(_playout.TryGet(4, out var answer) && answer.Interrupted);
        Assert.Equal(4, Assert.IsType<FlushPlayout>((await PublishedAsync())[^1]).UtteranceId);
        Assert.Equal(1, bargeIns.LastMeasurement?.Value);
        var log = Assert.Single(_h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 2008);
        Assert.Equal("4", log.GetStructuredStateValue("UtteranceId"));
    }

    [Fact]
    public async Task Speech_early_in_the_greeting_is_counted_as_suppressed_and_changes_nothing()
    {
        using var suppressed = _h.Collect<long>("ai_agent_barge_ins_suppressed");
        _agentAudio.Write(1, new byte[3200], _h.Now);
        _playout.OnPlayoutReport(new PlayoutReport(1, PlayoutEvent.Started, 0, _h.Now, TimeSpan.Zero));

        await _handler.OnCallerSpeechStartedAsync(_h.Now.AddMilliseconds(500), CancellationToken.None);

        Assert.Equal(0, _handler.BargeIns);
        Assert.Equal(0, _session.CancelRequests);
        Assert.DoesNotContain(await PublishedAsync(), e => e is FlushPlayout);
        Assert.Equal(BargeInPolicy.GreetingProtection, suppressed.LastMeasurement?.Tags["reason"]);
        var log = Assert.Single(_h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 2009);
        Assert.Equal(BargeInPolicy.GreetingProtection, log.GetStructuredStateValue("Reason"));
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 0)]
    public async Task Speech_while_the_agent_is_silent_cancels_an_answer_in_progress(bool answerInProgress, int bargeIns)
    {
        using var counted = _h.Collect<long>("ai_agent_barge_ins");
        _playout.OnCallerTurnEnded();
        _session.AnswerInProgress = answerInProgress;

        await _handler.OnCallerSpeechStartedAsync(_h.Now, CancellationToken.None);

        Assert.Equal(1, _session.CancelRequests);
        Assert.Equal(bargeIns, _handler.BargeIns);
        Assert.Equal(bargeIns, counted.GetMeasurementSnapshot().Count);
        Assert.Equal(bargeIns, _h.EventIds().Count(id => id == 2017));
        Assert.Empty(await PublishedAsync());
    }

    [Fact]
    public async Task Speech_before_the_greeting_is_heard_asks_nothing_of_the_provider()
    {
        await _handler.OnCallerSpeechStartedAsync(_h.Now, CancellationToken.None);

        Assert.Equal(0, _session.CancelRequests);
        Assert.Empty(_h.EventIds());
    }

    [Fact]
    public async Task A_failed_cancel_is_logged_and_no_barge_in_counted()
    {
        _playout.OnCallerTurnEnded();
        _session.Failure = new InvalidOperationException("socket closed");

        await _handler.OnCallerSpeechStartedAsync(_h.Now, CancellationToken.None);

        Assert.Equal(0, _handler.BargeIns);
        var log = Assert.Single(_h.Logger.Collector.GetSnapshot());
        Assert.Equal(2013, log.Id.Id);
        Assert.Equal("cancel response", log.GetStructuredStateValue("Operation"));
    }

    [Fact]
    public async Task A_reload_that_disables_barge_in_applies_to_the_next_speech()
    {
        AnswerPlaying(4, TimeSpan.FromSeconds(2));
        _options.CurrentValue = new AgentOptions { BargeIn = { Enabled = false } };

        await _handler.OnCallerSpeechStartedAsync(_h.Now, CancellationToken.None);

        Assert.Equal(0, _handler.BargeIns);
        Assert.Equal(BargeInPolicy.Disabled, Assert.Single(_h.Logger.Collector.GetSnapshot()).GetStructuredStateValue("Reason"));
    }
}
