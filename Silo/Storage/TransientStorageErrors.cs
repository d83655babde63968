using System.Net.Sockets;
using Orleans.Runtime;
using Orleans.Persistence.Redis;
using Orleans.Storage;
using StackExchange.Redis;

namespace AiAgent.Silo.Storage;

/// <summary>
/// Which storage failures are worth retrying: the store is unreachable, slow or restarting. A version conflict
/// (<see cref="InconsistentStateException"/>: another activation owns the record) and anything else (serialization,
/// a bug) are not.
/// </summary>
public static class TransientStorageErrors
{
    // Orleans' Redis provider wraps a failed write in RedisStorageException with only the cause's type and message in
    // its text (no inner exception), so the cause is also recognised by name there.
    private static readonly string[] TransientTypeNames =
        [nameof(RedisConnectionException), nameof(RedisTimeoutException), nameof(TimeoutException), nameof(SocketException), nameof(IOException)];

    // Server replies that mean "not now" while Redis loads its data, fails over or is briefly busy.
    private static readonly string[] TransientServerReplies = ["LOADING", "BUSY", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN"];

    /// <summary>True when <paramref name="exception"/> (or a cause inside it) says the store could not be reached in time.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var cause = exception; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case InconsistentStateException:
                    return false;
                case RedisConnectionException or RedisTimeoutException or TimeoutException or SocketException or IOException:
                    return true;
                case RedisServerException server when TransientServerReplies.Any(r => server.Message.StartsWith(r, StringComparison.Ordinal)):
                    return true;
                case OrleansMessageRejectionException or SiloUnavailableException:
                    return true; // the memory provider's storage grain was unreachable
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 1:
                    return aggregate.InnerExceptions.All(IsTransient);
                case RedisStorageException when TransientTypeNames.Any(name => cause.Message.Contains(name, StringComparison.Ordinal)):
                    return true;
            }
        }

        return false;
    }

    /// <summary>The cause's type name, for logs and readiness (the Redis provider's wrapper names it only in its text).</summary>
    public static string Describe(Exception exception)
    {
        var innermost = exception;
        while (innermost.InnerException is { } inner)
        {
            innermost = inner;
        }

        if (innermost is RedisStorageException wrapper && TransientTypeNames.FirstOrDefault(n => wrapper.Message.Contains(n, StringComparison.Ordinal)) is { } named)
        {
            return named;
        }

        return innermost.GetType().Name;
    }
}
