using AiAgent.Grains.Interfaces.Configuration;

namespace AiAgent.Silo.Tests;

/// <summary>The command-line forms as a table: each argument becomes a key or an error naming it.</summary>
public sealed class CommandLineOverridesTests
{
    public static TheoryData<string[], string, string> Forms => new()
    {
        { ["--default_provider=deepgram"], "default_provider", "deepgram" },
        { ["--default_provider", "deepgram"], "default_provider", "deepgram" },
        { ["--audiosocket:port=9000"], "audiosocket:port", "9000" },
        { ["--audiosocket:port", "9000"], "audiosocket:port", "9000" },
        { ["--providers:deepgram:greeting=Hello, caller = you"], "providers:deepgram:greeting", "Hello, caller = you" },
        { ["--providers:local:greeting="], "providers:local:greeting", "" },
        { ["--silo:http_port=1", "--silo:http_port=2"], "silo:http_port", "2" },
        { ["--Silo:Http_Port=3"], "silo:http_port", "3" },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Each_documented_form_sets_its_key(string[] args, string key, string value)
    {
        var result = CommandLineOverrides.Parse(args);
        Assert.Empty(result.Errors);
        Assert.Equal(value, result.Keys[key]);
    }

    public static TheoryData<string[], string> Unusable => new()
    {
        { ["stray"], "'stray': not a --key=value" },
        { ["-p=9000"], "'-p=9000': not a --key=value" },
        { ["/port=9000"], "'/port=9000': not a --key=value" },
        { ["--default_provider"], "'--default_provider': no value" },
        { ["--audiosocket:port", "--silo:http_port=1"], "'--audiosocket:port': no value" },
        { ["--=x"], "'--=x': the key is empty" },
        { ["--"], "'--': no value" },
        { ["--audio socket:port=1"], "'--audio socket:port=1': a key has no spaces" },
        { ["--audiosocket::port=1"], "'--audiosocket::port=1': a section path" },
        { ["--audiosocket:=1"], "'--audiosocket:=1': a section path" },
    };

    [Theory]
    [MemberData(nameof(Unusable))]
    public void An_argument_that_cannot_be_used_is_an_error_naming_it(string[] args, string error)
    {
        var result = CommandLineOverrides.Parse(args);
        Assert.StartsWith(error, Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Good_arguments_beside_a_bad_one_are_still_parsed()
    {
        var result = CommandLineOverrides.Parse(["--config", "x.yaml", "oops", "--default_provider=local"]);
        Assert.Equal(["'oops': not a --key=value, --section:key=value or --key value argument"], result.Errors);
        Assert.Equal(("x.yaml", "local"), (result.Keys["config"], result.Keys["default_provider"]));
    }
}
