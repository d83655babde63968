using AiAgent.Emulators.Deepgram;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests;

/// <summary>
/// <c>default_provider</c> switches by editing the watched YAML file: the next call uses the new provider, calls in
/// progress keep theirs, and a bad edit leaves the last good configuration in force.
/// </summary>
public sealed class ProviderSwitchTests : IAsyncLifetime
{
    private const string KeyVariable = "AIAGENT_TEST_DEEPGRAM_KEY";
    private readonly string _directory = Directory.CreateTempSubdirectory("aiagent-config-").FullName;
    private DeepgramEmulator _deepgram = null!;
    private InProcessTestCluster _cluster = null!;

    private string ConfigPath => Path.Combine(_directory, "ai-agent.yaml");

    private string Yaml(string defaultProvider) => $"""
        default_provider: {defaultProvider}
        providers:
          local:
            greeting: true
          deepgram:
            api_key_env: {KeyVariable}
            base_url: {_deepgram.BaseUrl}
        """;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(KeyVariable, "emulator-key");
        _deepgram = await DeepgramEmulator.StartAsync(new DeepgramEmulatorOptions { ApiKey = "emulator-key" });
        await File.WriteAllTextAsync(ConfigPath, Yaml("local"));
        _cluster = await TestClusterFixture.DeployAsync(new HostingOptions(), config => config.AddYamlFile(ConfigPath, optional: false, reloadOnChange: true));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _deepgram.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private LastGoodOptionsMonitor<AgentOptions> Monitor =>
        (LastGoodOptionsMonitor<AgentOptions>)_cluster.GetSiloServiceProvider(_cluster.Silos[0].SiloAddress).GetRequiredService<IOptionsMonitor<AgentOptions>>();

    private async Task EditAndWaitAsync(string yaml, Func<LastGoodOptionsMonitor<AgentOptions>, bool> applied)
    {
        await File.WriteAllTextAsync(ConfigPath, yaml);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!applied(Monitor))
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    [Fact]
    public async Task Editing_default_provider_moves_the_next_call_and_leaves_the_running_one()
    {
        await using var first = await CallProbe.StartAsync(_cluster.Client);
        Assert.Equal("local", first.Started.Provider);

        await EditAndWaitAsync(Yaml("deepgram"), m => m.CurrentValue.DefaultProvider == "deepgram");
        await using var second = await CallProbe.StartAsync(_cluster.Client);
        var (_, greeting) = await second.NextUtteranceAsync();

        Assert.Equal("deepgram", second.Started.Provider);
        Assert.NotEmpty(greeting);
        Assert.Equal("local", (await first.Grain.GetSnapshotAsync()).Provider);
        Assert.Equal(CallState.Active, (await first.Grain.GetSnapshotAsync()).State);
        await second.Grain.HangupAsync(CallEndReason.CallerHangup);
        await first.Grain.HangupAsync(CallEndReason.CallerHangup);
    }

    [Fact]
    public async Task A_bad_edit_is_rejected_and_the_last_good_config_stays()
    {
        await EditAndWaitAsync(Yaml("deepgram"), m => m.CurrentValue.DefaultProvider == "deepgram");

        var rejected = Monitor.RejectedReloads;
        await EditAndWaitAsync(Yaml("nonesuch"), m => m.RejectedReloads > rejected);
        Assert.Equal("deepgram", Monitor.CurrentValue.DefaultProvider);

        // Unparsable YAML: the source keeps its last keys and the reload is rejected once more.
        rejected = Monitor.RejectedReloads;
        await EditAndWaitAsync("default_provider: [unclosed\n", m => m.RejectedReloads > rejected);
        Assert.Equal("deepgram", Monitor.CurrentValue.DefaultProvider);

        await using var call = await CallProbe.StartAsync(_cluster.Client);
        Assert.Equal("deepgram", call.Started.Provider);
        await call.Grain.HangupAsync(CallEndReason.CallerHangup);
    }
}
