using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>What a call's end asks the dialplan (or ARI mode) to do next.</summary>
public enum CallDispositionKind
{
    /// <summary>The call is over: hang the caller up.</summary>
    Hangup = 0,

    /// <summary>Hand the caller to the named destination.</summary>
    Transfer = 1,

    /// <summary>The platform went away mid-call: connect again with the same call id.</summary>
    Reconnect = 2,

    /// <summary>The call failed on the platform's side.</summary>
    Error = 3,
}

/// <summary>
/// How a call ended, as the dialplan reads it after <c>AudioSocket()</c> returns (docs/api.md, "Call disposition"):
/// <c>hangup</c>, <c>transfer:&lt;name&gt;</c>, <c>reconnect</c> or <c>error</c>. A destination is a name an admin maps
/// in the dialplan, never a dial string, so it is a narrow token.
/// </summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallDisposition")]
public sealed partial record CallDisposition
{
    private const string TransferPrefix = "transfer:";

    private CallDisposition(CallDispositionKind kind, string? destination)
    {
        Kind = kind;
        Destination = destination;
    }

    /// <summary>What to do next.</summary>
    [Id(0)]
    public CallDispositionKind Kind { get; }

    /// <summary>The destination name of a <see cref="CallDispositionKind.Transfer"/>; null otherwise.</summary>
    [Id(1)]
    public string? Destination { get; }

    /// <summary><c>hangup</c>.</summary>
    public static CallDisposition Hangup { get; } = new(CallDispositionKind.Hangup, null);

    /// <summary><c>reconnect</c>.</summary>
    public static CallDisposition Reconnect { get; } = new(CallDispositionKind.Reconnect, null);

    /// <summary><c>error</c>.</summary>
    public static CallDisposition Error { get; } = new(CallDispositionKind.Error, null);

    /// <summary><c>transfer:&lt;destination&gt;</c>; throws <see cref="ArgumentException"/> for a name that is not a valid token.</summary>
    public static CallDisposition TransferTo(string destination) =>
        IsDestinationName(destination)
            ? new(CallDispositionKind.Transfer, destination)
            : throw new ArgumentException($"'{destination}' is not a destination name (1-64 of A-Z a-z 0-9 _ . -)", nameof(destination));

    /// <summary>Whether <paramref name="name"/> is a valid destination name: 1-64 of <c>A-Z a-z 0-9 _ . -</c>.</summary>
    public static bool IsDestinationName([NotNullWhen(true)] string? name) => name is not null && DestinationName().IsMatch(name);

    /// <summary>The disposition a call ended for <paramref name="reason"/> has, unless the platform chose one.</summary>
    public static CallDisposition ForEndReason(CallEndReason reason) => reason switch
    {
        CallEndReason.CallerHangup or CallEndReason.AgentHangup or CallEndReason.IdleTimeout => Hangup,
        CallEndReason.Shutdown or CallEndReason.GatewayLost or CallEndReason.Superseded => Reconnect,
        _ => Error,
    };

    /// <summary>Parses the wire text (exact, lower case); false for anything else.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out CallDisposition? disposition)
    {
        disposition = text switch
        {
            "hangup" => Hangup,
            "reconnect" => Reconnect,
            "error" => Error,
            _ when text is not null && text.StartsWith(TransferPrefix, StringComparison.Ordinal) && IsDestinationName(text[TransferPrefix.Length..])
                => new CallDisposition(CallDispositionKind.Transfer, text[TransferPrefix.Length..]),
            _ => null,
        };
        return disposition is not null;
    }

    /// <summary>The wire text: <c>hangup</c>, <c>transfer:&lt;name&gt;</c>, <c>reconnect</c> or <c>error</c>.</summary>
    public override string ToString() => Kind switch
    {
        CallDispositionKind.Hangup => "hangup",
        CallDispositionKind.Transfer => TransferPrefix + Destination,
        CallDispositionKind.Reconnect => "reconnect",
        _ => "error",
    };

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex DestinationName();
}
