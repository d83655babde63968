using AiAgent.Failover;
using AiAgent.Failover.Ari;
using AiAgent.Failover.Scenarios;

namespace AiAgent.Failover.Tests;

/// <summary>The harness's command line: <c>--asterisk</c>, <c>--gateways</c> and the gateway scenarios, and what they refuse.</summary>
public sealed class FailoverOptionsTests
{
    [Fact]
    public void Dialplan_mode_and_one_gateway_are_the_defaults()
    {
        var options = FailoverOptions.Parse(["--scenario", "kill"])!;

        Assert.Equal((AsteriskMode.Dialplan, 1, Scenario.Kill), (options.Asterisk, options.Gateways, options.Scenario));
    }

    [Theory]
    [InlineData("gateway-drain", "GatewayDrain")]
    [InlineData("gateway-kill", "GatewayKill")]
    [InlineData("gateway-rolling", "GatewayRolling")]
    public void Ari_mode_runs_the_gateway_scenarios_over_several_gateways(string name, string scenarioMember)
    {
        var scenario = Enum.Parse<Scenario>(scenarioMember);
        var options = FailoverOptions.Parse(["--asterisk", "ari", "--scenario", name, "--gateways", "3", "--calls", "8", "--runs", "3"])!;

        Assert.Equal((AsteriskMode.Ari, 3, scenario, 8, 3), (options.Asterisk, options.Gateways, options.Scenario, options.Calls, options.Runs));
        Assert.Equal("ari", options.Asterisk.Name());
        Assert.Equal(name, options.Scenario.Name());
    }

    [Theory]
    [InlineData("gateway-drain", "GatewayDrain")]
    [InlineData("gateway-rolling", "GatewayRolling")]
    [InlineData("rolling-all", "RollingAll")]
    [InlineData("kill", "Kill")]
    public void Dialplan_mode_over_several_gateways_runs_every_scenario(string name, string scenarioMember)
    {
        var options = FailoverOptions.Parse(["--scenario", name, "--gateways", "2", "--calls", "50"])!;

        Assert.Equal((AsteriskMode.Dialplan, 2, Enum.Parse<Scenario>(scenarioMember), 50), (options.Asterisk, options.Gateways, options.Scenario, options.Calls));
    }

    [Theory]
    [InlineData(new[] { "--asterisk", "ari", "--scenario", "gateway-drain" }, "--gateways 2 or more")]
    [InlineData(new[] { "--asterisk", "ari", "--scenario", "gateway-kill", "--gateways", "1" }, "--gateways 2 or more")]
    [InlineData(new[] { "--asterisk", "ari", "--scenario", "kill", "--gateways", "2" }, "not kill")]
    [InlineData(new[] { "--asterisk", "ari", "--scenario", "rolling", "--gateways", "2" }, "not rolling")]
    [InlineData(new[] { "--asterisk", "ari", "--scenario", "rolling-all", "--gateways", "2" }, "not rolling-all")]
    [InlineData(new[] { "--scenario", "gateway-drain" }, "gateway-drain needs --gateways 2 or more")]
    [InlineData(new[] { "--scenario", "rolling-all", "--gateways", "1" }, "rolling-all needs --gateways 2 or more")]
    [InlineData(new[] { "--asterisk", "pjsip", "--scenario", "kill" }, "'pjsip' is not dialplan or ari")]
    [InlineData(new[] { "--asterisk", "--scenario", "kill" }, "--asterisk needs a value")]
    [InlineData(new[] { "--asterisk", "ari", "--scenario", "gateway-kill", "--gateways", "0" }, "--gateways: '0' is not a whole number from 1 to 10")]
    [InlineData(new[] { "--asterisk", "ari", "--scenario", "gateway-kill", "--gateways", "11" }, "--gateways: '11' is not a whole number from 1 to 10")]
    public void A_bad_combination_is_refused_naming_the_option(string[] args, string message)
    {
        var error = Assert.Throws<FormatException>(() => FailoverOptions.Parse(args));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_help_names_the_ari_mode_and_its_scenarios()
    {
        Assert.Null(FailoverOptions.Parse(["--help"]));
        Assert.Contains("--asterisk MODE", FailoverOptions.Usage, StringComparison.Ordinal);
        Assert.Contains("gateway-drain", FailoverOptions.Usage, StringComparison.Ordinal);
        Assert.Contains("--gateways N", FailoverOptions.Usage, StringComparison.Ordinal);
    }
}
