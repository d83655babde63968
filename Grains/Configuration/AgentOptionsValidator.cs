using AiAgent.Grains.Providers.Deepgram;
using AiAgent.Grains.Providers.OpenAIRealtime;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Configuration;

/// <summary>Validates <see cref="AgentOptions"/> and collects every error, each naming its YAML key.</summary>
public sealed class AgentOptionsValidator : IValidateOptions<AgentOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        var errors = new List<string>();
        if (!AgentOptions.ProviderNames.Contains(options.DefaultProvider, StringComparer.Ordinal))
        {
            errors.Add($"default_provider: '{options.DefaultProvider}' is not a provider; allowed values: {string.Join(", ", AgentOptions.ProviderNames)}");
        }

        if (options.BargeIn.GreetingProtectionMs is < 0 or > 60_000)
        {
            errors.Add($"barge_in.greeting_protection_ms: {options.BargeIn.GreetingProtectionMs} must be between 0 and 60000");
        }

        if (options.BargeIn.EchoGuardMs is < 0 or > 5_000)
        {
            errors.Add($"barge_in.echo_guard_ms: {options.BargeIn.EchoGuardMs} must be between 0 and 5000");
        }

        options.Providers.Local.Validate("providers.local", errors);
        options.Providers.OpenAIRealtime.Validate("providers.openai_realtime", errors, isDefault: options.DefaultProvider == OpenAIRealtimeOptions.Name);
        options.Providers.Deepgram.Validate("providers.deepgram", errors, isDefault: options.DefaultProvider == DeepgramOptions.Name);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
