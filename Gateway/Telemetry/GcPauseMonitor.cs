using System.Diagnostics.Metrics;
using AiAgent.Grains.Interfaces.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace AiAgent.Telemetry;

/// <summary>Runs a <see cref="GcPauseListener"/> for the host's lifetime, on the meter <see cref="TelemetryNames.RuntimeMeter"/>.</summary>
internal sealed class GcPauseMonitor(IMeterFactory meters) : IHostedService, IDisposable
{
    private GcPauseListener? _listener;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener = new GcPauseListener(meters.Create(TelemetryNames.RuntimeMeter));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _listener?.Dispose();
        _listener = null;
    }
}
