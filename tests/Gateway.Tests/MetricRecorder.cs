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
    private readonly ConcurrentBag<(Func<string, KeyValuePair<string, object?>[], bool> Match, TaskCompletionSource Seen)> _waiters = [];

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
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i.Name, v, tags.ToArray()));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i.Name, v, tags.ToArray()));
        _listener.Start();
    }

    /// <summary>Completes when a measurement of <paramref name="name"/> with the given tag arrives.</summary>
    public Task WaitForAsync(string name, string tag, object value)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Add(((n, tags) => n == name && tags.Any(t => t.Key == tag && Equals(t.Value, value)), seen));
        if (_measurements.Any(m => m.Name == name && m.Tags.Any(t => t.Key == tag && Equals(t.Value, value))))
        {
            seen.TrySetResult();
        }

        return seen.Task;
    }

    private void Add(string name, double value, KeyValuePair<string, object?>[] tags)
    {
        _measurements.Enqueue((name, value, tags));
        foreach (var (match, seen) in _waiters)
        {
            if (!seen.Task.IsCompleted && match(name, tags))
            {
                seen.TrySetResult();
            }
        }
    }

    public double Sum(string name) => _measurements.Where(m => m.Name == name).Sum(m => m.Value);

    public IEnumerable<double> Values(string name) => _measurements.Where(m => m.Name == name).Select(m => m.Value);

    public IEnumerable<object?> Tags(string name, string tag) =>
        _measurements.Where(m => m.Name == name).SelectMany(m => m.Tags).Where(t => t.Key == tag).Select(t => t.Value);

    public void Dispose() => _listener.Dispose();
}
