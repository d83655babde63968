using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Configuration;

/// <summary>
/// The call-handling part of <c>config/ai-agent.yaml</c>: which provider new calls use, barge-in tuning and
/// each provider's block. Read afresh at every call start, so an edit applies to the next call.
/// </summary>
public sealed class AgentOptions
{
    /// <summary>The documented default of <c>default_provider</c>: the offline provider, which needs no key.</summary>
    public const string DefaultProviderName = "local";

    /// <summary><c>default_provider</c>: the provider new calls use, one of the <see cref="ProviderRegistry.Names"/>.</summary>
    [ConfigurationKeyName("default_provider")]
    public string DefaultProvider { get; set; } = DefaultProviderName;

    /// <summary><c>barge_in</c>.</summary>
    [ConfigurationKeyName("barge_in")]
    public BargeInOptions BargeIn { get; set; } = new();

    /// <summary><c>providers</c>: each registered provider reads its own block.</summary>
    public ProvidersOptions Providers { get; set; } = new();
}

/// <summary><c>barge_in</c>: when caller speech may interrupt the agent.</summary>
public sealed class BargeInOptions
{
    /// <summary><c>barge_in.enabled</c>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>barge_in.greeting_protection_ms</c>: the greeting cannot be interrupted during its first N ms.</summary>
    [ConfigurationKeyName("greeting_protection_ms")]
    public int GreetingProtectionMs { get; set; } = 1500;

    /// <summary><c>barge_in.echo_guard_ms</c>: speech starting within N ms after agent audio ends is treated as line echo.</summary>
    [ConfigurationKeyName("echo_guard_ms")]
    public int EchoGuardMs { get; set; } = 300;
}
