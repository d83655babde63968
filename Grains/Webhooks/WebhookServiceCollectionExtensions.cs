using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Webhooks;

/// <summary>Registers the post-call webhook (<c>webhook</c>).</summary>
public static class WebhookServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> the webhook POSTs through (no logging handlers; retries are the service's).</summary>
    public const string ClientName = "AiAgent.Webhook";

    /// <summary>
    /// When <c>webhook.url</c> is set: binds and validates <see cref="WebhookOptions"/> at start-up, and adds the
    /// <see cref="IEndedCallSink"/> that queues each ended call and the hosted service that POSTs it. Otherwise adds
    /// nothing. Read once at start-up: an edit of <c>webhook</c> applies after a restart.
    /// </summary>
    public static IServiceCollection AddCallWebhook(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(WebhookOptions.SectionName);
        if (string.IsNullOrWhiteSpace(section["url"]))
        {
            return services;
        }

        services.AddOptions<WebhookOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>>(new WebhookOptionsValidator()));
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<WebhookMetrics>();
        services.TryAddSingleton<WebhookQueue>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEndedCallSink, WebhookQueue>(s => s.GetRequiredService<WebhookQueue>()));
        services.AddHttpClient(ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.AddHostedService<WebhookDeliveryService>();
        return services;
    }

    /// <summary>Declares the keys <see cref="AddCallWebhook"/> reads, for the unknown-key check.</summary>
    public static ConfigurationSchema AddWebhookKeys(this ConfigurationSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.Bind(WebhookOptions.SectionName, typeof(WebhookOptions));
    }
}
