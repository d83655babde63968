using System.Collections.Concurrent;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// This silo's live calls, in memory: each call activation registers here on its own silo (a dictionary write, no
/// message), and the silo's <see cref="ICallRegistryService"/> answers the directory from it. Entries are stamped
/// with this silo and the time; an entry not refreshed within <see cref="CallPresence.ExpireAfter"/> is left out
/// and dropped, so a call that vanished without withdrawing does not stay listed.
/// </summary>
/// <remarks>Thread-safe: calls register from their own activations, lists are read from the grain service.</remarks>
public sealed class LocalCallRegistry(string silo, TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, CallListing> _calls = new();

    /// <summary>The registry of the silo <paramref name="siloDetails"/> describes.</summary>
    public LocalCallRegistry(ILocalSiloDetails siloDetails, TimeProvider time)
        : this(siloDetails.SiloAddress.ToString(), time)
    {
    }

    /// <summary>Adds or refreshes a call; an entry of a newer activation (higher epoch) is kept over an older one's.</summary>
    public void Register(CallListing listing)
    {
        var stamped = listing with { Silo = silo, LastSeenUtc = time.GetUtcNow().UtcDateTime };
        _calls.AddOrUpdate(listing.CallId, stamped, (_, listed) => listed.Epoch > stamped.Epoch ? listed : stamped);
    }

    /// <summary>Removes a call that ended, unless a newer activation (higher epoch than <paramref name="epoch"/>) listed it since.</summary>
    public void Withdraw(Guid callId, int epoch)
    {
        if (_calls.TryGetValue(callId, out var listed) && listed.Epoch <= epoch)
        {
            _calls.TryRemove(KeyValuePair.Create(callId, listed));
        }
    }

    /// <summary>The calls seen within <see cref="CallPresence.ExpireAfter"/>; older entries are dropped.</summary>
    public IReadOnlyList<CallListing> Live()
    {
        var oldest = time.GetUtcNow().UtcDateTime - CallPresence.ExpireAfter;
        var live = new List<CallListing>(_calls.Count);
        foreach (var (callId, listed) in _calls)
        {
            if (listed.LastSeenUtc >= oldest)
            {
                live.Add(listed);
            }
            else
            {
                // Only this entry: a fresher one registered meanwhile stays.
                _calls.TryRemove(KeyValuePair.Create(callId, listed));
            }
        }

        return live;
    }
}
