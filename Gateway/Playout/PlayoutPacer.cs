using System.Diagnostics;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.Playout;

/// <summary>A call the pacer drives: called once per frame period on the pacer thread.</summary>
internal interface IPacedCall
{
    /// <summary>Writes what is due for the tick whose deadline is <paramref name="deadline"/> (a timestamp of the pacer's <see cref="TimeProvider"/>). Must never block.</summary>
    void OnTick(long deadline);
}

/// <summary>
/// The one clock of agent playout: a dedicated thread that wakes every frame period on deadlines from the
/// monotonic clock (<see cref="TimeProvider.GetTimestamp"/>; the system clock's is <see cref="Stopwatch"/>) and lets every call write what is due. One thread for all calls, not a
/// timer per call: Asterisk has no jitter buffer, so frames must leave at an even 20 ms cadence.
/// </summary>
/// <remarks>
/// Deadlines sit on a fixed grid (start + k x period), so sleep overshoot never accumulates into drift. A tick
/// that wakes late runs at once and the next keeps its grid slot (at most a couple of frames back to back);
/// after a stall of more than two periods (a GC pause, a starved VM) the grid is moved to now instead of
/// bursting the missed frames.
/// </remarks>
public sealed partial class PlayoutPacer : IHostedService, IDisposable
{
    private readonly Lock _registrationLock = new();
    private readonly long _period;
    private readonly TimeProvider _time;
    private readonly AudioSocketOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<PlayoutPacer> _logger;
    private IPacedCall[] _calls = [];
    private Thread? _thread;
    private volatile bool _stopping;

    /// <param name="options">The audiosocket options (the frame period).</param>
    /// <param name="time">The clock of the deadlines, shared with the calls; the pacer thread sleeps in real time.</param>
    /// <param name="metrics">The gateway's metrics.</param>
    /// <param name="logger">The log.</param>
    public PlayoutPacer(IOptions<AudioSocketOptions> options, TimeProvider time, GatewayMetrics metrics, ILogger<PlayoutPacer> logger)
    {
        _options = options.Value;
        _time = time;
        _period = _options.FrameMs * time.TimestampFrequency / 1000;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>True while the pacer thread runs.</summary>
    public bool IsRunning => _thread is { IsAlive: true } && !_stopping;

    /// <summary>Calls currently paced.</summary>
    public int CallCount => Volatile.Read(ref _calls).Length;

    /// <summary>Starts pacing <paramref name="call"/> from the next tick.</summary>
    internal void Register(IPacedCall call)
    {
        lock (_registrationLock)
        {
            // Copy-on-write: the pacer thread reads the array without a lock.
            var calls = new IPacedCall[_calls.Length + 1];
            _calls.CopyTo(calls, 0);
            calls[^1] = call;
            Volatile.Write(ref _calls, calls);
        }
    }

    /// <summary>Stops pacing <paramref name="call"/>; a tick in progress may still call it once.</summary>
    internal void Unregister(IPacedCall call)
    {
        lock (_registrationLock)
        {
            var index = Array.IndexOf(_calls, call);
            if (index < 0)
            {
                return;
            }

            var calls = new IPacedCall[_calls.Length - 1];
            Array.Copy(_calls, 0, calls, 0, index);
            Array.Copy(_calls, index + 1, calls, index, _calls.Length - index - 1);
            Volatile.Write(ref _calls, calls);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        PlayoutWarmup.Run(_options);
        _thread = new Thread(Run)
        {
            IsBackground = true,
            Name = "AudioSocket playout pacer",
            // Honoured on Windows; on Linux an unprivileged process cannot raise it and it is a no-op.
            Priority = ThreadPriority.Highest,
        };
        _thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _thread?.Join(TimeSpan.FromSeconds(2));
        return Task.CompletedTask;
    }

    public void Dispose() => _stopping = true;

    private void Run()
    {
        var deadline = _time.GetTimestamp() + _period;
        while (!_stopping)
        {
            WaitUntil(deadline);
            var woke = _time.GetTimestamp();
            foreach (var call in Volatile.Read(ref _calls))
            {
                try
                {
                    call.OnTick(deadline);
                }
                catch (Exception ex)
                {
                    // One broken call must not stop the clock of all the others.
                    LogTickFailed(ex);
                }
            }

            var now = _time.GetTimestamp();
            _metrics.PacerTick(_time.GetElapsedTime(deadline, woke), _time.GetElapsedTime(woke, now));
            deadline += _period;
            if (now - deadline > 2 * _period)
            {
                _metrics.PacerStall();
                LogStall(_time.GetElapsedTime(deadline, now).TotalMilliseconds);
                deadline = now + _period;
            }
        }
    }

    private void WaitUntil(long deadline)
    {
        var oneMs = _time.TimestampFrequency / 1000;
        while (true)
        {
            var remaining = deadline - _time.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > 2 * oneMs)
            {
                // Sleep overshoots by up to ~1 ms on Linux: wake early and finish with short waits.
                Thread.Sleep((int)(remaining / oneMs) - 1);
            }
            else if (remaining > oneMs / 2)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.Yield();
            }
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Error, Message = "Playout tick of a call failed")]
    private partial void LogTickFailed(Exception ex);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Playout pacer stalled {LateMs:F0} ms; resynchronised instead of bursting")]
    private partial void LogStall(double lateMs);
}
