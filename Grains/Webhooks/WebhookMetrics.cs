using System.Diagnostics.Metrics;
using AiAgent.Grains.Interfaces.Diagnostics;

namespace AiAgent.Grains.Webhooks;

/// <summary>
/// The webhook's instruments, on the calls meter (<c>AiAgent.Calls</c>): records by outcome, attempts by status class,
/// and the time from a record's first attempt to its outcome. No call id (unbounded cardinality).
/// </summary>
public sealed class WebhookMetrics
{
    private static readonly double[] DeliveryBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120];

    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _delivery;

    /// <summary>Creates the instruments on the calls meter of <paramref name="meterFactory"/>.</summary>
    public WebhookMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(TelemetryNames.CallsMeter);
        _deliveries = meter.CreateCounter<long>("ai_agent_webhook_deliveries", "{record}", "Call records the webhook delivered, failed to deliver, or dropped from a full queue (outcome).");
        _attempts = meter.CreateCounter<long>("ai_agent_webhook_attempts", "{attempt}", "POSTs the webhook made, by status class (2xx, 3xx, 4xx, 5xx, error).");
        _delivery = meter.CreateHistogram<double>("ai_agent_webhook_delivery", "s", "First attempt to the outcome of one record, retries included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryBuckets });
    }

    /// <summary>A record was delivered or given up on (<c>delivered</c>, <c>failed</c>) after <paramref name="elapsed"/>.</summary>
    public void Delivery(string outcome, TimeSpan elapsed)
    {
        _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _delivery.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>A record was dropped unsent (a full queue).</summary>
    public void Dropped() => _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", "dropped"));

    /// <summary>One POST ended with <paramref name="status"/> (null: no response).</summary>
    public void Attempt(int? status) =>
        _attempts.Add(1, new KeyValuePair<string, object?>("status", status is { } code ? $"{code / 100}xx" : "error"));
}
