using System.Globalization;
using System.Text.Json;

namespace AiAgent.Emulators.Common;

/// <summary>
/// A function call the emulated model makes: after the caller's <see cref="AfterTurn"/>th turn it asks for
/// <see cref="Name"/> with <see cref="ArgumentsJson"/>, waits for the client's result, then speaks (a short farewell
/// after <c>hangup_call</c>, its normal reply otherwise). Several for the same turn are asked for together.
/// </summary>
/// <param name="AfterTurn">The caller turn (1-based) after which the call is made.</param>
/// <param name="Name">The function name.</param>
/// <param name="ArgumentsJson">The arguments, as the JSON text the model writes (sent as is, valid or not).</param>
public sealed record ScriptedToolCall(int AfterTurn, string Name, string ArgumentsJson)
{
    /// <summary>The tool whose result is followed by the farewell rather than the reply.</summary>
    public const string HangupName = "hangup_call";

    /// <summary>Parses <c>N:name:json</c> (the command line's <c>--tool-call</c>); the JSON may contain colons.</summary>
    /// <exception cref="FormatException">Not in that shape.</exception>
    public static ScriptedToolCall Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Split(':', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var turn) || turn < 1 || parts[1].Length == 0)
        {
            throw new FormatException($"--tool-call '{spec}': expected N:name:json (N the caller turn, 1 or more), e.g. 1:hangup_call:{{\"reason\":\"done\"}}");
        }

        return new ScriptedToolCall(turn, parts[1], parts.Length == 3 && parts[2].Length > 0 ? parts[2] : "{}");
    }

    /// <summary>The arguments as a JSON string value (what both protocols carry).</summary>
    public string ArgumentsAsJsonString() => JsonSerializer.Serialize(ArgumentsJson);
}

/// <summary>A function result the emulator received for one of its scripted calls.</summary>
/// <param name="CallId">The provider's id (OpenAI <c>call_id</c>, Deepgram <c>id</c>).</param>
/// <param name="Name">The function name.</param>
/// <param name="Output">The result text (OpenAI <c>output</c>, Deepgram <c>content</c>).</param>
public sealed record ToolCallResult(string CallId, string Name, string Output);
