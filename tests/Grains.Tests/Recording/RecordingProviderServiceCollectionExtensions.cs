using AiAgent.Grains.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiAgent.Grains.Tests.Recording;

internal static class RecordingProviderServiceCollectionExtensions
{
    /// <summary>Registers <see cref="RecordingProvider"/> through the open provider registry, as a provider outside the repository would.</summary>
    public static IServiceCollection AddRecordingProvider(this IServiceCollection services) =>
        services.AddAgentProvider<RecordingProvider, RecordingOptions>(RecordingProvider.ProviderName, static (_, _) => { });
}
