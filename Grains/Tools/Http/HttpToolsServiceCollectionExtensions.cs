using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace AiAgent.Grains.Tools.Http;

/// <summary>Registers the configured HTTP tools (<c>tools.http</c>).</summary>
public static class HttpToolsServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> every HTTP tool sends through.</summary>
    public const string ClientName = "AiAgent.HttpTools";

    /// <summary>
    /// Binds <see cref="HttpToolsOptions"/> from <c>tools</c> (validated at start-up; an invalid edit keeps the last
    /// good tools) and adds an <see cref="IToolSource"/> offering them, sending through a client with the standard
    /// resilience pipeline: retries (2, exponential from 200 ms with jitter, Retry-After honoured) only for the
    /// idempotent methods (GET, PUT, DELETE), a circuit breaker per host, and the tool's <c>timeout_ms</c> as the total timeout.
    /// The client logs nothing itself (URLs carry arguments; headers carry secrets).
    /// </summary>
    public static IServiceCollection AddHttpTools(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(HttpToolsOptions.SectionName);
        services.AddOptions<HttpToolsOptions>()
            .Bind(section)
            .PostConfigure(o => ReadParameters(section, o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HttpToolsOptions>>(new HttpToolsOptionsValidator()));
        services.TryAddSingleton<IOptionsMonitor<HttpToolsOptions>, LastGoodOptionsMonitor<HttpToolsOptions>>();

        services.AddHttpClient(ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .AddStandardResilienceHandler(ConfigureResilience)
            .SelectPipelineByAuthority();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolSource, HttpToolSource>());
        return services;
    }

    /// <summary>Declares the keys <see cref="AddHttpTools"/> reads, for the unknown-key check (any key below an entry is accepted: <c>parameters</c> and <c>headers</c> are free-form).</summary>
    public static ConfigurationSchema AddHttpToolKeys(this ConfigurationSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.Bind(HttpToolsOptions.SectionName, typeof(HttpToolsOptions));
    }

    private static void ReadParameters(IConfigurationSection tools, HttpToolsOptions options)
    {
        for (var i = 0; i < options.Http.Count; i++)
        {
            options.Http[i].Parameters = ConfigurationJsonSchema.ToJson(tools.GetSection($"http:{i}:parameters"));
        }
    }

    private static void ConfigureResilience(HttpStandardResilienceOptions options)
    {
        // A POST or PATCH may have taken effect before it failed: only the idempotent methods (GET, PUT, DELETE) are
        // sent again.
        options.Retry.DisableFor(HttpMethod.Post, HttpMethod.Patch);
        options.Retry.MaxRetryAttempts = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(200);
        options.Retry.BackoffType = DelayBackoffType.Exponential;
        options.Retry.UseJitter = true;

        // The tool's own budget (the request option) bounds the attempts and the whole exchange; the static values
        // only satisfy the pipeline's checks (total > attempt, sampling >= 2 x attempt).
        options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(61);
        options.TotalRequestTimeout.TimeoutGenerator = args => new ValueTask<TimeSpan>(ToolTimeout(args.Context, TimeSpan.FromSeconds(61)));
        options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(60);
        options.AttemptTimeout.TimeoutGenerator = args => new ValueTask<TimeSpan>(ToolTimeout(args.Context, TimeSpan.FromSeconds(60)));
        options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(120);
    }

    private static TimeSpan ToolTimeout(ResilienceContext context, TimeSpan fallback) =>
        context.GetRequestMessage() is { } request && request.Options.TryGetValue(HttpToolRequest.TimeoutOption, out var timeout) ? timeout : fallback;
}
