using AiAgent.Grains.Configuration;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Deepgram;
using AiAgent.Grains.Providers.Local;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tests;

/// <summary>
/// The open provider registry: <c>default_provider</c> is checked against the providers registered in DI, each provider
/// validates its own block, and a provider defined here, in a test, becomes valid by registering, with no shared code edited.
/// </summary>
public sealed class ProviderRegistryTests
{
    [Fact]
    public void The_built_in_providers_register_themselves_in_order()
    {
        using var services = Services([]);
        Assert.Equal(["local", "openai_realtime", "deepgram"], services.GetRequiredService<ProviderRegistry>().Names);
        Assert.Equal(["local", "openai_realtime", "deepgram"], services.GetServices<IAgentProvider>().Select(p => p.Name));
    }

    [Fact]
    public void An_unknown_default_provider_is_rejected_naming_the_registered_ones()
    {
        using var services = Services(new() { ["default_provider"] = "test_only" });
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<AgentOptions>>());
        Assert.Contains("default_provider: 'test_only' is not a provider; allowed values: local, openai_realtime, deepgram", error.Failures);
    }

    [Fact]
    public void A_provider_registered_from_a_test_becomes_a_valid_default_with_its_own_block()
    {
        using var services = Services(
            new() { ["default_provider"] = "test_only", ["providers:test_only:level"] = "7" },
            s => s.AddTestOnlyProvider());
        var options = services.GetRequiredService<IOptionsMonitor<AgentOptions>>().CurrentValue;

        Assert.Equal("test_only", options.DefaultProvider);
        Assert.Equal(7, options.Providers.Get<TestOnlyOptions>(TestOnlyProvider.ProviderName).Level);
        Assert.Equal(["local", "openai_realtime", "deepgram", "test_only"], services.GetRequiredService<ProviderRegistry>().Names);
        Assert.Contains(services.GetServices<IAgentProvider>(), p => p.Name == "test_only");
    }

    [Fact]
    public void A_registered_provider_validates_its_own_block_knowing_whether_it_is_the_default()
    {
        using var services = Services(
            new() { ["default_provider"] = "test_only", ["providers:test_only:level"] = "-1" },
            s => s.AddTestOnlyProvider());
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<AgentOptions>>());
        Assert.Equal(["providers.test_only.level: -1 must not be negative (default provider)"], error.Failures);
    }

    [Fact]
    public void Registering_a_name_twice_keeps_one_provider()
    {
        using var services = Services([], s => s.AddTestOnlyProvider().AddTestOnlyProvider().AddLocalProvider());
        Assert.Single(services.GetServices<IAgentProvider>(), p => p.Name == "test_only");
        Assert.Single(services.GetServices<IAgentProvider>(), p => p.Name == "local");
        Assert.Single(services.GetRequiredService<ProviderRegistry>().Names, n => n == "test_only");
    }

    [Fact]
    public void Built_in_blocks_bind_and_keep_the_values_they_were_built_with()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["providers:local:silence_ms"] = "450",
            ["providers:deepgram:greeting"] = "Hi.",
        }).Build();
        var options = configuration.Get<AgentOptions>()!;
        configuration["providers:local:silence_ms"] = "999";
        configuration["providers:deepgram:greeting"] = "changed";

        Assert.Equal(450, options.Providers.Local.SilenceMs);
        Assert.Equal("Hi.", options.Providers.Deepgram.Greeting);
        Assert.Equal(new LocalProviderOptions().MinSpeechMs, options.Providers.Local.MinSpeechMs);
    }

    [Fact]
    public void A_value_that_does_not_convert_fails_naming_the_key()
    {
        using var services = Services(new() { ["providers:local:silence_ms"] = "soon" });
        var error = Assert.ThrowsAny<InvalidOperationException>(() => services.GetRequiredService<IOptionsMonitor<AgentOptions>>());
        Assert.Contains("silence_ms", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging().AddAgentGrains(configuration);
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }
}

/// <summary>A provider that exists only in this test project.</summary>
internal sealed class TestOnlyProvider : IAgentProvider
{
    public const string ProviderName = "test_only";

    public string Name => ProviderName;

    public IAgentSession CreateSession(AgentSessionContext context) => throw new NotSupportedException("registry tests never start a call");
}

/// <summary><c>providers.test_only</c>.</summary>
internal sealed class TestOnlyOptions
{
    public int Level { get; set; } = 1;
}

internal static class TestOnlyProviderServiceCollectionExtensions
{
    public static IServiceCollection AddTestOnlyProvider(this IServiceCollection services) =>
        services.AddAgentProvider<TestOnlyProvider, TestOnlyOptions>(TestOnlyProvider.ProviderName, static (o, c) =>
        {
            if (o.Level < 0)
            {
                c.Errors.Add($"{c.KeyPrefix}.level: {o.Level} must not be negative{(c.IsDefault ? " (default provider)" : string.Empty)}");
            }
        });
}
