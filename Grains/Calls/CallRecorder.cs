using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace AiAgent.Grains.Calls;

/// <summary>
/// The call record: the transcript as it grows (caller, agent and DTMF lines) and the persisted
/// <see cref="CallRecord"/>. The grain saves a snapshot at three points: when the call starts (or is restored), at every
/// turn's end (each final agent transcript) and when it hangs up; so a call whose silo dies keeps its conversation up
/// to the last turn, and the activation that replaces it continues that transcript. Writes run one at a time in the
/// background; a save requested while one is in flight is coalesced into one more write of the newest snapshot, so
/// the audio path never waits on storage.
/// </summary>
/// <remarks>
/// Every write carries the ETag of the one before it. When another activation has written since (a failover took the
/// call over), the storage refuses it: the recorder stops writing and reports <see cref="Fenced"/>, once.
/// </remarks>
internal sealed class CallRecorder
{
    /// <summary>The transcript keeps this many lines at most (the oldest go first).</summary>
    public const int TranscriptLimit = 500;

    private readonly List<TranscriptLine> _transcript = [];
    private readonly List<ToolCallEntry> _toolCalls = [];
    private readonly CallRecordStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Guid _callId;
    private readonly int _epoch;
    private CallSnapshot? _pending;
    private Task _writing = Task.CompletedTask;

    /// <summary>Opens the record of <paramref name="callId"/> as read from <paramref name="store"/>, for the activation at <paramref name="epoch"/>.</summary>
    public CallRecorder(CallRecordStore store, TimeProvider time, ILogger logger, Guid callId, int epoch)
    {
        _store = store;
        _time = time;
        _logger = logger;
        _callId = callId;
        _epoch = epoch;
    }

    /// <summary>The snapshot last persisted (by this activation or an earlier one), or null if there is none.</summary>
    public CallSnapshot? Saved => _store.Current?.Snapshot;

    /// <summary>The record last read or written, or null if there is none.</summary>
    public CallRecord? Record => _store.Current;

    /// <summary>The transcript so far, oldest first.</summary>
    public IReadOnlyList<TranscriptLine> Transcript => _transcript;

    /// <summary>The tool calls so far, oldest first (the last <see cref="TranscriptLimit"/>).</summary>
    public IReadOnlyList<ToolCallEntry> ToolCalls => _toolCalls;

    /// <summary>DTMF digits received.</summary>
    public long DtmfDigits { get; private set; }

    /// <summary>True once a write was refused because a newer activation carries the call.</summary>
    public bool IsFenced { get; private set; }

    /// <summary>Raised once, on the grain's scheduler, when a write was refused because a newer activation carries the call.</summary>
    public event Action? Fenced;

    /// <summary>Carries on the transcript of the record (a restored call continues the conversation).</summary>
    public void ContinueFromRecord()
    {
        if (Saved is { } saved)
        {
            _transcript.Clear();
            _transcript.AddRange(saved.Transcript);
            _toolCalls.Clear();
            _toolCalls.AddRange(saved.ToolCalls);
            DtmfDigits = saved.Counters.DtmfDigits;
        }
    }

    /// <summary>
    /// Claims the call for this activation: writes the record with this epoch (and <paramref name="start"/>), fenced on
    /// the ETag read at activation. False when another activation wrote first.
    /// </summary>
    public async Task<bool> ClaimAsync(CallStartRequest start, CallSnapshot snapshot)
    {
        var record = _store.Record;
        record.Epoch = _epoch;
        record.Start = start;
        record.Snapshot = snapshot;
        try
        {
            await _store.WriteAsync();
            return true;
        }
        catch (InconsistentStateException)
        {
            IsFenced = true;
            await _store.ReadAsync();
            return false;
        }
    }

    /// <summary>Adds a final caller transcript.</summary>
    public void CallerSaid(string text) => Add("caller", text);

    /// <summary>Adds a final agent transcript.</summary>
    public void AgentSaid(string text) => Add("agent", text);

    /// <summary>Adds a DTMF digit.</summary>
    public void DtmfPressed(char digit)
    {
        DtmfDigits++;
        Add("dtmf", digit.ToString());
    }

    /// <summary>
    /// Adds a finished tool call: to <see cref="ToolCalls"/>, and to the transcript as a <c>tool</c> line naming the tool
    /// and its outcome (providers skip that role when they re-seed a resumed call).
    /// </summary>
    public void ToolCalled(ToolCallEntry entry)
    {
        if (_toolCalls.Count >= TranscriptLimit)
        {
            _toolCalls.RemoveAt(0);
        }

        _toolCalls.Add(entry);
        Add("tool", $"{entry.Name}: {entry.Outcome}");
    }

    /// <summary>Persists <paramref name="snapshot"/> in the background (coalesced with writes already queued).</summary>
    public void Save(CallSnapshot snapshot)
    {
        if (IsFenced)
        {
            return;
        }

        _pending = snapshot;
        if (_writing.IsCompleted)
        {
            _writing = WriteAsync();
        }
    }

    /// <summary>Persists <paramref name="snapshot"/> and waits until it, and every write before it, is done.</summary>
    public Task SaveAsync(CallSnapshot snapshot)
    {
        Save(snapshot);
        return _writing;
    }

    private void Add(string role, string text)
    {
        if (_transcript.Count >= TranscriptLimit)
        {
            _transcript.RemoveAt(0);
        }

        _transcript.Add(new TranscriptLine(_time.GetUtcNow().UtcDateTime, role, text));
    }

    private async Task WriteAsync()
    {
        while (_pending is { } snapshot && !IsFenced)
        {
            _pending = null;
            try
            {
                _store.Record.Epoch = _epoch;
                _store.Record.Snapshot = snapshot;
                await _store.WriteAsync();
            }
            catch (InconsistentStateException)
            {
                IsFenced = true;
                CallLog.RecordFenced(_logger, _callId, _epoch);
                Fenced?.Invoke();
            }
            catch (Exception ex)
            {
                CallLog.RecordWriteFailed(_logger, ex, _callId);
            }
        }
    }
}
