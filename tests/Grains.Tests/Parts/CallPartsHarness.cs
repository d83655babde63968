using System.Diagnostics.Metrics;
using AiAgent.Grains.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Grains.Tests.Parts;

/// <summary>
/// What a call part needs, without a cluster: a <see cref="CallContext"/> on a fake clock, a fake logger (event ids and
/// structured state) and real call metrics on a private meter factory, with collectors to read them.
/// </summary>
internal sealed class CallPartsHarness : IDisposable
{
    public const string Provider = "test";

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public CallPartsHarness()
    {
        Metrics = new CallMetrics(_services.GetRequiredService<IMeterFactory>());
        Call = new CallContext(CallId, Provider, Metrics, Logger, Time);
    }

    public Guid CallId { get; } = Guid.NewGuid();

    /// <summary>Starts at a fixed instant so tests can speak of "1 s after the start".</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public FakeLogger Logger { get; } = new();

    public CallMetrics Metrics { get; }

    public CallContext Call { get; }

    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    /// <summary>Collects one instrument of the call meter (create it before the part records).</summary>
    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct =>
        new(_services.GetRequiredService<IMeterFactory>(), CallMetrics.MeterName, instrument);

    /// <summary>Event ids logged so far, in order.</summary>
    public IReadOnlyList<int> EventIds() => [.. Logger.Collector.GetSnapshot().Select(r => r.Id.Id)];

    public void Dispose() => _services.Dispose();
}
