using Microsoft.Extensions.DependencyInjection;

namespace AiAgent.Grains.Configuration;

/// <summary>
/// A configuration section a feature binds to an options type outside <see cref="AgentOptions"/> (<c>tools</c>,
/// <c>transfer</c>, <c>webhook</c>): registered in DI so the host's known-key check (<c>ConfigurationSchema</c>)
/// accepts its keys and nothing else under it. Several types may declare the same section; their keys add up.
/// </summary>
/// <param name="SectionPath">The section, <c>:</c>-separated (<c>tools</c>).</param>
/// <param name="OptionsType">The type bound there.</param>
public sealed record ConfigurationSectionRegistration(string SectionPath, Type OptionsType);

/// <summary>Declares configuration sections.</summary>
public static class ConfigurationSectionServiceCollectionExtensions
{
    /// <summary>Declares that <typeparamref name="TOptions"/> is bound at <paramref name="sectionPath"/> (once per pair).</summary>
    public static IServiceCollection AddConfigurationSection<TOptions>(this IServiceCollection services, string sectionPath)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        var registration = new ConfigurationSectionRegistration(sectionPath, typeof(TOptions));
        if (!services.Any(d => Equals(d.ImplementationInstance, registration)))
        {
            services.AddSingleton(registration);
        }

        return services;
    }
}
