using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>Validates <see cref="ClusteringOptions"/> for the silo and the standalone gateway alike; every error names its key.</summary>
public sealed class ClusteringOptionsValidator : IValidateOptions<ClusteringOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ClusteringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!ClusteringOptions.Modes.Contains(options.Mode, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"clustering.mode: '{options.Mode}' is not valid; allowed values: {string.Join(", ", ClusteringOptions.Modes)}");
        }
        else if (options.UsesRedis && string.IsNullOrWhiteSpace(options.Redis))
        {
            errors.Add($"clustering.redis: a Redis configuration string (e.g. localhost:6379) is required when clustering.mode is '{options.Mode}'");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            errors.Add("clustering.cluster_id: must not be empty");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            errors.Add("clustering.service_id: must not be empty");
        }

        Port(errors, "clustering.silo_port", options.SiloPort);
        Port(errors, "clustering.gateway_port", options.GatewayPort);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Port(List<string> errors, string key, int port)
    {
        if (port is < 1 or > 65_535)
        {
            errors.Add($"{key}: {port} must be between 1 and 65535");
        }
    }
}
