using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Calls;

/// <summary>What every part of one call shares: which call, on which provider, and where it logs, counts and reads the time.</summary>
/// <param name="CallId">The call id.</param>
/// <param name="Provider">The provider serving the call (the <c>provider</c> tag of every call metric).</param>
/// <param name="Metrics">The call metrics.</param>
/// <param name="Logger">The call grain's logger (the parts log under its category and event ids, see <see cref="CallLog"/>).</param>
/// <param name="Time">The clock.</param>
internal sealed record CallContext(Guid CallId, string Provider, CallMetrics Metrics, ILogger Logger, TimeProvider Time)
{
    /// <summary>The current UTC time by <see cref="Time"/>.</summary>
    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;
}
