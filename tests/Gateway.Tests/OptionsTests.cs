using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Hosting;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_valid()
    {
        Assert.True(new AudioSocketOptionsValidator().Validate(null, new AudioSocketOptions()).Succeeded);
        Assert.True(new ClusteringOptionsValidator().Validate(null, new ClusteringOptions()).Succeeded);
    }

    [Fact]
    public void Every_bad_key_is_reported_with_its_name_and_allowed_values()
    {
        var options = new AudioSocketOptions
        {
            Host = "gateway.example",
            Port = 70_000,
            Format = "opus",
            FrameMs = 25,
            KeepaliveMs = 2_500,
            MaxFrameBytes = 100,
            IdleTimeoutSeconds = 0,
            UnknownKind = "crash",
        };

        var result = new AudioSocketOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.StartsWith("audiosocket.host:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("audiosocket.port:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("audiosocket.format: 'opus'", StringComparison.Ordinal) && f.Contains("slin, slin12, slin16", StringComparison.Ordinal) && f.Contains("ulaw, alaw", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("audiosocket.frame_ms:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("audiosocket.keepalive_ms:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("audiosocket.max_frame_bytes:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("audiosocket.idle_timeout_seconds:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("audiosocket.unknown_kind: 'crash'", StringComparison.Ordinal) && f.Contains("hangup, ignore", StringComparison.Ordinal));
        Assert.Equal(8, failures.Count);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(20, true)]
    [InlineData(600, true)]
    [InlineData(0, false)]
    [InlineData(601, false)]
    public void The_drain_timeout_is_between_1_and_600_seconds(int seconds, bool valid)
    {
        var result = new GatewayInstanceOptionsValidator().Validate(null, new GatewayInstanceOptions { DrainTimeoutSeconds = seconds });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.StartsWith("gateway.drain_timeout_seconds:", Assert.Single(result.Failures!), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, 20, true)]
    [InlineData(40, 20, true)]
    [InlineData(20, 20, true)]
    [InlineData(2_000, 20, true)]
    [InlineData(10, 20, false)]
    [InlineData(-1, 20, false)]
    [InlineData(2_001, 20, false)]
    [InlineData(40, 60, false)] // below one 60 ms frame: every frame would look late
    public void Caller_gap_fill_is_off_or_at_least_a_frame_period(int fillMs, int frameMs, bool valid)
    {
        var result = new AudioSocketOptionsValidator().Validate(null, new AudioSocketOptions { CallerGapFillMs = fillMs, FrameMs = frameMs });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.StartsWith("audiosocket.caller_gap_fill_ms:", Assert.Single(result.Failures!), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(5, true)]
    [InlineData(0, false)]
    [InlineData(6, false)]
    public void Caller_frames_per_message_is_1_to_5(int frames, bool valid)
    {
        var result = new AudioSocketOptionsValidator().Validate(null, new AudioSocketOptions { CallerFramesPerMessage = frames });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Equal($"audiosocket.caller_frames_per_message: {frames} must be between 1 and 5", Assert.Single(result.Failures!));
        }
    }

    [Fact]
    public void Snake_case_keys_bind()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["audiosocket:format"] = "slin16",
            ["audiosocket:uuid_timeout_ms"] = "1500",
            ["audiosocket:idle_grace_seconds"] = "9",
            ["audiosocket:playout_lead_ms"] = "60",
            ["audiosocket:max_frame_bytes"] = "4096",
        }).Build();

        var options = configuration.GetSection("audiosocket").Get<AudioSocketOptions>()!;

        Assert.Equal("slin16", options.Format);
        Assert.Equal(1500, options.UuidTimeoutMs);
        Assert.Equal(9, options.IdleGraceSeconds);
        Assert.Equal(60, options.PlayoutLeadMs);
        Assert.Equal(4096, options.MaxFrameBytes);
        Assert.Equal(AiAgent.Grains.Interfaces.Audio.AudioFormat.Slin16, AudioSocketFormats.Parse(options.Format));
    }

    [Fact]
    public async Task A_bad_value_stops_start_up_with_every_error()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["audiosocket:host"] = "127.0.0.1",
            ["audiosocket:port"] = "0",
            ["audiosocket:format"] = "g729",
            ["audiosocket:idle_grace_seconds"] = "-1",
        });
        builder.AddAudioSocketGateway();

        // Kestrel reads its listener from the options while the host is built, so the error may come from Build.
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = builder.Build();
            await app.StartAsync();
        });

        Assert.Contains(ex.Failures, f => f.StartsWith("audiosocket.format: 'g729'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("audiosocket.idle_grace_seconds:", StringComparison.Ordinal));
    }
}
