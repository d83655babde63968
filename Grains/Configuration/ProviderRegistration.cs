namespace AiAgent.Grains.Configuration;

/// <summary>
/// One provider as it registered itself (<see cref="ProviderServiceCollectionExtensions.AddAgentProvider{TProvider, TOptions}"/>):
/// its name, which is both a value of <c>default_provider</c> and its block <c>providers.&lt;name&gt;</c>, and how that
/// block is validated.
/// </summary>
public abstract class ProviderRegistration
{
    /// <summary>Creates the registration of provider <paramref name="name"/>.</summary>
    protected ProviderRegistration(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The provider's config name.</summary>
    public string Name { get; }

    /// <summary>The configuration section of its options, <c>providers:&lt;name&gt;</c>.</summary>
    public string SectionPath => $"providers:{Name}";

    /// <summary>The YAML key its errors name, <c>providers.&lt;name&gt;</c>.</summary>
    public string KeyPrefix => $"providers.{Name}";

    /// <summary>The type its block binds to (what the host's known-key check reads, <c>ConfigurationSchema</c>).</summary>
    public abstract Type OptionsType { get; }

    /// <summary>Appends an error per invalid key of the provider's block in <paramref name="options"/>.</summary>
    public abstract void Validate(AgentOptions options, List<string> errors);
}

/// <summary>What a provider's validator is told besides its options.</summary>
/// <param name="KeyPrefix">The YAML key of its block (<c>providers.deepgram</c>), to start every error with.</param>
/// <param name="IsDefault">Whether new calls use this provider (some checks, such as an API key being set, matter only then).</param>
/// <param name="Errors">Where errors go.</param>
public sealed record ProviderValidationContext(string KeyPrefix, bool IsDefault, List<string> Errors);

/// <summary>A provider's own validation of its options block.</summary>
public delegate void ProviderOptionsValidator<in TOptions>(TOptions options, ProviderValidationContext context);

/// <summary>A provider whose block binds to <typeparamref name="TOptions"/>.</summary>
public sealed class ProviderRegistration<TOptions>(string name, ProviderOptionsValidator<TOptions> validate) : ProviderRegistration(name)
    where TOptions : class, new()
{
    /// <inheritdoc/>
    public override Type OptionsType => typeof(TOptions);

    /// <inheritdoc/>
    public override void Validate(AgentOptions options, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        var isDefault = string.Equals(options.DefaultProvider, Name, StringComparison.Ordinal);
        validate(options.Providers.Get<TOptions>(Name), new ProviderValidationContext(KeyPrefix, isDefault, errors));
    }
}
