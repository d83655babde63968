using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiAgent.Tools.Tests;

/// <summary>Configuration from YAML text through the platform's own YAML provider, and a service provider logging everything.</summary>
public static class TestConfig
{
    public static IConfiguration FromYaml(string yaml)
    {
        var data = YamlConfigurationProvider.Parse(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(yaml)));
        return new ConfigurationBuilder().AddInMemoryCollection(data).Build();
    }

    /// <summary>Services with every log level captured by <paramref name="logs"/>.</summary>
    public static ServiceCollection Services(CapturingLoggerProvider logs)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        return services;
    }
}
