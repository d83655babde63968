using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools;

/// <summary>Validates <c>tools</c> (start-up and every reload), every error naming its YAML key.</summary>
public sealed class ToolsOptionsValidator : IValidateOptions<ToolsOptions>
{
    /// <summary>The longest <c>tools.timeout_ms</c>: a caller will not wait in silence longer.</summary>
    public const int MaxTimeoutMs = 120_000;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ToolsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.TimeoutMs is < 1 or > MaxTimeoutMs)
        {
            errors.Add($"tools.timeout_ms: {options.TimeoutMs} must be between 1 and {MaxTimeoutMs}");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var enabled = options.EnabledTools();
        for (var i = 0; i < enabled.Count; i++)
        {
            var tool = enabled[i];
            if (!BuiltInTools.Names.Contains(tool, StringComparer.Ordinal))
            {
                errors.Add($"tools.enabled[{i}]: '{tool}' is not a built-in tool; allowed values: {string.Join(", ", BuiltInTools.Names)}");
            }
            else if (!seen.Add(tool))
            {
                errors.Add($"tools.enabled[{i}]: duplicate tool name '{tool}'");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates <c>transfer.destinations</c> (start-up and every reload), every error naming its YAML key.</summary>
public sealed class TransferOptionsValidator : IValidateOptions<TransferOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Destinations.Count; i++)
        {
            var d = options.Destinations[i];
            var key = $"transfer.destinations[{i}]";
            if (!CallDisposition.IsDestinationName(d.Name))
            {
                errors.Add($"{key}.name: '{d.Name}' is not a destination name (1-64 of A-Z a-z 0-9 _ . -; it becomes the disposition transfer:<name>)");
            }
            else if (!seen.Add(d.Name))
            {
                errors.Add($"{key}.name: duplicate destination name '{d.Name}'");
            }

            if (string.IsNullOrWhiteSpace(d.Description))
            {
                errors.Add($"{key}.description: required (the model reads it to choose the destination)");
            }

            if (!TransferDestinationOptions.Kinds.Contains(d.Kind, StringComparer.Ordinal))
            {
                errors.Add($"{key}.kind: '{d.Kind}' is not a kind; allowed values: {string.Join(", ", TransferDestinationOptions.Kinds)}");
            }

            if (d.Priority < 1)
            {
                errors.Add($"{key}.priority: {d.Priority} must be 1 or more");
            }

            if (d.Context is not null && string.IsNullOrWhiteSpace(d.Context))
            {
                errors.Add($"{key}.context: must not be blank");
            }

            if (d.Extension is not null && string.IsNullOrWhiteSpace(d.Extension))
            {
                errors.Add($"{key}.extension: must not be blank");
            }

            if (d.Warm && (d.Endpoint is not { } endpoint || endpoint.IndexOf('/', StringComparison.Ordinal) is < 1 || endpoint.EndsWith('/')))
            {
                errors.Add($"{key}.endpoint: '{d.Endpoint}' is not an endpoint; a warm transfer dials one, as TECH/resource (e.g. PJSIP/sales-desk)");
            }

            if (d.RingTimeoutSeconds is < 5 or > 120)
            {
                errors.Add($"{key}.ring_timeout_s: {d.RingTimeoutSeconds} must be between 5 and 120");
            }

            if (d.AcceptTimeoutSeconds is < 5 or > 300)
            {
                errors.Add($"{key}.accept_timeout_s: {d.AcceptTimeoutSeconds} must be between 5 and 300");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
