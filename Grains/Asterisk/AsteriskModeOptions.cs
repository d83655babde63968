using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// <c>asterisk.mode</c> and <c>asterisk.ari</c>: how calls reach the platform. In <c>dialplan</c> mode (the default)
/// the dialplan runs <c>AudioSocket()</c> and the platform only answers the socket; in <c>ari</c> mode the platform
/// also drives the call over Asterisk's REST Interface (docs/ari.md).
/// </summary>
public sealed class AsteriskModeOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "asterisk";

    /// <summary>Allowed values of <c>asterisk.mode</c>, compared ignoring case.</summary>
    public static readonly IReadOnlyList<string> Modes = ["dialplan", "ari"];

    /// <summary><c>asterisk.mode</c>: <c>dialplan</c> or <c>ari</c>.</summary>
    public string Mode { get; set; } = "dialplan";

    /// <summary><c>asterisk.ari</c>: read only in <c>ari</c> mode.</summary>
    public AriOptions Ari { get; set; } = new();

    /// <summary>True when the platform drives calls over ARI.</summary>
    public bool UsesAri => string.Equals(Mode, "ari", StringComparison.OrdinalIgnoreCase);
}

/// <summary><c>asterisk.ari</c>: the ARI application this platform runs and where its AudioSocket legs go.</summary>
public sealed class AriOptions
{
    /// <summary>Allowed values of <c>asterisk.ari.format</c>: the external-media codec (8 or 16 kHz signed linear).</summary>
    public static readonly IReadOnlyList<string> Formats = ["slin", "slin16"];

    /// <summary><c>asterisk.ari.url</c>: ARI's base URL, <c>http://host:8088/ari</c> (http.conf's bind address and port).</summary>
    public string Url { get; set; } = "http://127.0.0.1:8088/ari";

    /// <summary><c>asterisk.ari.app</c>: the Stasis application name the dialplan passes to <c>Stasis()</c>.</summary>
    public string App { get; set; } = "aiagent";

    /// <summary><c>asterisk.ari.username</c>: the ari.conf user.</summary>
    public string Username { get; set; } = "aiagent";

    /// <summary><c>asterisk.ari.password_env</c>: the environment variable holding that user's password (never this file).</summary>
    [ConfigurationKeyName("password_env")]
    public string PasswordEnv { get; set; } = "AIAGENT_ARI_PASSWORD";

    /// <summary>
    /// <c>asterisk.ari.external_host</c>: <c>host:port</c> of an AudioSocket gateway as Asterisk reaches it (a Service in
    /// Kubernetes), or several separated by commas; each call's external-media channel dials one with the call id as
    /// its first frame, and a leg that ends while the call is live is re-dialled to the next (<see cref="ExternalHosts"/>).
    /// </summary>
    [ConfigurationKeyName("external_host")]
    public string ExternalHost { get; set; } = "127.0.0.1:8090";

    /// <summary><c>asterisk.ari.format</c>: external-media codec, <c>slin16</c> (wideband, kind 0x12) or <c>slin</c> (0x10).</summary>
    public string Format { get; set; } = "slin16";

    /// <summary><c>asterisk.ari.transfer_context</c>: the dialplan context a <c>transfer:&lt;name&gt;</c> disposition continues into, at extension <c>name</c>.</summary>
    [ConfigurationKeyName("transfer_context")]
    public string TransferContext { get; set; } = "aiagent-transfer";

    /// <summary>The gateway addresses of <see cref="ExternalHost"/>, in order (empty entries dropped).</summary>
    public IReadOnlyList<string> ExternalHosts() =>
        ExternalHost.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The password from <see cref="PasswordEnv"/>, or null when unset.</summary>
    public string? ReadPassword() => Environment.GetEnvironmentVariable(PasswordEnv) is { Length: > 0 } password ? password : null;
}
