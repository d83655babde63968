using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Configuration;

/// <summary>
/// Validates <see cref="AgentOptions"/> and collects every error, each naming its YAML key: <c>default_provider</c>
/// against the <see cref="ProviderRegistry"/>, <c>barge_in</c>, and each registered provider's own block.
/// </summary>
public sealed class AgentOptionsValidator(ProviderRegistry registry) : IValidateOptions<AgentOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!registry.Contains(options.DefaultProvider))
        {
            errors.Add($"default_provider: '{options.DefaultProvider}' is not a provider; allowed values: {string.Join(", ", registry.Names)}");
        }

        if (options.BargeIn.GreetingProtectionMs is < 0 or > 60_000)
        {
            errors.Add($"barge_in.greeting_protection_ms: {options.BargeIn.GreetingProtectionMs} must be between 0 and 60000");
        }

        if (options.BargeIn.EchoGuardMs is < 0 or > 5_000)
        {
            errors.Add($"barge_in.echo_guard_ms: {options.BargeIn.EchoGuardMs} must be between 0 and 5000");
        }

        registry.Validate(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
