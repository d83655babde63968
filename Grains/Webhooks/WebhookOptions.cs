using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Webhooks;

/// <summary>The post-call webhook (<c>webhook</c>): where each ended call's record is POSTed, signed. Read at start-up.</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "webhook";

    /// <summary>The receiver, an absolute http(s) URL; empty (the default): no webhook.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The environment variable holding the HMAC-SHA256 key (never the key itself).</summary>
    [ConfigurationKeyName("secret_env")]
    public string SecretEnv { get; set; } = string.Empty;

    /// <summary>Timeout of one attempt, ms (100-60000).</summary>
    [ConfigurationKeyName("timeout_ms")]
    public int TimeoutMs { get; set; } = 5000;

    /// <summary>Attempts per record, the first included (1-20).</summary>
    [ConfigurationKeyName("max_attempts")]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first retry's delay, ms (1-60000); doubled each retry, with jitter, at most 60 s (a Retry-After wins).</summary>
    [ConfigurationKeyName("retry_delay_ms")]
    public int RetryDelayMs { get; set; } = 1000;

    /// <summary>Records waiting to be sent at most (1-100000); a full queue drops its oldest record.</summary>
    [ConfigurationKeyName("queue_capacity")]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Whether a webhook is configured.</summary>
    public bool IsEnabled => !string.IsNullOrWhiteSpace(Url);
}

/// <summary>Validates <c>webhook</c>, every error naming its YAML key; the secret's variable must be set (its value is never shown).</summary>
public sealed class WebhookOptionsValidator(Func<string, string?> environment) : IValidateOptions<WebhookOptions>
{
    /// <summary>Validates against the process environment.</summary>
    public WebhookOptionsValidator()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsEnabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add($"webhook.url: '{options.Url}' must be an absolute http:// or https:// URL");
        }

        if (string.IsNullOrWhiteSpace(options.SecretEnv))
        {
            errors.Add("webhook.secret_env: required, the name of the environment variable holding the signing secret");
        }
        else if (string.IsNullOrEmpty(environment(options.SecretEnv)))
        {
            errors.Add($"webhook.secret_env: environment variable {options.SecretEnv} is not set");
        }

        Range(errors, "timeout_ms", options.TimeoutMs, 100, 60_000);
        Range(errors, "max_attempts", options.MaxAttempts, 1, 20);
        Range(errors, "retry_delay_ms", options.RetryDelayMs, 1, 60_000);
        Range(errors, "queue_capacity", options.QueueCapacity, 1, 100_000);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"webhook.{key}: {value} must be between {min} and {max}");
        }
    }
}
