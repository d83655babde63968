using System.Collections;
using AiAgent.Grains;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiAgent.Silo.Tests;

/// <summary>
/// The keys the silo reads, derived from the options types it binds, as a table per section; and the check that
/// stops the start-up when an argument or an <c>AIAGENT_</c> variable sets a key nothing reads.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class KnownSettingsTests(SiloHostFixture silo)
{
    private static readonly ConfigurationSchema s_silo = AgentConfigurationExtensions.Settings(
        new ServiceCollection().AddAgentGrains(new ConfigurationBuilder().Build()));

    [Theory]
    [InlineData("default_provider")]
    [InlineData("DEFAULT_PROVIDER")]
    [InlineData("barge_in:enabled")]
    [InlineData("barge_in:echo_guard_ms")]
    [InlineData("providers:local:silence_ms")]
    [InlineData("providers:deepgram:api_key_env")]
    [InlineData("Providers:Deepgram:Base_Url")]
    [InlineData("providers:openai_realtime:voice")]
    [InlineData("providers:openai_realtime:turn_detection:threshold")]
    [InlineData("audiosocket:port")]
    [InlineData("audiosocket:idle_speech_threshold_dbfs")]
    [InlineData("gateway:enabled")]
    [InlineData("gateway:id")]
    [InlineData("gateway:http_port")]
    [InlineData("silo:http_host")]
    [InlineData("clustering:mode")]
    [InlineData("clustering:gateway_port")]
    [InlineData("storage:redis")]
    [InlineData("streams:pull_period_ms")]
    [InlineData("streams:queues")]
    [InlineData("telemetry:otlp_endpoint")]
    [InlineData("Logging:LogLevel:Default")]
    [InlineData("logging:loglevel:Microsoft.AspNetCore")]
    [InlineData("Kestrel:Endpoints:Http:Url")]
    [InlineData("Orleans:Clustering:ProviderType")]
    [InlineData("config")]
    [InlineData("urls")]
    [InlineData("environment")]
    [InlineData("contentRoot")]
    [InlineData("applicationName")]
    [InlineData("AIAGENT_API_TOKEN")]
    public void A_key_some_options_type_binds_is_known(string key) => Assert.True(s_silo.IsKnown(key), key);

    [Theory]
    [InlineData("audiosocket:prot", "audiosocket:port")]
    [InlineData("AudioSocket:Prot", "audiosocket:port")]
    [InlineData("barge_in:echoguard_ms", "barge_in:echo_guard_ms")]
    [InlineData("providers:openai_realtime:voise", "providers:openai_realtime:voice")]
    [InlineData("providers:deepgramm:base_url", "providers:deepgram:base_url")]
    [InlineData("providers:openai_realtime:turn_detection:treshold", "providers:openai_realtime:turn_detection:threshold")]
    [InlineData("gateway:http_prot", "gateway:http_port")]
    [InlineData("silo:http_hots", "silo:http_host")]
    [InlineData("clustering:clusterid", "clustering:cluster_id")]
    [InlineData("storage:mod", "storage:mode")]
    [InlineData("streams:queue", "streams:queues")]
    [InlineData("telemetry:runtime_metric", "telemetry:runtime_metrics")]
    [InlineData("defualt_provider", "default_provider")]
    public void A_misspelt_key_is_unknown_and_the_nearest_known_key_is_suggested(string key, string nearest)
    {
        Assert.False(s_silo.IsKnown(key), key);
        Assert.Equal(nearest, s_silo.Closest(key));
    }

    [Theory]
    [InlineData("providers:deepgram:voice")] // OpenAI's setting, not Deepgram's
    [InlineData("providers:cascade:model")] // no such provider registered
    [InlineData("audiosocket")] // a section, not a setting
    [InlineData("clustering:mode:redis")] // below a value
    [InlineData("barge_in:enabled:x")]
    [InlineData("gateway:enabled_x")]
    public void A_key_nothing_binds_is_unknown(string key) => Assert.False(s_silo.IsKnown(key), key);

    [Fact]
    public void Get_only_values_are_not_settings() =>
        Assert.All(["clustering:uses_redis", "clustering:UsesRedis", "audiosocket:IgnoreUnknownKinds", "gateway:EffectiveId"], key => Assert.False(s_silo.IsKnown(key), key));

    [Theory]
    [InlineData("config/ai-agent.yaml")]
    [InlineData("k8s/ai-agent.k8s.yaml")]
    public void Every_key_of_a_shipped_file_is_known(string relativePath)
    {
        using var stream = File.OpenRead(Path.Combine(RepositoryRoot(), relativePath));
        var unknown = YamlConfigurationProvider.Parse(stream).Keys.Where(k => !s_silo.IsKnown(k)).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void Every_key_of_the_test_configuration_is_known()
    {
        var path = TestSilo.WriteConfig("127.0.0.1", out _, out _, "ws://127.0.0.1:1");
        try
        {
            using var stream = File.OpenRead(path);
            var unknown = YamlConfigurationProvider.Parse(stream).Keys.Where(k => !s_silo.IsKnown(k)).ToList();
            Assert.Empty(unknown);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static TheoryData<string[], string[], string[]> Unused => new()
    {
        // arguments, AIAGENT_ variables, the errors' starts (none: every key is used)
        { ["--audiosocket:port=9000", "--providers:deepgram:base_url=ws://x", "--Logging:LogLevel:Default=Debug"], [], [] },
        { ["--audiosocket:prot=1"], [], ["'--audiosocket:prot': no setting reads 'audiosocket:prot'; did you mean audiosocket:port?"] },
        { ["--providers:deepgram:voise=x"], [], ["'--providers:deepgram:voise': no setting reads 'providers:deepgram:voise'"] },
        { ["--providers:openai_realtime:voise=x"], [], ["'--providers:openai_realtime:voise': no setting reads 'providers:openai_realtime:voise'; did you mean providers:openai_realtime:voice?"] },
        { ["--ASPNETCORE_ENVIRONMENT=Development", "--urls=http://127.0.0.1:1"], [], [] },
        { [], ["AIAGENT_AUDIOSOCKET__PORT", "AIAGENT_DEFAULT_PROVIDER", "AIAGENT_CONFIG", "AIAGENT_API_TOKEN", "AIAGENT_LOGGING__LOGLEVEL__DEFAULT"], [] },
        { [], ["AIAGENT_AUDIOSOCKET__PROT"], ["'AIAGENT_AUDIOSOCKET__PROT': no setting reads 'AUDIOSOCKET:PROT'; did you mean audiosocket:port (AIAGENT_AUDIOSOCKET__PORT)?"] },
        { [], ["AIAGENT_DEFUALT_PROVIDER"], ["'AIAGENT_DEFUALT_PROVIDER': no setting reads 'DEFUALT_PROVIDER'; did you mean default_provider (AIAGENT_DEFAULT_PROVIDER)?"] },
        { [], ["AIAGENT_PROVIDERS__DEEPGRAM__VOISE"], ["'AIAGENT_PROVIDERS__DEEPGRAM__VOISE': no setting reads 'PROVIDERS:DEEPGRAM:VOISE'"] },
        // A variable a setting names (api_key_env), not a near miss of a key: the secret's own, left alone.
        { [], ["AIAGENT_E2E_OPENAI_KEY", "AIAGENT_MY_DEEPGRAM_KEY"], [] },
        // A section the file has that nothing binds is the file's own.
        { ["--anchors:voice=x"], ["AIAGENT_ANCHORS__VOICE"], [] },
    };

    [Theory]
    [MemberData(nameof(Unused))]
    public void Each_key_nothing_reads_is_an_error_naming_it(string[] args, string[] variables, string[] expected)
    {
        var errors = UnusedSettingCheck.Find(s_silo, CommandLineOverrides.Parse(args).Keys.Keys, variables, ["anchors:voice", "audiosocket:port"]);

        Assert.Equal(expected.Length, errors.Count);
        foreach (var (error, start) in errors.Zip(expected))
        {
            Assert.StartsWith(start, error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_process_check_reads_arguments_variables_and_the_file()
    {
        var config = TestSilo.WriteConfig("127.0.0.1", out _, out _);
        IDictionary environment = new Hashtable { ["AIAGENT_BARGE_IN__ECHO_GUARD"] = "1", ["PATH"] = "/bin", ["AIAGENT_DEFAULT_PROVIDER"] = "local" };

        var error = Assert.Throws<InvalidDataException>(() => AgentConfigFile.ThrowIfUnused(["--config", config, "--silo:http_prot=1"], s_silo, environment));

        Assert.Contains("'--silo:http_prot': no setting reads 'silo:http_prot'; did you mean silo:http_port?", error.Message, StringComparison.Ordinal);
        Assert.Contains("'AIAGENT_BARGE_IN__ECHO_GUARD': no setting reads 'BARGE_IN:ECHO_GUARD'; did you mean barge_in:echo_guard_ms", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("DEFAULT_PROVIDER", error.Message, StringComparison.Ordinal);
        AgentConfigFile.ThrowIfUnused(["--config", config, "--silo:http_port=1"], s_silo, new Hashtable());
    }

    [Fact]
    public void An_unknown_section_key_stops_the_silo_start_up_naming_it()
    {
        var config = TestSilo.WriteConfig("127.0.0.1", out _, out _);

        var error = Assert.Throws<InvalidDataException>(() => SiloHost.Build(["--config", config, "--audiosocket:prot=1", "--providers:deepgram:voise", "x"]));

        Assert.Contains("'--audiosocket:prot': no setting reads 'audiosocket:prot'; did you mean audiosocket:port?", error.Message, StringComparison.Ordinal);
        Assert.Contains("'--providers:deepgram:voise'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Valid_nested_keys_build_the_silo()
    {
        var config = TestSilo.WriteConfig("127.0.0.1", out _, out var audioSocketPort);

        // Built, not started: a second running host would share the fixture's meters (SiloHostFixture); kept until
        // the fixture ends, as disposing it mid-run would dispose those meters.
        var app = silo.KeepUntilEnd(SiloHost.Build(
            ["--config", config, $"--audiosocket:port={audioSocketPort}", "--providers:deepgram:base_url", "ws://127.0.0.1:1",
             "--providers:openai_realtime:turn_detection:threshold=0.4", "--Barge_In:Echo_Guard_Ms=250"]));

        var configuration = app.Services.GetRequiredService<IConfiguration>();
        Assert.Equal("ws://127.0.0.1:1", configuration["providers:deepgram:base_url"]);
        Assert.Equal("250", configuration["barge_in:echo_guard_ms"]);
    }

    private static string RepositoryRoot() => Path.GetDirectoryName(Path.GetDirectoryName(AgentConfigFile.Locate([])))!;
}
