using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;
using AiAgent.Failover.Platform;
using AiAgent.Failover.Reporting;
using AiAgent.Failover.Scenarios;

namespace AiAgent.Failover.Calls;

/// <summary>Calls straight to the one gateway, as <c>AudioSocket()</c> without a loop: the call ends with its session.</summary>
internal sealed class DirectCalls : IFailoverCalls
{
    private readonly CallSettings[] _calls;
    private readonly TimeSpan _ramp;
    private readonly Dictionary<Guid, CallSummary> _results = [];
    private TimingStats? _lateness;

    public DirectCalls(PlatformNode gateway, int count, CallAudio audio, ConversationSettings conversation, TimeSpan ramp)
    {
        _calls = [.. Enumerable.Range(0, count).Select(_ => new CallSettings
        {
            Port = gateway.AudioSocketPort,
            CallId = Guid.NewGuid(),
            Audio = audio,
            LeadingSilence = TimeSpan.FromSeconds(0.5),
            Conversation = conversation,
        })];
        _ramp = ramp;
    }

    /// <inheritdoc />
    public IReadOnlyList<Guid> CallIds => [.. _calls.Select(static c => c.CallId)];

    /// <inheritdoc />
    public TimingStats CallerClockLateness => _lateness ?? throw new InvalidOperationException("the calls have not run");

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken hangUp)
    {
        var result = await AsteriskSimulator.RunAsync(_calls, _ramp, hangUp).ConfigureAwait(false);
        foreach (var call in result.Calls)
        {
            _results[Guid.Parse(call.Summary.CallId)] = call.Summary;
        }

        _lateness = result.Load.PacerLateness;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<Guid, PlatformNode>? CarriersNow() => null;

    /// <inheritdoc />
    public CallReport Report(Guid callId, FailoverEvent failoverEvent, string? silo, TranscriptCheck transcript) =>
        ReportBuilder.Call(_results[callId], failoverEvent, silo, transcript);
}
