using System.Net;
using System.Net.Sockets;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiAgent.Gateway.Tests;

/// <summary>
/// The keys the standalone gateway reads (derived from the options types it binds), and its start-up refusing an
/// argument that sets a key nothing reads.
/// </summary>
public sealed class GatewaySettingsTests : IDisposable
{
    private static readonly ConfigurationSchema s_gateway = Program.Settings();

    private readonly string _config = WriteConfig();

    public void Dispose() => File.Delete(_config);

    [Theory]
    [InlineData("audiosocket:port")]
    [InlineData("AUDIOSOCKET:FORMAT_PROBE_MS")]
    [InlineData("audiosocket:unknown_kind")]
    [InlineData("gateway:id")]
    [InlineData("gateway:http_port")]
    [InlineData("clustering:mode")]
    [InlineData("clustering:silo_port")]
    [InlineData("telemetry:otlp_protocol")]
    [InlineData("streams:queues")]
    [InlineData("Logging:LogLevel:Default")]
    [InlineData("config")]
    public void A_key_the_gateway_binds_is_known(string key) => Assert.True(s_gateway.IsKnown(key), key);

    [Theory]
    [InlineData("audiosocket:prot", "audiosocket:port")]
    [InlineData("audiosocket:keepalive", "audiosocket:keepalive_ms")]
    [InlineData("gateway:htp_port", "gateway:http_port")]
    [InlineData("clustering:servce_id", "clustering:service_id")]
    [InlineData("telemetry:otlp_endpiont", "telemetry:otlp_endpoint")]
    [InlineData("streams:queus", "streams:queues")]
    public void A_misspelt_key_is_unknown_with_the_nearest_suggested(string key, string nearest)
    {
        Assert.False(s_gateway.IsKnown(key), key);
        Assert.Equal(nearest, s_gateway.Closest(key));
    }

    [Theory]
    [InlineData("streams:pull_period_ms")] // the silo's
    [InlineData("audiosocket:ignoreunknownkinds")] // get-only
    [InlineData("gateway:effectiveid")]
    public void A_key_the_gateway_does_not_read_is_unknown(string key) => Assert.False(s_gateway.IsKnown(key), key);

    [Fact]
    public void Sections_only_the_silo_reads_are_left_to_the_silo()
    {
        // One set of ports for every process, as docs/gateway.md runs them; the silo checks its own sections.
        var keys = CommandLineOverrides.Parse(["--silo:http_port=18080", "--providers:deepgram:voise=x", "--default_provider=local", "--audiosocket:prot=1"]).Keys.Keys;

        var errors = UnusedSettingCheck.Find(s_gateway, keys, ["AIAGENT_STORAGE__MODE", "AIAGENT_GATEWAY__HTTP_PROT"], []);

        Assert.Collection(
            errors,
            e => Assert.StartsWith("'--audiosocket:prot': no setting reads 'audiosocket:prot'; did you mean audiosocket:port?", e, StringComparison.Ordinal),
            e => Assert.StartsWith("'AIAGENT_GATEWAY__HTTP_PROT': no setting reads 'GATEWAY:HTTP_PROT'; did you mean gateway:http_port (AIAGENT_GATEWAY__HTTP_PORT)?", e, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_section_key_stops_the_start_up_naming_it()
    {
        using var errors = new StringWriter();

        var app = await Program.BuildAsync(["--config", _config, "--audiosocket:prot=1", "--gateway:http_prot", "2"], errors);

        Assert.Null(app);
        Assert.Contains("'--audiosocket:prot': no setting reads 'audiosocket:prot'; did you mean audiosocket:port?", errors.ToString(), StringComparison.Ordinal);
        Assert.Contains("'--gateway:http_prot': no setting reads 'gateway:http_prot'; did you mean gateway:http_port?", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_nested_keys_build_the_gateway()
    {
        using var errors = new StringWriter();
        var port = FreePort();

        // Built, not started: no silo to connect to.
        await using var app = await Program.BuildAsync(
            ["--config", _config, $"--audiosocket:port={port}", "--audiosocket:format", "slin16", "--Clustering:Silo_Port=11200", "--silo:http_port=18080"], errors);

        Assert.True(app is not null, errors.ToString());
        var configuration = app.Services.GetRequiredService<IConfiguration>();
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), configuration["audiosocket:port"]);
        Assert.Equal("slin16", configuration["audiosocket:format"]);
    }

    private static string WriteConfig()
    {
        var path = Path.Combine(Path.GetTempPath(), $"aiagent-gateway-settings-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            audiosocket:
              host: 127.0.0.1
              port: 0
            gateway:
              id: settings-test
              http_port: {FreePort()}
            clustering:
              mode: localhost
              cluster_id: gateway-settings-{Guid.NewGuid():N}
            telemetry:
              runtime_metrics: false
            Logging:
              LogLevel:
                Default: Warning
            """);
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
