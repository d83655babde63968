using AiAgent.Grains.Asterisk;

namespace AiAgent.AriMode.Tests;

public sealed class AsteriskModeOptionsValidatorTests
{
    private readonly AsteriskModeOptionsValidator _validator = new();

    [Fact]
    public void Dialplan_mode_does_not_read_the_ari_block()
    {
        var options = new AsteriskModeOptions { Ari = { Url = "not a url", PasswordEnv = "AIAGENT_TEST_UNSET_" + Guid.NewGuid().ToString("N") } };
        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void An_unknown_mode_is_named()
    {
        var result = _validator.Validate(null, new AsteriskModeOptions { Mode = "agi" });
        Assert.Contains("asterisk.mode", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Ari_mode_names_every_bad_key()
    {
        var options = new AsteriskModeOptions
        {
            Mode = "ari",
            Ari = { Url = "ftp://pbx", App = "", ExternalHost = "nohostport", Format = "ulaw", PasswordEnv = "AIAGENT_TEST_UNSET_" + Guid.NewGuid().ToString("N") },
        };
        var message = _validator.Validate(null, options).FailureMessage;
        foreach (var key in new[] { "asterisk.ari.url", "asterisk.ari.app", "asterisk.ari.external_host", "asterisk.ari.format", "asterisk.ari.password_env" })
        {
            Assert.Contains(key, message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("gw-a:8090,gw-b:8090", true)]
    [InlineData(" 10.0.0.5:8090 , 10.0.0.6:8090 ", true)]
    [InlineData("gw-a:8090,nohostport", false)]
    [InlineData(",", false)]
    public void External_host_takes_a_comma_separated_list_of_gateways(string value, bool valid)
    {
        var variable = "AIAGENT_TEST_ARI_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "secret");
        try
        {
            var options = new AsteriskModeOptions { Mode = "ari", Ari = { PasswordEnv = variable, ExternalHost = value } };
            var result = _validator.Validate(null, options);
            Assert.Equal(valid, result.Succeeded);
            Assert.True(valid || (result.FailureMessage ?? string.Empty).Contains("asterisk.ari.external_host", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void External_hosts_are_read_in_order_without_blanks()
    {
        Assert.Equal(["gw-a:8090", "gw-b:8090"], new AriOptions { ExternalHost = " gw-a:8090, ,gw-b:8090 " }.ExternalHosts());
    }

    [Fact]
    public void Ari_mode_with_a_password_in_the_environment_is_valid()
    {
        var variable = "AIAGENT_TEST_ARI_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "secret");
        try
        {
            var options = new AsteriskModeOptions { Mode = "ari", Ari = { PasswordEnv = variable, ExternalHost = "gateway.example.com:8090" } };
            Assert.True(_validator.Validate(null, options).Succeeded);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
