namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// Settings that cannot be used, found while a host is built: each error names its key. The hosts' entry points
/// (<c>HostStartup</c> in the gateway) write them and exit with code 1.
/// </summary>
public sealed class InvalidConfigurationException : InvalidOperationException
{
    /// <summary>The line above the errors, in this message and where a host writes them.</summary>
    public const string Heading = "Invalid configuration:";

    /// <summary>The errors, one per setting (<c>key: what is wrong</c>).</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Creates the exception from one or more errors.</summary>
    public InvalidConfigurationException(IReadOnlyList<string> errors)
        : base(Heading + string.Concat(errors.Select(e => Environment.NewLine + "  " + e)))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception from one error.</summary>
    public InvalidConfigurationException(string error)
        : this([error])
    {
    }
}
