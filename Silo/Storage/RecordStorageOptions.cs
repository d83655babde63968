namespace AiAgent.Silo.Storage;

/// <summary>
/// Time bounds of <see cref="ResilientGrainStorage"/> (docs/Architecture.md, "Redis outage"). Not in the YAML file: they
/// are properties of the design, set here and by tests.
/// </summary>
public sealed class RecordStorageOptions
{
    /// <summary>
    /// The longest a writer waits for its record to land. A write still failing or unanswered by then returns and keeps
    /// retrying in the background: a hang-up or a deactivation never waits longer on storage.
    /// </summary>
    public TimeSpan WriteWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest a read may take, retries included, before it fails.</summary>
    public TimeSpan ReadWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Median delay before the first retry of a failed write or read (exponential with jitter from there).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two attempts of a write that keeps failing.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Retries of a read within <see cref="ReadWait"/>.</summary>
    public int ReadRetries { get; set; } = 3;

    /// <summary>How long a stopping silo waits for pending writes to land before it gives them up.</summary>
    public TimeSpan ShutdownFlush { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long readiness stays Degraded after a write was given up.</summary>
    public TimeSpan GiveUpReported { get; set; } = TimeSpan.FromMinutes(5);
}
