using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Merges the silos' lists into the directory's: each call once, the entry of its newest activation (highest epoch,
/// then the latest seen) winning, so a call restored on another silo shows once, on its new silo; oldest call first.
/// </summary>
public static class CallListingMerge
{
    /// <summary>One row per call from every silo's list.</summary>
    public static IReadOnlyList<CallListing> Merge(IEnumerable<IReadOnlyList<CallListing>> silos)
    {
        var calls = new Dictionary<Guid, CallListing>();
        foreach (var listing in silos.SelectMany(s => s))
        {
            if (!calls.TryGetValue(listing.CallId, out var kept) || Newer(listing, kept))
            {
                calls[listing.CallId] = listing;
            }
        }

        return [.. calls.Values.OrderBy(c => c.StartedAtUtc).ThenBy(c => c.CallId)];
    }

    private static bool Newer(CallListing candidate, CallListing kept) =>
        candidate.Epoch != kept.Epoch ? candidate.Epoch > kept.Epoch : candidate.LastSeenUtc > kept.LastSeenUtc;
}
