using System.Net.Http;
using System.Net.WebSockets;
using System.Text.Json;

namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// Moves a call to a fresh connection before the service's session cap: from the schedule's planned moment it waits
/// for a quiet one (<see cref="ProviderTransportOptions.IsQuiet"/>), or forces it shortly before the cap. The
/// successor is connected, configured and re-seeded (<see cref="ConnectPurpose.Rollover"/>) while the old connection
/// still carries the call; then the old send loop stops, closes its socket and the supervisor switches over. A
/// failed attempt leaves the call where it is (the server's close at the cap then reconnects the usual way).
/// </summary>
internal sealed class RolloverPlanner(ProviderTransport transport)
{
    /// <summary>Runs alongside <paramref name="connection"/>'s loops; ends with it.</summary>
    public async Task PlanAsync(ProviderConnection connection)
    {
        if (transport.Options.RolloverSchedule is not { } scheduleFor)
        {
            return;
        }

        var token = connection.Cancellation;
        try
        {
            await connection.Ready.WaitAsync(token).ConfigureAwait(false);
            if (scheduleFor(connection) is not { } schedule)
            {
                return;
            }

            transport.Observer.OnRolloverPlanned(connection, schedule);
            var why = await schedule.WaitAsync(transport.Time, connection.ReadyAt, transport.Options.IsQuiet, token).ConfigureAwait(false)
                ? "quiet moment"
                : "forced before the cap";
            if (await PrepareAsync(why, token).ConfigureAwait(false) is { } next)
            {
                connection.Successor = next;
                // Wake the send loop so it stops and closes the old socket even while no caller audio flows.
                transport.Outbox.Wake();
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended (or the session stopped) first.
        }
        catch (Exception ex)
        {
            // Defensive: a rollover is an optimisation; failing it must not end the call (the cap still reconnects).
            transport.Observer.OnRolloverFailed(ex.GetType().Name);
        }
    }

    /// <summary>Opens the successor and waits for its handshake; null, reported, when that fails or the old connection ends.</summary>
    private async Task<ProviderConnection?> PrepareAsync(string why, CancellationToken oldConnection)
    {
        transport.Observer.OnConnecting(ConnectPurpose.Rollover, 0);
        // Linked to the transport, not to the old connection, whose end must not cancel the new one after the switch.
        var next = new ProviderConnection(transport, ConnectPurpose.Rollover, 0, transport.Lifetime) { RolloverReason = why };
        string? reason;
        try
        {
            using (oldConnection.Register(static state => ((ProviderConnection)state!).Cancel(), next))
            {
                var failed = await next.OpenAsync(transport.Lifetime).ConfigureAwait(false);
                if (failed is null)
                {
                    await Task.WhenAny(next.Ready, next.Receiving).ConfigureAwait(false);
                    if (next.IsReady)
                    {
                        return next;
                    }

                    failed = next.Fault;
                }

                reason = failed is null || failed.Kind == ProviderErrorKind.Disconnected ? failed?.Description ?? "the new connection ended" : failed.Code;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or JsonException or OperationCanceledException)
        {
            reason = ex is OperationCanceledException
                ? $"no {transport.Protocol.ReadyMessageName} within {(int)transport.Protocol.ConnectTimeout.TotalMilliseconds} ms"
                : ex.GetType().Name;
        }

        if (!oldConnection.IsCancellationRequested)
        {
            transport.Observer.OnRolloverFailed(reason);
        }

        await next.AbortAsync().ConfigureAwait(false);
        next.Dispose();
        return null;
    }
}
