using AiAgent.Grains.Asterisk.Ari;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Asterisk;

/// <summary>Registers <c>asterisk.mode</c> (validated at start-up) and, in <c>ari</c> mode, the ARI client and the connection service.</summary>
public static class AriModeServiceCollectionExtensions
{
    /// <summary>Binds <see cref="AsteriskModeOptions"/>; the ARI services only when <c>asterisk.mode</c> is <c>ari</c>.</summary>
    public static IServiceCollection AddAriMode(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(AsteriskModeOptions.SectionName);
        services.AddOptions<AsteriskModeOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AsteriskModeOptions>, AsteriskModeOptionsValidator>());
        var mode = section.Get<AsteriskModeOptions>() ?? new AsteriskModeOptions();
        if (!mode.UsesAri)
        {
            return services;
        }

        services.TryAddSingleton(sp =>
        {
            var ari = sp.GetRequiredService<IOptions<AsteriskModeOptions>>().Value.Ari;
            return new AriEndpoint(new Uri(ari.Url), ari.App, ari.Username, ari.ReadPassword() ?? string.Empty);
        });
        // One long-lived HttpClient for the process (its pooled handler follows DNS changes), one Asterisk per silo.
        services.TryAddSingleton<IAriClient>(sp => new AriClient(
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = TimeSpan.FromSeconds(10) },
            sp.GetRequiredService<AriEndpoint>(),
            sp.GetRequiredService<ILogger<AriClient>>()));
        services.AddSingleton<AriConnectionService>();
        services.AddHostedService(sp => sp.GetRequiredService<AriConnectionService>());
        return services;
    }
}
