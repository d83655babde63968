using System.Globalization;
using System.Security.Cryptography;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;
using AiAgent.Emulators.Ari;
using AiAgent.Failover.Platform;
using AiAgent.Failover.Reporting;
using AiAgent.Failover.Scenarios;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover.Ari;

/// <summary>
/// One ARI-mode run: the ARI emulator in this process as the Asterisk, Redis, silos driving the calls over ARI and
/// several gateways taking their external-media legs; a warm-up, the calls talking in cycles, the gateway carrying the
/// most legs drained or killed at its time, the calls going on, then their graceful end, the transcripts and the report.
/// Everything it starts is stopped before it returns.
/// </summary>
internal sealed class AriFailoverRun(FailoverOptions options, string repository, string outputDirectory, CallAudio audio, ILogger logger)
{
    /// <summary>The silos read the ARI password from this variable (inherited from the harness, never on a command line).</summary>
    public const string PasswordVariable = "AIAGENT_FAILOVER_ARI_PASSWORD";

    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(60);

    /// <summary>Measures run <paramref name="run"/>.</summary>
    public async Task<RunReport> ExecuteAsync(int run, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(outputDirectory);
        Log.RunStarting(logger, run, options.Runs, options.Scenario.Name(), options.Calls, options.Silos, outputDirectory);
        var layout = new PlatformLayout(
            repository, outputDirectory, $"failover-{Guid.NewGuid():N}"[..20], options.SiloArguments, options.GatewayArguments);
        using var emulatorLogs = LoggerFactory.Create(b => b.AddProvider(new FileLoggerProvider(layout.LogPath("ari-emulator"))).SetMinimumLevel(LogLevel.Information));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        Environment.SetEnvironmentVariable(PasswordVariable, password);
        await using var ari = await AriEmulator.StartAsync(new AriEmulatorOptions { Password = password, LoggerFactory = emulatorLogs }, cancellationToken).ConfigureAwait(false);
        AriLog.EmulatorListening(logger, ari.BaseUrl);
        await using var cluster = await FailoverCluster.StartAsync(
            layout, options.Silos, logger, cancellationToken, options.Gateways, gateways => SiloArguments(ari, gateways)).ConfigureAwait(false);
        await ari.WaitUntilAsync(() => ari.IsRegistered(AriCallRun.App), TimeSpan.FromSeconds(60), "a silo's ARI events connection").ConfigureAwait(false);
        AriLog.EventsConnected(logger, AriCallRun.App);
        await WarmUpAsync(ari, cancellationToken).ConfigureAwait(false);

        using var stop = new CancellationTokenSource();
        using var hangUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var conversation = new ConversationSettings { Stop = stop.Token, ReplyTimeout = options.ReplyTimeout };
        var calls = Enumerable.Range(0, options.Calls)
            .Select(_ => new AriCallRun(new AriConversationCaller(audio, conversation, TimeSpan.FromSeconds(0.5))))
            .ToArray();
        var loadAtStart = FailoverRun.LoadAverage();
        var startedUtc = DateTimeOffset.UtcNow;
        var step = options.EffectiveRamp / Math.Max(1, calls.Length);
        var talking = Task.WhenAll(calls.Select((c, i) => c.RunAsync(ari, step * i, hangUp.Token)));
        Log.CallsStarted(logger, calls.Length, options.Scenario.Name(), options.At.TotalSeconds);
        await Task.WhenAny(talking, Task.Delay(options.At, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        var carriers = Carriers(ari, cluster, calls);
        foreach (var call in calls)
        {
            call.NoteBridgeAtEvent();
        }

        var perGateway = cluster.Gateways.ToDictionary(static g => g.Name, g => carriers.Count(c => c == g.Name));
        AriLog.LegsPerGateway(logger, string.Join(", ", perGateway.Select(static p => $"{p.Key} {p.Value}")));
        var target = cluster.Gateways.OrderByDescending(g => perGateway[g.Name]).ThenBy(static g => g.Index).First();
        var failoverEvent = await new ScenarioRunner(cluster, options.MinReady, logger).RunAsync(options.Scenario, target, cancellationToken).ConfigureAwait(false);
        Log.EventDone(logger, failoverEvent.Scenario, failoverEvent.StartUtc, failoverEvent.EndUtc, failoverEvent.Target);

        await Task.WhenAny(talking, Task.Delay(options.After, cancellationToken)).ConfigureAwait(false);
        Carriers(ari, cluster, calls); // a call with no leg at the event has its id from a later one
        var events = ari.Events;
        foreach (var call in calls)
        {
            call.CheckBridge(events);
        }

        Log.StoppingCalls(logger, (DateTimeOffset.UtcNow - failoverEvent.EndUtc).TotalSeconds);
        await stop.CancelAsync().ConfigureAwait(false);
        if (await Task.WhenAny(talking, Task.Delay(s_stopGrace, cancellationToken)).ConfigureAwait(false) != talking)
        {
            Log.CallsHungUp(logger, s_stopGrace.TotalSeconds);
            await hangUp.CancelAsync().ConfigureAwait(false);
        }

        await talking.ConfigureAwait(false);
        var loadAtEnd = FailoverRun.LoadAverage();
        var reports = new List<CallReport>(calls.Length);
        for (var i = 0; i < calls.Length; i++)
        {
            var transcript = calls[i].CallId is { } id
                ? await CallTranscripts.CheckAsync(cluster.Silos, id, failoverEvent.StartUtc, failoverEvent.EndUtc, cancellationToken).ConfigureAwait(false)
                : new TranscriptCheck(0, 0, "no media leg seen: call id unknown");
            if (transcript.Error is { } error)
            {
                Log.TranscriptUnavailable(logger, calls[i].CallId?.ToString() ?? calls[i].Call?.ChannelId ?? "?", error);
            }

            reports.Add(AriReportBuilder.Call(calls[i], failoverEvent, carriers[i], transcript));
        }

        return new RunReport
        {
            Run = run,
            OutputDirectory = outputDirectory,
            CallsStartedUtc = startedUtc,
            LoadAverageAtStart = loadAtStart,
            LoadAverageAtEnd = loadAtEnd,
            PlacementKnown = carriers.All(static c => c is not null),
            CallsPerGateway = perGateway,
            Event = failoverEvent,
            Summary = ReportBuilder.SummarizeWithMoves(reports, ari: true),
            CallSimPacerLateness = TimingStats.FromValues([.. calls.SelectMany(static c => c.Caller.ClockLatenessMs)]),
            Calls = reports,
        };
    }

    /// <summary>
    /// The silos' ARI settings: the emulator's URL and user, the password's variable, every gateway's AudioSocket
    /// address as <c>external_host</c> (a leg lost mid-call is re-dialled to the next), slin16 legs.
    /// </summary>
    private static IEnumerable<string> SiloArguments(AriEmulator ari, IReadOnlyList<PlatformNode> gateways) =>
    [
        "--asterisk:mode=ari",
        $"--asterisk:ari:url={ari.BaseUrl}",
        $"--asterisk:ari:app={AriCallRun.App}",
        $"--asterisk:ari:username={ari.Options.UserName}",
        $"--asterisk:ari:password_env={PasswordVariable}",
        "--asterisk:ari:external_host=" + string.Join(',', gateways.Select(static g => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{g.AudioSocketPort}"))),
        "--asterisk:ari:format=slin16",
    ];

    /// <summary>The gateway carrying each call's media leg now (null: no leg bridged), by the leg's dialled address.</summary>
    private static string?[] Carriers(AriEmulator ari, FailoverCluster cluster, IReadOnlyList<AriCallRun> calls)
    {
        var channels = ari.Channels;
        return [.. calls.Select(call => call.MediaLegs(channels).LastOrDefault() is { } leg
            ? cluster.Gateways.FirstOrDefault(g => leg.Name.StartsWith(string.Create(CultureInfo.InvariantCulture, $"AudioSocket/127.0.0.1:{g.AudioSocketPort}-"), StringComparison.Ordinal))?.Name
            : null)];
    }

    /// <summary>A few one-turn calls first, so first-call costs (JIT, activations, the first legs) stay out of the figures.</summary>
    private async Task WarmUpAsync(AriEmulator ari, CancellationToken cancellationToken)
    {
        var count = 2 * options.Silos;
        Log.WarmUp(logger, count);
        var conversation = new ConversationSettings { Cycles = 1, ReplyTimeout = options.ReplyTimeout };
        var warmUp = Enumerable.Range(0, count).Select(_ => new AriCallRun(new AriConversationCaller(audio, conversation, TimeSpan.FromSeconds(0.2)))).ToArray();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        await Task.WhenAll(warmUp.Select((c, i) => c.RunAsync(ari, TimeSpan.FromSeconds(0.25 * i), limit.Token))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
