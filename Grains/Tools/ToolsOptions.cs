using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Tools;

/// <summary>
/// <c>tools</c> in <c>config/ai-agent.yaml</c>: which built-in tools the model is offered and the default tool timeout.
/// Read at each call's start (an edit applies to the next call). <c>tools.http</c> and <c>tools.mcp</c> are bound by
/// their own options classes.
/// </summary>
public sealed class ToolsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "tools";

    /// <summary>The built-ins offered when <c>tools.enabled</c> is not set.</summary>
    public static readonly IReadOnlyList<string> DefaultEnabled = [BuiltInTools.HangupCall, BuiltInTools.TransferCall];

    /// <summary>
    /// <c>tools.enabled</c>: the built-in tools offered to the model; null (not set) offers <see cref="DefaultEnabled"/>.
    /// Null rather than a pre-filled list, because the binder appends a file's items to a list it finds filled.
    /// </summary>
    public List<string>? Enabled { get; set; }

    /// <summary><c>tools.timeout_ms</c>: how long a tool may run when it sets no timeout of its own.</summary>
    [ConfigurationKeyName("timeout_ms")]
    public int TimeoutMs { get; set; } = 5_000;

    /// <summary>The built-ins in force: <see cref="Enabled"/>, or <see cref="DefaultEnabled"/> when not set (a method: not a key).</summary>
    public IReadOnlyList<string> EnabledTools() => Enabled ?? DefaultEnabled;
}

/// <summary><c>transfer</c>: where <c>transfer_call</c> may send a caller.</summary>
public sealed class TransferOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "transfer";

    /// <summary><c>transfer.destinations</c>: the allow-list the model chooses from; empty means no <c>transfer_call</c>.</summary>
    public List<TransferDestinationOptions> Destinations { get; set; } = [];

    /// <summary>The destination named <paramref name="name"/> (names are unique, by the validator), or null.</summary>
    public TransferDestinationOptions? Find(string? name) => Destinations.FirstOrDefault(d => d.Name == name);
}

/// <summary>One <c>transfer.destinations</c> entry.</summary>
public sealed class TransferDestinationOptions
{
    /// <summary>The kinds a destination may be (informational for the model and the docs).</summary>
    public static readonly IReadOnlyList<string> Kinds = ["queue", "extension", "ring_group"];

    /// <summary><c>name</c>: the name the model sees and the disposition carries (<c>transfer:&lt;name&gt;</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary><c>description</c>: when the model should send the caller there.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary><c>kind</c>: <c>queue</c>, <c>extension</c> or <c>ring_group</c>.</summary>
    public string Kind { get; set; } = "queue";

    /// <summary><c>context</c>: the dialplan context of the target (ARI mode).</summary>
    public string? Context { get; set; }

    /// <summary><c>extension</c>: the dialplan extension of the target (ARI mode).</summary>
    public string? Extension { get; set; }

    /// <summary><c>priority</c>: the dialplan priority of the target (ARI mode).</summary>
    public int Priority { get; set; } = 1;

    /// <summary>
    /// <c>warm</c>: in ARI mode, brief a human before handing the caller over (hold music, dial <see cref="Endpoint"/>,
    /// the agent briefs them, DTMF 1 accepts). Dialplan mode has no way to do this and transfers blind.
    /// </summary>
    public bool Warm { get; set; }

    /// <summary><c>endpoint</c>: what a warm transfer dials (an ARI originate endpoint such as <c>PJSIP/sales-desk</c>); never shown to the model.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>ring_timeout_s</c>: how long a warm transfer lets the human's phone ring.</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("ring_timeout_s")]
    public int RingTimeoutSeconds { get; set; } = 20;

    /// <summary><c>accept_timeout_s</c>: how long the briefed human has to press 1 (accept) or 2 (decline).</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("accept_timeout_s")]
    public int AcceptTimeoutSeconds { get; set; } = 30;

    /// <summary>The warm-transfer target of this destination, or null when it transfers blind.</summary>
    public Interfaces.Asterisk.WarmTransferTarget? WarmTarget() =>
        Warm && Endpoint is { } endpoint ? new(Name, endpoint, RingTimeoutSeconds, AcceptTimeoutSeconds) : null;
}
