using System.Text.Json;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// The session settings this provider sends (<c>session.update</c>, the greeting's <c>response.create</c>) and the
/// check of what the server applied (<c>session.updated</c>): docs/protocols/openai-realtime.md, session.update.
/// </summary>
internal static class RealtimeSessionSettings
{
    /// <summary>The session object <c>session.update</c> carries for these options and formats.</summary>
    public static RealtimeSessionConfig Build(OpenAIRealtimeOptions options, ProviderAudioFormats formats, Tools.ToolSet? tools = null)
    {
        var td = options.TurnDetection;
        // interrupt_response=false: the server must not cancel the agent on its own when it hears speech, because
        // during the greeting-protection window and the echo guard that speech is line echo. The grain decides what
        // is a real barge-in and then this session sends response.cancel + conversation.item.truncate itself.
        var turnDetection = td.Type == "semantic_vad"
            ? new RealtimeTurnDetectionConfig("semantic_vad", null, null, null, td.Eagerness, CreateResponse: true, InterruptResponse: false)
            : new RealtimeTurnDetectionConfig("server_vad", td.Threshold, td.PrefixPaddingMs, td.SilenceDurationMs, null, CreateResponse: true, InterruptResponse: false);
        var transcription = options.TranscriptionModel.Length > 0 ? new RealtimeTranscriptionConfig(options.TranscriptionModel) : null;
        return new RealtimeSessionConfig(
            options.Instructions,
            ["audio"],
            new RealtimeAudioConfig(
                new RealtimeAudioInputConfig(ToWire(formats.Input), transcription, turnDetection),
                new RealtimeAudioOutputConfig(ToWire(formats.Output), options.Voice)))
        {
            Tools = tools is null || tools.IsEmpty
                ? null
                : [.. tools.Tools.Select(t => new RealtimeFunctionTool(t.Definition.Name, t.Definition.Description, t.Definition.Parameters))],
            ToolChoice = tools is null || tools.IsEmpty ? null : "auto",
        };
    }

    /// <summary>
    /// The greeting response's <c>instructions</c>: the session instructions, then the greeting request. A per-response
    /// <c>instructions</c> replaces the session's for that response, so the persona has to travel with it. Chosen over
    /// a system item plus a bare <c>response.create</c>: this leaves nothing behind in the conversation, whereas a
    /// "greet the caller" system item would stay in the model's context for every later turn.
    /// </summary>
    public static string GreetingInstructions(OpenAIRealtimeOptions options) =>
        options.Instructions.Length == 0 ? options.Greeting : options.Instructions + "\n\n" + options.Greeting;

    /// <summary>The GA format object of an audio format.</summary>
    public static RealtimeAudioFormat ToWire(AudioFormat format) => format.Encoding switch
    {
        AudioEncoding.Mulaw => new RealtimeAudioFormat("audio/pcmu", null),
        AudioEncoding.Alaw => new RealtimeAudioFormat("audio/pcma", null),
        _ => new RealtimeAudioFormat("audio/pcm", format.SampleRate),
    };

    /// <summary>
    /// Reads the effective session of <c>session.updated</c>: its id and applied audio formats, and whether those are
    /// the declared ones. Null when it carried no session object.
    /// </summary>
    public static EffectiveSession? ReadEffective(ReadOnlySpan<byte> session, ProviderAudioFormats declared)
    {
        if (session.IsEmpty)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(session.ToArray());
        var root = doc.RootElement;
        var sessionId = root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        var input = FormatOf(root, "input");
        var output = FormatOf(root, "output");
        return new EffectiveSession(sessionId, input, output, input == ToWire(declared.Input) && output == ToWire(declared.Output));
    }

    /// <summary>A format object as text: <c>audio/pcm@24000</c>, <c>audio/pcmu</c>, <c>(none)</c>.</summary>
    public static string Describe(RealtimeAudioFormat? f) => f is null ? "(none)" : f.Rate is { } r ? $"{f.Type}@{r}" : f.Type;

    private static RealtimeAudioFormat? FormatOf(JsonElement root, string direction)
    {
        if (root.TryGetProperty("audio", out var audio) && audio.ValueKind == JsonValueKind.Object &&
            audio.TryGetProperty(direction, out var dir) && dir.ValueKind == JsonValueKind.Object &&
            dir.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object &&
            format.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
        {
            // audio/pcm is 24 kHz only; a server echoing it without "rate" means exactly that, not a mismatch.
            var rate = type.GetString() != "audio/pcm" ? (int?)null
                : format.TryGetProperty("rate", out var r) && r.ValueKind == JsonValueKind.Number && r.TryGetInt32(out var v) ? v : 24_000;
            return new RealtimeAudioFormat(type.GetString()!, rate);
        }

        return null;
    }
}

/// <summary>What <c>session.updated</c> says: the session id, the applied formats, and whether they are the declared ones.</summary>
internal sealed record EffectiveSession(string? SessionId, RealtimeAudioFormat? Input, RealtimeAudioFormat? Output, bool MatchesDeclared);
