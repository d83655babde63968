using AiAgent.Grains;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using AiAgent.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiAgent.Silo.Tests;

/// <summary>
/// Every documented override form against the file (YAML &lt; <c>AIAGENT_</c> environment &lt; command line), also
/// after the file is reloaded. Keys and variables are unique per test, so parallel hosts never see them.
/// </summary>
public sealed class ConfigurationOverrideTests : IDisposable
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"aiagent-overrides-{Guid.NewGuid():N}.yaml");
    private readonly List<string> _variables = [];

    private string Top => $"top_{_id}";

    private string EnvTop => $"envtop_{_id}";

    private string Section => $"sec_{_id}";

    public void Dispose()
    {
        foreach (var variable in _variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        File.Delete(_path);
    }

    [Fact]
    public async Task Each_form_overrides_the_file_and_still_does_after_a_reload()
    {
        WriteFile("file");
        SetVariable($"AIAGENT_{EnvTop.ToUpperInvariant()}", "env");
        SetVariable($"AIAGENT_{Section.ToUpperInvariant()}__ENV", "env");
        SetVariable($"AIAGENT_{Section.ToUpperInvariant()}__BOTH", "env");
        using var configuration = new ConfigurationManager();
        configuration.AddAgentConfigFile(
            ["--config", _path, $"--{Top}=arg", $"--{Section}:equals=arg", $"--{Section}:space", "arg", $"--{Section}:both=arg"],
            reloadOnChange: true);

        AssertOverrides(configuration);
        Assert.Equal("file", configuration[$"{Section}:plain"]);

        WriteFile("edited");
        await Waits.UntilAsync(() => configuration[$"{Section}:plain"] == "edited", what: "the file reloaded");

        AssertOverrides(configuration);
    }

    [Fact]
    public void Unusable_arguments_fail_the_start_up_naming_each()
    {
        WriteFile("file");
        var error = Assert.Throws<InvalidDataException>(() => new ConfigurationManager().AddAgentConfigFile(
            ["--config", _path, "--defualt_provider=deepgram", "stray", "--default_provider"], reloadOnChange: false));

        Assert.Contains("'--defualt_provider': 'defualt_provider' is not a configuration key", error.Message, StringComparison.Ordinal);
        Assert.Contains("'stray': not a --key=value", error.Message, StringComparison.Ordinal);
        Assert.Contains("'--default_provider': no value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_top_level_section_of_the_shipped_file_is_a_known_key()
    {
        using var stream = File.OpenRead(AgentConfigFile.Locate([]));
        var roots = YamlConfigurationProvider.Parse(stream).Keys.Select(k => k.Split(':')[0]).Distinct(StringComparer.OrdinalIgnoreCase);
        Assert.All(roots, root => Assert.Contains(root, AgentConfigFile.KnownRoots, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("--default_provider=deepgram")]
    [InlineData("--default_provider deepgram")]
    public async Task A_top_level_key_on_the_silo_command_line_reaches_the_agent_options_and_survives_a_reload(string argument)
    {
        var config = TestSilo.WriteConfig("127.0.0.1", out _, out _);
        var keyVariable = SetVariable($"AIAGENT_TEST_DG_KEY_{_id.ToUpperInvariant()}", "dg-key");
        await using var services = SiloConfiguration(["--config", config, .. argument.Split(' '), "--providers:deepgram:api_key_env", keyVariable]);
        var options = services.GetRequiredService<IOptionsMonitor<AgentOptions>>();

        Assert.Equal("deepgram", options.CurrentValue.DefaultProvider);

        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config)).Replace("echo_guard_ms: 300", "echo_guard_ms: 301", StringComparison.Ordinal));
        await Waits.UntilAsync(() => options.CurrentValue.BargeIn.EchoGuardMs == 301, what: "the edit applied");

        Assert.Equal("deepgram", options.CurrentValue.DefaultProvider);
    }

    [Fact]
    public void An_unknown_silo_argument_stops_the_start_up_naming_it()
    {
        var config = TestSilo.WriteConfig("127.0.0.1", out _, out _);
        var error = Assert.Throws<InvalidDataException>(() => SiloHost.Build(["--config", config, "--defaultprovider=deepgram"]));
        Assert.Contains("'--defaultprovider'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The silo's configuration exactly as <see cref="SiloHost.Build"/> adds it, without the rest of the host: a
    /// second full host disposed mid-run would take the shared meters from the silo fixture's exporter.
    /// </summary>
    private static ServiceProvider SiloConfiguration(string[] args)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(args);
        builder.AddAgentConfiguration(args);
        builder.Services.AddAgentGrains(builder.Configuration);
        return builder.Services.BuildServiceProvider();
    }

    private void AssertOverrides(IConfiguration configuration)
    {
        Assert.Equal("arg", configuration[Top]);
        Assert.Equal("env", configuration[EnvTop]);
        Assert.Equal("arg", configuration[$"{Section}:equals"]);
        Assert.Equal("arg", configuration[$"{Section}:space"]);
        Assert.Equal("env", configuration[$"{Section}:env"]);
        Assert.Equal("arg", configuration[$"{Section}:both"]);
    }

    private void WriteFile(string value) => File.WriteAllText(_path, $"""
        {Top}: {value}
        {EnvTop}: {value}
        {Section}:
          equals: {value}
          space: {value}
          env: {value}
          both: {value}
          plain: {value}
        """);

    private string SetVariable(string name, string value)
    {
        _variables.Add(name);
        Environment.SetEnvironmentVariable(name, value);
        return name;
    }
}
