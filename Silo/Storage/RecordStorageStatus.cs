namespace AiAgent.Silo.Storage;

/// <summary>
/// What readiness and the pending gauge read about call-record storage: writes not landed yet, writes waiting for
/// storage (failed at least once, or not answered within the writer's wait), and the last write given up. Updated by the write chains; read from any thread.
/// </summary>
public sealed class RecordStorageStatus(TimeProvider time)
{
    private readonly object _gate = new();
    private int _pending;
    private int _waiting;
    private DateTimeOffset? _waitingSince;
    private string? _lastError;
    private DateTimeOffset? _lastGiveUp;
    private long _givenUp;

    /// <summary>Calls whose newest record has not landed yet (in flight or retrying).</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>A consistent view for readiness.</summary>
    public RecordStorageSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new RecordStorageSnapshot(_pending, _waiting, _waitingSince, _lastError, _lastGiveUp, _givenUp);
        }
    }

    internal void WriteStarted() => Interlocked.Increment(ref _pending);

    internal void WriteEnded() => Interlocked.Decrement(ref _pending);

    /// <summary>A write failed for the first time; it stays "retrying" until <see cref="WaitingEnded"/>.</summary>
    internal void WaitingStarted(string error)
    {
        lock (_gate)
        {
            _waiting++;
            _waitingSince ??= time.GetUtcNow();
            _lastError = error;
        }
    }

    internal void AttemptFailed(string error)
    {
        lock (_gate)
        {
            _lastError = error;
        }
    }

    /// <summary>A waiting write landed or was dropped; true when it was the last one waiting.</summary>
    internal bool WaitingEnded()
    {
        lock (_gate)
        {
            if (--_waiting > 0)
            {
                return false;
            }

            _waitingSince = null;
            return true;
        }
    }

    internal void GaveUp()
    {
        lock (_gate)
        {
            _givenUp++;
            _lastGiveUp = time.GetUtcNow();
        }
    }
}

/// <summary>Call-record storage at one moment (see <see cref="RecordStorageStatus"/>).</summary>
public sealed record RecordStorageSnapshot(int Pending, int Waiting, DateTimeOffset? WaitingSince, string? LastError, DateTimeOffset? LastGiveUp, long GivenUp);
