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
