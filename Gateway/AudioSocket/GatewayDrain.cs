using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>A live AudioSocket call as the drain sees it.</summary>
internal interface IDrainableCall
{
    /// <summary>End the call with the <c>reconnect</c> disposition at its next quiet moment.</summary>
    void EndAtQuietMoment();

    /// <summary>End the call with the <c>reconnect</c> disposition now (the drain's deadline has passed).</summary>
    void EndNow();
}

/// <summary>
/// The gateway's drain when its host stops (SIGTERM, Kubernetes' pod stop): readiness turns false and the listener
/// stops accepting at once, then every live call ends at a quiet moment (no agent audio queued or playing, the caller
/// neither speaking nor owed an answer) with the hangup frame and a detach from its grain, so the dialplan reads
/// <c>reconnect</c> and connects again, through another gateway, to the same call. Calls still live at
/// <c>gateway.drain_timeout_seconds</c> are ended then. The host's other services stop only after the drain (it runs
/// in <see cref="StoppingAsync"/>, before any <see cref="IHostedService.StopAsync"/>): the Orleans client (and a
/// co-hosted silo) still carry the calls' last messages, Kestrel still answers the health probes.
/// </summary>
public sealed partial class GatewayDrain : IHostedLifecycleService
{
    /// <summary>How long calls ended at the deadline may take to close before the host goes on stopping.</summary>
    private static readonly TimeSpan s_forcedEndWait = TimeSpan.FromSeconds(3);

    private readonly Lock _lock = new();
    private readonly HashSet<IDrainableCall> _calls = [];
    private readonly List<Func<Task>> _stopAccepting = [];
    private readonly TimeSpan _timeout;
    private readonly GatewayMetrics _metrics;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayDrain> _logger;
    private TaskCompletionSource _empty = NewCompletedSource();
    private Task? _beginning;
    private long _startedAt;
    private int _quiet;
    private int _forced;
    private CancellationTokenRegistration _stoppingRegistration;

    /// <summary>Creates the drain with <c>gateway.drain_timeout_seconds</c>.</summary>
    public GatewayDrain(IOptions<GatewayInstanceOptions> options, GatewayMetrics metrics, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<GatewayDrain> logger)
    {
        _timeout = options.Value.DrainTimeout;
        _metrics = metrics;
        _lifetime = lifetime;
        _time = time;
        _logger = logger;
    }

    /// <summary>True from the moment the host begins to stop: readiness is false, no new connection is accepted.</summary>
    public bool IsDraining => Volatile.Read(ref _beginning) is not null;

    /// <summary>Live calls now.</summary>
    public int CallCount
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>Registers what stops new connections (the AudioSocket listener's unbind); run first when the drain begins.</summary>
    internal void OnDrainStopAccepting(Func<Task> stopAccepting)
    {
        lock (_lock)
        {
            _stopAccepting.Add(stopAccepting);
        }
    }

    /// <summary>
    /// A connection's call joins the drain for its lifetime (dispose to leave). One that joins during the drain (it was
    /// accepted just before the listener stopped) is asked at once to end at its first quiet moment.
    /// </summary>
    internal IDisposable Enter(IDrainableCall call)
    {
        bool draining;
        lock (_lock)
        {
            if (_calls.Add(call) && _calls.Count == 1)
            {
                _empty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            draining = _beginning is not null;
        }

        if (draining)
        {
            call.EndAtQuietMoment();
        }

        return new Membership(this, call);
    }

    /// <summary>A call ended for the drain: at a quiet moment, or at the deadline.</summary>
    internal void CallDrained(bool atQuietMoment)
    {
        Interlocked.Increment(ref atQuietMoment ? ref _quiet : ref _forced);
        _metrics.CallDrained(atQuietMoment, _startedAt == 0 ? TimeSpan.Zero : _time.GetElapsedTime(_startedAt));
    }

    /// <summary>Milliseconds since the drain began (0 before).</summary>
    internal double ElapsedMs => _startedAt == 0 ? 0 : _time.GetElapsedTime(_startedAt).TotalMilliseconds;

    /// <inheritdoc/>
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // SIGTERM fires ApplicationStopping before the host calls StoppingAsync: readiness turns false from that moment.
        _stoppingRegistration = _lifetime.ApplicationStopping.Register(static d => _ = ((GatewayDrain)d!).BeginAsync(), this);
        return Task.CompletedTask;
    }

    /// <summary>Runs the drain: begins it (if the stop signal has not already) and waits for the calls, up to the deadline.</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        await BeginAsync();
        var deadline = _timeout - _time.GetElapsedTime(_startedAt);
        if (!await WaitForCallsAsync(deadline, cancellationToken))
        {
            IDrainableCall[] left;
            lock (_lock)
            {
                left = [.. _calls];
            }

            LogDeadline((int)_timeout.TotalSeconds, left.Length);
            foreach (var call in left)
            {
                call.EndNow();
            }

            if (!await WaitForCallsAsync(s_forcedEndWait, cancellationToken))
            {
                LogCallsLeft(CallCount);
            }
        }

        LogDrained(ElapsedMs, Volatile.Read(ref _quiet), Volatile.Read(ref _forced));
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _stoppingRegistration.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Begins the drain once: stops accepting, then asks every live call to end at a quiet moment.</summary>
    private Task BeginAsync()
    {
        lock (_lock)
        {
            if (_beginning is not null)
            {
                return _beginning;
            }

            _startedAt = _time.GetTimestamp();
            _beginning = RunBeginAsync([.. _stopAccepting]);
            return _beginning;
        }
    }

    private async Task RunBeginAsync(Func<Task>[] stopAccepting)
    {
        _metrics.Draining();
        foreach (var stop in stopAccepting)
        {
            // Connections accepted before the listener stopped have entered by the time this returns.
            await stop();
        }

        IDrainableCall[] calls;
        lock (_lock)
        {
            calls = [.. _calls];
        }

        LogDraining(calls.Length, (int)_timeout.TotalSeconds);
        foreach (var call in calls)
        {
            call.EndAtQuietMoment();
        }
    }

    /// <summary>True when no call is left within <paramref name="timeout"/>.</summary>
    private async Task<bool> WaitForCallsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task empty;
        lock (_lock)
        {
            empty = _calls.Count == 0 ? Task.CompletedTask : _empty.Task;
        }

        try
        {
            await empty.WaitAsync(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero, _time, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout: it goes on stopping whatever is left.
            return false;
        }
    }

    private void Leave(IDrainableCall call)
    {
        lock (_lock)
        {
            if (_calls.Remove(call) && _calls.Count == 0)
            {
                _empty.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource NewCompletedSource()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetResult();
        return source;
    }

    [LoggerMessage(EventId = 2370, Level = LogLevel.Information, Message = "Gateway draining: readiness false, no new AudioSocket connection accepted; {Calls} calls end at a quiet moment (reconnect), within {TimeoutSeconds} s (gateway.drain_timeout_seconds)")]
    private partial void LogDraining(int calls, int timeoutSeconds);

    [LoggerMessage(EventId = 2372, Level = LogLevel.Warning, Message = "Drain deadline of {TimeoutSeconds} s reached: ending the {Calls} calls left now (reconnect)")]
    private partial void LogDeadline(int timeoutSeconds, int calls);

    [LoggerMessage(EventId = 2373, Level = LogLevel.Information, Message = "Gateway drained in {ElapsedMs:0} ms: {Quiet} calls ended at a quiet moment, {Forced} at the deadline")]
    private partial void LogDrained(double elapsedMs, int quiet, int forced);

    [LoggerMessage(EventId = 2374, Level = LogLevel.Warning, Message = "{Calls} calls still open after the drain; the host closes them")]
    private partial void LogCallsLeft(int calls);

    private sealed class Membership(GatewayDrain drain, IDrainableCall call) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                drain.Leave(call);
            }
        }
    }
}
