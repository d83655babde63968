using System.Collections.Concurrent;
using System.Globalization;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Dialplan;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;
using AiAgent.Failover.Platform;
using AiAgent.Failover.Reporting;
using AiAgent.Failover.Scenarios;

namespace AiAgent.Failover.Calls;

/// <summary>
/// Calls through the reconnect loop of docs/asterisk.md (<c>reconnect-loop</c>), run by CallSim's dialplan
/// interpreter as Asterisk would run it: the gateway address lists every gateway, each call's list rotated by its
/// index (a Service spreading connections over its ready endpoints), a connection going to the first that accepts; the
/// disposition URL lists every silo the same way. The caller talks in cycles in every session.
/// </summary>
internal sealed class LoopedCalls : IFailoverCalls
{
    /// <summary>The dialplan's names for the gateways' Service and the platform's HTTP address.</summary>
    private const string GatewayHost = "gateway-host";
    private const int GatewayServicePort = 8090;
    private const string PlatformHost = "platform-host";
    private const int PlatformServicePort = 8080;

    private readonly Dialplan _plan;
    private readonly FailoverCluster _cluster;
    private readonly CallAudio _audio;
    private readonly ConversationSettings _conversation;
    private readonly TimeSpan _ramp;
    private readonly int _count;
    private readonly ConcurrentDictionary<int, Guid> _ids = new();
    private readonly ConcurrentDictionary<Guid, DialplanRunResult> _results = new();

    public LoopedCalls(string repository, FailoverCluster cluster, int count, CallAudio audio, ConversationSettings conversation, TimeSpan ramp)
    {
        var guide = File.ReadAllText(Path.Combine(repository, "docs", "asterisk.md"));
        _plan = Dialplan.Parse(DialplanDocument.TestedBlock(guide, "reconnect-loop") + "\n" + DialplanDocument.TestedBlock(guide, "transfer-destinations"));
        (_cluster, _count, _audio, _conversation, _ramp) = (cluster, count, audio, conversation, ramp);
    }

    /// <inheritdoc />
    public IReadOnlyList<Guid> CallIds => [.. _ids.OrderBy(static p => p.Key).Select(static p => p.Value)];

    /// <inheritdoc />
    public TimingStats CallerClockLateness { get; private set; } = TimingStats.FromValues([]);

    /// <inheritdoc />
    public async Task RunAsync(CancellationToken hangUp)
    {
        var step = _ramp / Math.Max(1, _count);
        await Task.WhenAll(Enumerable.Range(0, _count).Select(i => RunCallAsync(i, step * i, hangUp))).ConfigureAwait(false);
        // Each session has its own 20 ms clock; its worst lateness is all a session reports.
        CallerClockLateness = TimingStats.FromValues([.. _results.Values.SelectMany(static r => r.Sessions).Select(static s => s.Summary.SendLateMaxMs)]);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<Guid, PlatformNode>? CarriersNow() =>
        _ids.ToDictionary(static p => p.Value, p => Preference(p.Key).FirstOrDefault(static g => g.IsRunning) ?? _cluster.Gateways[0]);

    /// <inheritdoc />
    public CallReport Report(Guid callId, FailoverEvent failoverEvent, string? silo, TranscriptCheck transcript)
    {
        var result = _results[callId];
        var sessions = result.Sessions.Select(static s => s.Summary).ToList();
        var dialplanEnd = result.Outcome.End == DialplanEnd.CallerHungUp ? null : result.Outcome.ToString();
        var joined = JoinedConversation.Join(sessions, dialplanEnd);
        var gateway = GatewayAt(sessions, failoverEvent.StartUtc);
        var gaps = joined.ReconnectGapsMs;
        var report = new CallReport
        {
            CallId = callId.ToString(),
            Silo = silo,
            Gateway = gateway,
            OnTarget = ReportBuilder.OnTarget(failoverEvent, silo, gateway),
            Outcome = result.Outcome.End.ToString(),
            MaxFrameGapMs = sessions.Select(static s => s.Gaps.MaxMs).DefaultIfEmpty().Max(),
            MediaLegs = sessions.Count(static s => s.ConnectedAtUtc is not null),
            LegSwitchGapsMs = gaps,
            MaxLegSwitchGapMs = gaps.Count == 0 ? null : gaps.Max(),
        };
        return ReportBuilder.WithConversation(report, joined.Conversation, (failoverEvent.StartUtc - joined.Origin).TotalMilliseconds, transcript);
    }

    private async Task RunCallAsync(int index, TimeSpan delay, CancellationToken hangUp)
    {
        try
        {
            await Task.Delay(delay, hangUp).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var gateways = Preference(index).Select(static g => ("127.0.0.1", g.AudioSocketPort)).ToArray();
        var silos = _cluster.Silos.Select(static s => ("127.0.0.1", s.HttpPort)).ToArray();
        var settings = new DialplanRunSettings
        {
            Context = "aiagent-inbound",
            Extension = "103",
            CallerSpeech = _ => _audio,
            LeadingSilence = TimeSpan.FromSeconds(0.5),
            Conversation = _conversation,
            Endpoints = new EndpointMap().Add(GatewayHost, GatewayServicePort, gateways).Add(PlatformHost, PlatformServicePort, silos),
            CurlTimeout = TimeSpan.FromSeconds(10),
            OnAudioSocketStarted = id => _ids.TryAdd(index, id),
        };
        var result = await new DialplanInterpreter(_plan).RunAsync(settings, hangUp).ConfigureAwait(false);
        if (_ids.TryGetValue(index, out var callId))
        {
            _results[callId] = result;
        }
    }

    /// <summary>Call <paramref name="index"/>'s gateways in the order its connections try them.</summary>
    private IEnumerable<PlatformNode> Preference(int index)
    {
        var gateways = _cluster.Gateways;
        return Enumerable.Range(0, gateways.Count).Select(k => gateways[(index + k) % gateways.Count]);
    }

    /// <summary>The gateway whose session was open at <paramref name="at"/>, by the port it connected to.</summary>
    private string? GatewayAt(IEnumerable<CallSummary> sessions, DateTimeOffset at)
    {
        var open = sessions.FirstOrDefault(s => s.ConnectedAtUtc is { } from && from <= at && at <= from.AddMilliseconds(s.DurationMs));
        return open is null
            ? null
            : _cluster.Gateways.FirstOrDefault(g => open.Target?.EndsWith(string.Create(CultureInfo.InvariantCulture, $":{g.AudioSocketPort}"), StringComparison.Ordinal) == true)?.Name;
    }
}
