using AiAgent.CallSim.Audio;
using AiAgent.Failover.Calls;
using AiAgent.CallSim.Simulation;
using AiAgent.Failover.Platform;
using AiAgent.Failover.Reporting;
using AiAgent.Failover.Scenarios;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover;

/// <summary>
/// One run: a fresh cluster, a warm-up, the calls talking in cycles, the event at its time, the calls going on, then
/// their graceful end, the transcripts, and the report. Everything it starts is stopped before it returns.
/// </summary>
internal sealed class FailoverRun(FailoverOptions options, string repository, string outputDirectory, CallAudio audio, ILogger logger)
{
    /// <summary>After asking the calls to end, how long they may take (the current turn, a reply timeout, a pause).</summary>
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(60);

    /// <summary>Measures run <paramref name="run"/>.</summary>
    public async Task<RunReport> ExecuteAsync(int run, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        Log.RunStarting(logger, run, options.Runs, options.Scenario.Name(), options.Calls, options.Silos, outputDirectory);
        var layout = new PlatformLayout(
            repository, outputDirectory, $"failover-{Guid.NewGuid():N}"[..20], options.SiloArguments, options.GatewayArguments);
        await using var cluster = await FailoverCluster.StartAsync(layout, options.Silos, logger, cancellationToken, options.Gateways).ConfigureAwait(false);
        await using var placement = await ConnectPlacementAsync(layout, cluster, cancellationToken).ConfigureAwait(false);
        await WarmUpAsync(cluster, cancellationToken).ConfigureAwait(false);

        using var stop = new CancellationTokenSource();
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var conversation = new ConversationSettings { Stop = stop.Token, ReplyTimeout = options.ReplyTimeout };
        IFailoverCalls calls = options.Gateways > 1
            ? new LoopedCalls(repository, cluster, options.Calls, audio, conversation, options.EffectiveRamp)
            : new DirectCalls(cluster.Gateway, options.Calls, audio, conversation, options.EffectiveRamp);
        var loadAtStart = LoadAverage();
        var startedUtc = DateTimeOffset.UtcNow;
        var talking = calls.RunAsync(hangUp.Token);
        Log.CallsStarted(logger, options.Calls, options.Scenario.Name(), options.At.TotalSeconds);
        await Task.WhenAny(talking, Task.Delay(options.At, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        var hosts = await FindHostsAsync(cluster, placement, calls.CallIds, cancellationToken).ConfigureAwait(false);
        var carriers = calls.CarriersNow();
        PlatformNode? target = options.Scenario.TargetsOneSilo() ? ChooseTarget(cluster, hosts)
            : options.Scenario.TargetsOneGateway() ? MostCalls(cluster.Gateways, carriers?.Values)
            : null;
        var failoverEvent = await new ScenarioRunner(cluster, options.MinReady, logger).RunAsync(options.Scenario, target, cancellationToken).ConfigureAwait(false);
        Log.EventDone(logger, failoverEvent.Scenario, failoverEvent.StartUtc, failoverEvent.EndUtc, failoverEvent.Target);

        await Task.WhenAny(talking, Task.Delay(options.After, cancellationToken)).ConfigureAwait(false);
        Log.StoppingCalls(logger, (DateTimeOffset.UtcNow - failoverEvent.EndUtc).TotalSeconds);
        await stop.CancelAsync().ConfigureAwait(false);
        if (await Task.WhenAny(talking, Task.Delay(s_stopGrace, cancellationToken)).ConfigureAwait(false) != talking)
        {
            Log.CallsHungUp(logger, s_stopGrace.TotalSeconds);
            await hangUp.CancelAsync().ConfigureAwait(false);
        }

        await talking.ConfigureAwait(false);
        var loadAtEnd = LoadAverage();
        var reports = new List<CallReport>(options.Calls);
        foreach (var id in calls.CallIds)
        {
            var transcript = await CallTranscripts.CheckAsync(cluster.Silos, id, failoverEvent.StartUtc, failoverEvent.EndUtc, cancellationToken).ConfigureAwait(false);
            if (transcript.Error is { } error)
            {
                Log.TranscriptUnavailable(logger, id.ToString(), error);
            }

            var silo = hosts?.GetValueOrDefault(id) is { } port ? cluster.SiloByPort(port)?.Name : null;
            reports.Add(calls.Report(id, failoverEvent, silo, transcript));
        }

        return new RunReport
        {
            Run = run,
            OutputDirectory = outputDirectory,
            CallsStartedUtc = startedUtc,
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = loadAtEnd,
            PlacementKnown = hosts is not null && hosts.Count == options.Calls,
            CallsPerSilo = CallsPerSilo(cluster, hosts),
            CallsPerGateway = carriers is null ? null : cluster.Gateways.ToDictionary(static g => g.Name, g => carriers.Values.Count(c => c == g)),
            Event = failoverEvent,
            Summary = carriers is null ? ReportBuilder.Summarize(reports) : ReportBuilder.SummarizeWithMoves(reports, ari: false),
            CallSimPacerLateness = calls.CallerClockLateness,
            Calls = reports,
        };
    }

    /// <summary>A few short calls first, so the silos' and gateway's first-call costs (JIT, activations) fall outside the measurement.</summary>
    private async Task WarmUpAsync(FailoverCluster cluster, CancellationToken cancellationToken)
    {
        var count = 2 * options.Silos;
        Log.WarmUp(logger, count);
        var warmUp = Enumerable.Range(0, count).Select(_ => new CallSettings
        {
            Port = cluster.Gateway.AudioSocketPort,
            Audio = audio,
            LeadingSilence = TimeSpan.FromSeconds(0.2),
            Tail = TimeSpan.FromSeconds(2),
        }).ToArray();
        await AsteriskSimulator.RunAsync(warmUp, TimeSpan.FromSeconds(0.5), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The placement client, or null when it cannot join (the run goes on, aiming at silo 1).</summary>
    private async Task<CallPlacement?> ConnectPlacementAsync(PlatformLayout layout, FailoverCluster cluster, CancellationToken cancellationToken)
    {
        try
        {
            return await CallPlacement.ConnectAsync(layout, cluster.Redis.ConnectionString, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.PlacementUnknown(logger, ex);
            return null;
        }
    }

    private async Task<IReadOnlyDictionary<Guid, int>?> FindHostsAsync(
        FailoverCluster cluster, CallPlacement? placement, IReadOnlyCollection<Guid> calls, CancellationToken cancellationToken)
    {
        if (placement is null)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            var hosts = await placement.WhereAsync(calls, timeout.Token).ConfigureAwait(false);
            Log.Placement(logger, string.Join(", ", CallsPerSilo(cluster, hosts).Select(static p => $"{p.Key} {p.Value}")));
            return hosts;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PlacementUnknown(logger, ex);
            return null;
        }
    }

    /// <summary>The gateway carrying the most calls (the first on a tie).</summary>
    private static PlatformNode MostCalls(IReadOnlyList<PlatformNode> gateways, IEnumerable<PlatformNode>? carriers)
    {
        var carried = carriers?.ToList() ?? [];
        return gateways.OrderByDescending(g => carried.Count(c => c == g)).ThenBy(static g => g.Index).First();
    }

    /// <summary>The silo hosting the most calls (the first on a tie; silo 1 when nobody knows).</summary>
    private static PlatformNode ChooseTarget(FailoverCluster cluster, IReadOnlyDictionary<Guid, int>? hosts)
    {
        if (hosts is null || hosts.Count == 0)
        {
            return cluster.Silos[0];
        }

        return cluster.Silos.OrderByDescending(s => hosts.Values.Count(port => port == s.SiloPort)).ThenBy(static s => s.Index).First();
    }

    private static Dictionary<string, int> CallsPerSilo(FailoverCluster cluster, IReadOnlyDictionary<Guid, int>? hosts) =>
        hosts is null
            ? []
            : cluster.Silos.ToDictionary(static s => s.Name, s => hosts.Values.Count(port => port == s.SiloPort));

    /// <summary>The 1, 5 and 15-minute load averages (Linux), to say how busy the shared machine was.</summary>
    internal static string? LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
