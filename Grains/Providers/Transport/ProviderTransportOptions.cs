namespace AiAgent.Grains.Providers.Transport;

/// <summary>The policies of one <see cref="ProviderTransport"/> that its session chooses.</summary>
internal sealed record ProviderTransportOptions
{
    /// <summary>Consecutive failed connection attempts allowed after a loss (and after the first attempt at start) before the session gives up.</summary>
    public int MaxReconnectAttempts { get; init; } = 3;

    /// <summary>When a ready connection rolls over to a fresh one; null (the default) for never.</summary>
    public Func<ProviderConnection, RolloverSchedule?>? RolloverSchedule { get; init; }

    /// <summary>A moment to switch connections without cutting anything (e.g. <see cref="AgentPlayout"/> idle, no turn open).</summary>
    public Func<bool> IsQuiet { get; init; } = static () => true;

    /// <summary>How long the server may take to answer our close when the call ends.</summary>
    public TimeSpan CloseHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the old connection may take to answer our close after a rollover.</summary>
    public TimeSpan RolloverCloseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long <see cref="ProviderTransport.StopAsync"/> waits for the orderly close before aborting.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The jitter source of the backoff (tests pin it); null for Polly's own.</summary>
    public Func<double>? Randomizer { get; init; }
}
