using AiAgent.Grains.Asterisk.Ari;
using AiAgent.Grains.Interfaces.Asterisk;
using AiAgent.Grains.Providers.Transport;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// Runs on every silo in ARI mode. The silo holding the <see cref="IAriLeaseGrain"/> lease keeps the events WebSocket
/// (Asterisk gives an application's events to one socket), reconciles with <c>GET /channels</c> after each
/// (re)connect and routes events to the per-call grains; the others renew nothing but retry the lease, so one takes
/// over within a lease duration when the holder stops or dies (docs/Architecture.md, "ARI mode").
/// </summary>
public sealed class AriConnectionService(
    IGrainFactory grains,
    IAriClient ari,
    AriEndpoint endpoint,
    TimeProvider time,
    ILogger<AriConnectionService> logger) : BackgroundService
{
    /// <summary>How often the lease is taken or renewed.</summary>
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long a lease lasts without renewal: the takeover bound after a holder dies.</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(6);

    private readonly string _holder = $"{Environment.MachineName}/{Guid.NewGuid():N}";

    /// <summary>The lease key: one per ARI endpoint and application.</summary>
    public string LeaseKey { get; } = EndpointKey(endpoint);

    /// <summary>True while this silo holds the lease and runs the events connection.</summary>
    public bool IsHolder { get; private set; }

    /// <summary>The key shared by the lease and <see cref="AriCallId.For"/>.</summary>
    public static string EndpointKey(AriEndpoint endpoint) => endpoint.BaseUrl.AbsoluteUri.TrimEnd('/') + "|" + endpoint.Application;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lease = grains.GetGrain<IAriLeaseGrain>(LeaseKey);
        CancellationTokenSource? connection = null;
        Task running = Task.CompletedTask;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                bool held;
                try
                {
                    held = await lease.TryAcquireAsync(_holder, LeaseDuration).WaitAsync(RenewInterval, time, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    AriModeLog.LeaseRenewalFailed(logger, LeaseKey, exception);
                    held = false;
                }

                if (held && connection is null)
                {
                    AriModeLog.LeaseTaken(logger, LeaseKey, _holder);
                    connection = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    running = RunConnectionAsync(connection.Token);
                    IsHolder = true;
                }
                else if (!held && connection is not null)
                {
                    AriModeLog.LeaseLost(logger, LeaseKey, _holder);
                    IsHolder = false;
                    await StopConnectionAsync(connection, running);
                    connection = null;
                }

                await Task.Delay(RenewInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // graceful stop
        }
        finally
        {
            IsHolder = false;
            if (connection is not null)
            {
                await StopConnectionAsync(connection, running);
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await lease.ReleaseAsync(_holder).WaitAsync(timeout.Token);
                }
                catch (Exception exception)
                {
                    AriModeLog.LeaseRenewalFailed(logger, LeaseKey, exception);
                }
            }
        }
    }

    private static async Task StopConnectionAsync(CancellationTokenSource connection, Task running)
    {
        await connection.CancelAsync();
        await running;
        connection.Dispose();
    }

    /// <summary>Connect (Polly backoff, reset after each success), reconcile, pump events; again after every drop.</summary>
    private async Task RunConnectionAsync(CancellationToken cancellationToken)
    {
        var router = new AriEventRouter(grains, LeaseKey, endpoint.Application);
        var queue = new KeyedSerialQueue<Guid, Func<Task>>((_, work, _) => work(), logger, cancellationToken);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // A fresh pipeline per connection: the backoff starts over after every successful connect.
                var pipeline = ReconnectBackoff.Create<AriEventConnection?>(int.MaxValue, c => c is null, time, null);
                await using var events = await pipeline.ExecuteAsync(async ct => await TryConnectAsync(ct), cancellationToken);
                if (events is null)
                {
                    return;
                }

                await ReconcileAsync(router, queue, cancellationToken);
                try
                {
                    await foreach (var ariEvent in events.ReadEventsAsync(cancellationToken))
                    {
                        if (router.Route(ariEvent) is { } work)
                        {
                            queue.Post(work.CallId, work.Work);
                        }
                    }

                    AriModeLog.ConnectionDropped(logger, null);
                }
                catch (AriConnectionLostException exception)
                {
                    AriModeLog.ConnectionDropped(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // lease lost or silo stopping
        }
        finally
        {
            await queue.IdleAsync();
        }
    }

    private async Task<AriEventConnection?> TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await AriEventConnection.ConnectAsync(endpoint, logger, cancellationToken);
        }
        catch (Exception exception) when (exception is AriException or AriConnectionLostException)
        {
            AriModeLog.ConnectFailed(logger, exception);
            return null;
        }
    }

    private async Task ReconcileAsync(AriEventRouter router, KeyedSerialQueue<Guid, Func<Task>> queue, CancellationToken cancellationToken)
    {
        try
        {
            var channels = await ari.ListChannelsAsync(cancellationToken);
            AriModeLog.Reconciling(logger, channels.Count);
            foreach (var (callId, work) in router.Reconcile(channels))
            {
                queue.Post(callId, work);
            }
        }
        catch (Exception exception) when (exception is AriException or HttpRequestException)
        {
            AriModeLog.ReconcileFailed(logger, exception);
        }
    }
}
