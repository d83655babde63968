using System.Net;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.Configuration;

/// <summary>Validates <see cref="AudioSocketOptions"/> at start-up, collecting every error, each naming its YAML key.</summary>
public sealed class AudioSocketOptionsValidator : IValidateOptions<AudioSocketOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, AudioSocketOptions options)
    {
        var errors = new List<string>();
        const string p = AudioSocketOptions.SectionName;

        if (!IsListenHost(options.Host))
        {
            errors.Add($"{p}.host: '{options.Host}' is not an IP address; allowed values: an IPv4/IPv6 address, localhost or *");
        }

        Range(errors, $"{p}.port", options.Port, 0, 65_535);
        if (!AudioSocketFormats.TryParse(options.Format, out _))
        {
            errors.Add($"{p}.format: '{options.Format}' is not an AudioSocket format; allowed values: {string.Join(", ", AudioSocketFormats.Names)}");
        }

        if (options.FrameMs is not (10 or 20 or 30 or 40 or 60))
        {
            errors.Add($"{p}.frame_ms: {options.FrameMs} is not a packetization Asterisk uses; allowed values: 10, 20, 30, 40, 60");
        }

        Range(errors, $"{p}.uuid_timeout_ms", options.UuidTimeoutMs, 100, 60_000);
        Range(errors, $"{p}.format_probe_ms", options.FormatProbeMs, 0, 10_000);
        Range(errors, $"{p}.idle_timeout_seconds", options.IdleTimeoutSeconds, 1, 86_400);
        Range(errors, $"{p}.idle_grace_seconds", options.IdleGraceSeconds, 0, 3_600);
        if (options.IdleSpeechThresholdDbfs is < -96 or > 0 || double.IsNaN(options.IdleSpeechThresholdDbfs))
        {
            errors.Add($"{p}.idle_speech_threshold_dbfs: {options.IdleSpeechThresholdDbfs} must be between -96 and 0");
        }

        if (options.KeepaliveMs != 0 && options.KeepaliveMs is < 100 or > 1_900)
        {
            // Asterisk's app gives up after 2000 ms of silence on both sides.
            errors.Add($"{p}.keepalive_ms: {options.KeepaliveMs} must be 0 (off) or between 100 and 1900 (Asterisk drops the call after 2000 ms without frames)");
        }

        if (options.CallerGapFillMs != 0 && (options.CallerGapFillMs < options.FrameMs || options.CallerGapFillMs > 2_000))
        {
            // Below one frame period ordinary jitter would trigger it; above 2 s the fill comes too late to matter.
            errors.Add($"{p}.caller_gap_fill_ms: {options.CallerGapFillMs} must be 0 (off) or between frame_ms ({options.FrameMs}) and 2000");
        }

        Range(errors, $"{p}.caller_frames_per_message", options.CallerFramesPerMessage, 1, 5);
        Range(errors, $"{p}.playout_lead_ms", options.PlayoutLeadMs, 0, 200);
        Range(errors, $"{p}.max_queue_seconds", options.MaxQueueSeconds, 1, 600);
        Range(errors, $"{p}.max_frame_bytes", options.MaxFrameBytes, 320, 65_535);
        Range(errors, $"{p}.liveness_ms", options.LivenessMs, 100, 10_000);
        Range(errors, $"{p}.failover_replay_ms", options.FailoverReplayMs, 0, 30_000);
        if (!AudioSocketOptions.UnknownKindPolicies.Contains(options.UnknownKind, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{p}.unknown_kind: '{options.UnknownKind}' is not a policy; allowed values: {string.Join(", ", AudioSocketOptions.UnknownKindPolicies)}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsListenHost(string? host) =>
        host is "*" || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host, out _);

    private static void Range(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key}: {value} must be between {min} and {max}");
        }
    }
}

/// <summary>Validates <see cref="GatewayInstanceOptions"/>.</summary>
public sealed class GatewayInstanceOptionsValidator : IValidateOptions<GatewayInstanceOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, GatewayInstanceOptions options)
    {
        var errors = new List<string>();
        if (options.HttpPort is < 0 or > 65_535)
        {
            errors.Add($"gateway.http_port: {options.HttpPort} must be between 0 and 65535");
        }

        if (options.DrainTimeoutSeconds is < 1 or > 600)
        {
            // Kubernetes kills the pod at terminationGracePeriodSeconds: a drain longer than that is cut short anyway.
            errors.Add($"gateway.drain_timeout_seconds: {options.DrainTimeoutSeconds} must be between 1 and 600");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates every section the standalone gateway reads, so one run reports every bad key.</summary>
public static class GatewayConfigurationValidator
{
    /// <summary>All errors of the <c>audiosocket</c>, <c>gateway</c> and <c>clustering</c> sections (empty when valid).</summary>
    public static IReadOnlyList<string> Validate(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        var errors = new List<string>();
        try
        {
            Collect(errors, new AudioSocketOptionsValidator().Validate(null, Bind<AudioSocketOptions>(configuration, AudioSocketOptions.SectionName)));
            Collect(errors, new GatewayInstanceOptionsValidator().Validate(null, Bind<GatewayInstanceOptions>(configuration, GatewayInstanceOptions.SectionName)));
            Collect(errors, new ClusteringOptionsValidator().Validate(null, Bind<ClusteringOptions>(configuration, ClusteringOptions.SectionName)));
        }
        catch (InvalidOperationException ex)
        {
            // The binder throws when a value does not convert (e.g. port: abc); its message names the key.
            errors.Add(ex.Message);
        }

        return errors;
    }

    private static T Bind<T>(Microsoft.Extensions.Configuration.IConfiguration configuration, string section) where T : new() =>
        Microsoft.Extensions.Configuration.ConfigurationBinder.Get<T>(configuration.GetSection(section)) ?? new T();

    private static void Collect(List<string> errors, ValidateOptionsResult result)
    {
        if (result.Failed)
        {
            errors.AddRange(result.Failures);
        }
    }
}
