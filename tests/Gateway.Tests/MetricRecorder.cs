using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AiAgent.Gateway.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AiAgent.Gateway.Tests;

/// <summary>Records the measurements of one gateway host's <c>AiAgent.Gateway</c> meter.</summary>
public sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MetricRecorder(IServiceProvider services)
    {
        // Only this host's meter: its IMeterFactory is the meter's scope.
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => _measurements.Enqueue((i.Name, v, tags.ToArray())));
        _listener.Start();
    }

    public double Sum(string name) => _measurements.Where(m => m.Name == name).Sum(m => m.Value);

    public IEnumerable<double> Values(string name) => _measurements.Where(m => m.Name == name).Select(m => m.Value);

    public IEnumerable<object?> Tags(string name, string tag) =>
        _measurements.Where(m => m.Name == name).SelectMany(m => m.Tags).Where(t => t.Key == tag).Select(t => t.Value);

    public void Dispose() => _listener.Dispose();
}
