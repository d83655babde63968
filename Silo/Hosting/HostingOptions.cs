using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Silo.Hosting;

/// <summary><c>storage</c>: where call records and stream subscriptions live.</summary>
public sealed class StorageOptions
{
    /// <summary>Allowed values of <c>storage.mode</c>.</summary>
    public static readonly string[] Modes = ["memory", "redis"];

    /// <summary><c>storage.mode</c>: <c>memory</c> (lost on restart) or <c>redis</c>.</summary>
    public string Mode { get; set; } = "memory";

    /// <summary><c>storage.redis</c>: StackExchange.Redis configuration string.</summary>
    public string Redis { get; set; } = "localhost:6379";

    /// <summary>Appends errors naming each bad key.</summary>
    public void Validate(List<string> errors)
    {
        if (!Modes.Contains(Mode, StringComparer.Ordinal))
        {
            errors.Add($"storage.mode: '{Mode}' is not valid; allowed values: {string.Join(", ", Modes)}");
        }

        if (Mode == "redis" && string.IsNullOrWhiteSpace(Redis))
        {
            errors.Add("storage.redis: a Redis configuration string is required when storage.mode is 'redis'");
        }
    }
}

/// <summary><c>streams</c>: the Orleans memory streams carrying agent audio to gateways.</summary>
public sealed class StreamsOptions
{
    /// <summary><c>streams.pull_period_ms</c>: how often pulling agents read queues (the default 100 ms adds ~54 ms; docs/decisions.md#agent-audio-return-path).</summary>
    [ConfigurationKeyName("pull_period_ms")]
    public int PullPeriodMs { get; set; } = 10;

    /// <summary><c>streams.queues</c>: queue partitions (more spread load; each has its own pulling agent).</summary>
    public int Queues { get; set; } = 8;

    /// <summary><c>streams.cache_max_age_seconds</c>: how long delivered audio may stay cached (defaults of 30 min would keep all audio in memory).</summary>
    [ConfigurationKeyName("cache_max_age_seconds")]
    public int CacheMaxAgeSeconds { get; set; } = 30;

    /// <summary>Appends errors naming each bad key.</summary>
    public void Validate(List<string> errors)
    {
        if (PullPeriodMs is < 1 or > 1000)
        {
            errors.Add($"streams.pull_period_ms: {PullPeriodMs} must be between 1 and 1000");
        }

        if (Queues is < 1 or > 256)
        {
            errors.Add($"streams.queues: {Queues} must be between 1 and 256");
        }

        if (CacheMaxAgeSeconds is < 1 or > 3600)
        {
            errors.Add($"streams.cache_max_age_seconds: {CacheMaxAgeSeconds} must be between 1 and 3600");
        }
    }
}

/// <summary><c>silo</c>: the silo host's own HTTP endpoint (health, metrics, call API, dashboard).</summary>
public sealed class SiloHttpOptions
{
    /// <summary><c>silo.http_host</c>: bind address (localhost by default; anything else requires an API token).</summary>
    [ConfigurationKeyName("http_host")]
    public string HttpHost { get; set; } = "127.0.0.1";

    /// <summary><c>silo.http_port</c>.</summary>
    [ConfigurationKeyName("http_port")]
    public int HttpPort { get; set; } = 8080;

    /// <summary>Appends errors naming each bad key.</summary>
    public void Validate(List<string> errors)
    {
        if (!System.Net.IPAddress.TryParse(HttpHost, out _) && HttpHost is not "localhost" and not "*")
        {
            errors.Add($"silo.http_host: '{HttpHost}' must be an IP address, 'localhost' or '*'");
        }

        HostingValidation.Port("silo.http_port", HttpPort, errors);
    }
}

/// <summary><c>gateway</c>, as far as the silo cares: whether to host the AudioSocket gateway in this process.</summary>
public sealed class CoHostedGatewayOptions
{
    /// <summary><c>gateway.enabled</c>: host the gateway beside the silo (the one-command run); off when gateways run apart.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>The hosting sections of <c>config/ai-agent.yaml</c>, read once at start-up (changing them needs a restart).</summary>
public sealed class HostingOptions
{
    /// <summary><c>clustering</c>.</summary>
    public ClusteringOptions Clustering { get; set; } = new();

    /// <summary><c>storage</c>.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary><c>streams</c>.</summary>
    public StreamsOptions Streams { get; set; } = new();

    /// <summary><c>silo</c>.</summary>
    public SiloHttpOptions Silo { get; set; } = new();

    /// <summary><c>gateway</c>.</summary>
    public CoHostedGatewayOptions Gateway { get; set; } = new();

    /// <summary>Binds and validates; throws <see cref="InvalidOperationException"/> listing every bad key.</summary>
    public static HostingOptions Load(IConfiguration configuration)
    {
        var options = new HostingOptions();
        configuration.Bind(options);
        var errors = new List<string>();
        var clustering = new ClusteringOptionsValidator().Validate(null, options.Clustering);
        if (clustering.Failed)
        {
            errors.AddRange(clustering.Failures);
        }

        options.Storage.Validate(errors);
        options.Streams.Validate(errors);
        options.Silo.Validate(errors);
        return errors.Count == 0
            ? options
            : throw new InvalidConfigurationException(errors);
    }
}

internal static class HostingValidation
{
    public static void Port(string key, int port, List<string> errors)
    {
        if (port is < 1 or > 65535)
        {
            errors.Add($"{key}: {port} must be between 1 and 65535");
        }
    }
}

/// <summary>Endpoint helpers.</summary>
internal static class SiloHttpOptionsExtensions
{
    /// <summary>The HTTP endpoint to bind.</summary>
    public static System.Net.IPEndPoint HttpEndPoint(this SiloHttpOptions options) => options.HttpHost switch
    {
        "localhost" => new(System.Net.IPAddress.Loopback, options.HttpPort),
        "*" => new(System.Net.IPAddress.Any, options.HttpPort),
        var host => new(System.Net.IPAddress.Parse(host), options.HttpPort),
    };
}
