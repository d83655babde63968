namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// Reads one call as operators, the disposition endpoint and ARI mode see it: from the activation that carries it
/// (its state is current there the moment it ends, before the record is written), or from the record when that
/// activation does not answer in time (its silo was lost).
/// </summary>
public static class CallSnapshotReader
{
    /// <summary>How long the carrying activation may take to answer before the record is read instead.</summary>
    public static readonly TimeSpan ActivationTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The call's snapshot; null when the call is unknown.</summary>
    public static async Task<CallSnapshot?> ReadCallSnapshotAsync(this IGrainFactory grains, Guid callId, CancellationToken cancellationToken = default)
    {
        var locator = grains.GetCallLocator();
        if (await locator.LocateAsync(callId).WaitAsync(cancellationToken) is not { } location)
        {
            return null;
        }

        try
        {
            return await grains.GetCallGrain(location).GetSnapshotAsync().WaitAsync(ActivationTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return await locator.ReadSnapshotAsync(callId).WaitAsync(cancellationToken);
        }
    }

    /// <summary>The call's carrying activation (by its record); null when the call is unknown.</summary>
    public static async Task<ICallGrain?> FindCallGrainAsync(this IGrainFactory grains, Guid callId, CancellationToken cancellationToken = default) =>
        await grains.GetCallLocator().LocateAsync(callId).WaitAsync(cancellationToken) is { } location ? grains.GetCallGrain(location) : null;
}
