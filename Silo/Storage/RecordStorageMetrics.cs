using System.Diagnostics.Metrics;
using AiAgent.Grains.Interfaces.Diagnostics;

namespace AiAgent.Silo.Storage;

/// <summary>
/// Call-record storage metrics, on the calls meter (<c>AiAgent.Calls</c>) beside <c>CallMetrics</c>. Storage is shared by
/// every provider, so these carry no <c>provider</c> label (and never a call id); see docs/metrics.md.
/// </summary>
public sealed class RecordStorageMetrics
{
    private readonly Counter<long> _retries;
    private readonly Counter<long> _deferred;
    private readonly Counter<long> _superseded;
    private readonly Counter<long> _givenUp;
    private readonly Counter<long> _conflictsResolved;
    private readonly Counter<long> _readsFailed;

    /// <summary>Creates the instruments; <paramref name="status"/> feeds the pending gauge.</summary>
    public RecordStorageMetrics(IMeterFactory meterFactory, RecordStorageStatus status)
    {
        var meter = meterFactory.Create(TelemetryNames.CallsMeter);
        _retries = meter.CreateCounter<long>("ai_agent_record_write_retries", "{retry}", "Call record write attempts retried after a transient storage error.");
        _deferred = meter.CreateCounter<long>("ai_agent_record_writes_deferred", "{write}", "Call record writes that returned to the grain before landing; they keep retrying in the background.");
        _superseded = meter.CreateCounter<long>("ai_agent_record_writes_superseded", "{write}", "Pending call record writes replaced by a newer snapshot of the same call before they landed.");
        _givenUp = meter.CreateCounter<long>("ai_agent_record_writes_given_up", "{write}", "Call record writes dropped after their writer had returned, by reason.");
        _conflictsResolved = meter.CreateCounter<long>("ai_agent_record_write_conflicts_resolved", "{conflict}", "Version conflicts on a record write that were not another activation, by resolution.");
        _readsFailed = meter.CreateCounter<long>("ai_agent_record_reads_failed", "{read}", "Call record reads that failed after their retries.");
        meter.CreateObservableGauge("ai_agent_record_writes_pending", () => (long)status.Pending, "{write}", "Calls whose newest record has not landed yet (at most one pending write per call).");
    }

    /// <summary>A failed attempt is about to be retried.</summary>
    public void Retry() => _retries.Add(1);

    /// <summary>A writer returned before its record landed.</summary>
    public void Deferred() => _deferred.Add(1);

    /// <summary>A pending snapshot was replaced by a newer one.</summary>
    public void Superseded() => _superseded.Add(1);

    /// <summary>A write whose writer had returned was dropped; <paramref name="reason"/>: conflict, error or shutdown.</summary>
    public void GivenUp(string reason) => _givenUp.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A version conflict turned out not to be a takeover; <paramref name="resolution"/>: own_write_landed or record_missing.</summary>
    public void ConflictResolved(string resolution) => _conflictsResolved.Add(1, new KeyValuePair<string, object?>("resolution", resolution));

    /// <summary>A read failed.</summary>
    public void ReadFailed() => _readsFailed.Add(1);
}
