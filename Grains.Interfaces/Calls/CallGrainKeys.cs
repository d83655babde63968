using System.Globalization;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// How a call's grain is addressed: the AudioSocket call id plus an activation epoch as the key extension. A call
/// starts at epoch 1; each failover restores it at the next epoch, a grain id no silo has seen, so the new activation
/// is placed on a live silo at once instead of waiting for membership to declare the old one dead.
/// </summary>
public static class CallGrainKeys
{
    /// <summary>The epoch of a call's first activation.</summary>
    public const int FirstEpoch = 1;

    /// <summary>The call grain of <paramref name="callId"/> at <paramref name="epoch"/>.</summary>
    public static ICallGrain GetCallGrain(this IGrainFactory grains, Guid callId, int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, FirstEpoch);
        return grains.GetGrain<ICallGrain>(callId, epoch.ToString(CultureInfo.InvariantCulture), null);
    }

    /// <summary>The call grain for <paramref name="location"/>.</summary>
    public static ICallGrain GetCallGrain(this IGrainFactory grains, CallLocation location) =>
        grains.GetCallGrain(location.CallId, location.Epoch);

    /// <summary>The epoch in a call grain's key extension.</summary>
    public static int EpochOf(string? keyExtension) =>
        int.TryParse(keyExtension, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch) && epoch >= FirstEpoch
            ? epoch
            : throw new ArgumentException($"a call grain's key extension is its epoch (1, 2, ...), not '{keyExtension}'", nameof(keyExtension));
}
