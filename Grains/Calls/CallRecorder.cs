using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Calls;

/// <summary>
/// The call record: the transcript as it grows (caller, agent and DTMF lines) and the persisted
/// <see cref="CallRecord"/>. The grain saves a snapshot at three points: when the call starts, at every turn's end
/// (each final agent transcript) and when it hangs up; so a call whose silo dies keeps its conversation up to the
/// last turn, and the activation that replaces it continues that transcript. Writes run one at a time in the
/// background; a save requested while one is in flight is coalesced into one more write of the newest snapshot, so
/// the audio path never waits on storage.
/// </summary>
internal sealed class CallRecorder
{
    /// <summary>The transcript keeps this many lines at most (the oldest go first).</summary>
    public const int TranscriptLimit = 500;

    private readonly List<TranscriptLine> _transcript = [];
    private readonly IPersistentState<CallRecord> _state;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Guid _callId;
    private CallSnapshot? _pending;
    private Task _writing = Task.CompletedTask;

    /// <summary>Opens the record of <paramref name="callId"/>; the transcript of a call that had not ended is carried on.</summary>
    public CallRecorder(IPersistentState<CallRecord> state, TimeProvider time, ILogger logger, Guid callId)
    {
        _state = state;
        _time = time;
        _logger = logger;
        _callId = callId;
        if (Saved is { State: not CallState.Ended } interrupted)
        {
            // This activation replaces one that held a live call (its silo died): the provider session is gone with
            // it, the conversation so far is not. Keep it so a restarted call continues the record.
            _transcript.AddRange(interrupted.Transcript);
        }
    }

    /// <summary>The snapshot last persisted (by this activation or an earlier one), or null if there is none.</summary>
    public CallSnapshot? Saved => _state.RecordExists ? _state.State.Snapshot : null;

    /// <summary>The transcript so far, oldest first.</summary>
    public IReadOnlyList<TranscriptLine> Transcript => _transcript;

    /// <summary>DTMF digits received.</summary>
    public long DtmfDigits { get; private set; }

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

    /// <summary>Persists <paramref name="snapshot"/> in the background (coalesced with writes already queued).</summary>
    public void Save(CallSnapshot snapshot)
    {
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
        while (_pending is { } snapshot)
        {
            _pending = null;
            try
            {
                _state.State.Snapshot = snapshot;
                await _state.WriteStateAsync();
            }
            catch (Exception ex)
            {
                CallLog.RecordWriteFailed(_logger, ex, _callId);
            }
        }
    }
}
