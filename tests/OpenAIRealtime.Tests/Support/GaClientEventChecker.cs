using System.Text.Json;

namespace AiAgent.OpenAIRealtime.Tests.Support;

/// <summary>
/// An independent check of client events against the GA schema (docs/protocols/openai-realtime.md, Client events;
/// from the openai-python GA <c>*_param.py</c> types), written apart from both the provider and the emulator: required fields, allowed keys
/// (so beta fields are caught), value sets and ranges. It also enforces this provider's policy: server VAD only,
/// so never <c>input_audio_buffer.commit</c>, and never the WebRTC-only <c>output_audio_buffer.clear</c>.
/// </summary>
internal static class GaClientEventChecker
{
    private static readonly string[] s_voices = ["alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"];
    private static readonly string[] s_transcriptionModels =
    [
        "whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-mini-transcribe-2025-12-15", "gpt-4o-transcribe-diarize",
        "gpt-realtime-whisper", "gpt-transcribe", "gpt-live-transcribe",
    ];

    /// <summary>Problems with one client event; empty when it conforms.</summary>
    public static List<string> Check(string json)
    {
        var problems = new List<string>();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return [$"not JSON: {ex.Message}"];
        }

        using (doc)
        {
            var e = doc.RootElement;
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("type", out var typeProp) || typeProp.ValueKind != JsonValueKind.String)
            {
                return ["an event must be an object with a string type"];
            }

            var type = typeProp.GetString()!;
            if (e.TryGetProperty("event_id", out var id) && id.ValueKind != JsonValueKind.String)
            {
                problems.Add("event_id must be a string");
            }

            switch (type)
            {
                case "session.update":
                    Keys(e, problems, type, "type", "event_id", "session");
                    CheckSession(Required(e, "session", JsonValueKind.Object, problems), problems);
                    break;
                case "input_audio_buffer.append":
                    Keys(e, problems, type, "type", "event_id", "audio");
                    var audio = Required(e, "audio", JsonValueKind.String, problems);
                    if (audio.ValueKind == JsonValueKind.String)
                    {
                        if (!audio.TryGetBytesFromBase64(out var bytes) || bytes.Length == 0)
                        {
                            problems.Add("append: audio must be non-empty base64");
                        }
                        else if (bytes.Length > 15 * 1024 * 1024)
                        {
                            problems.Add("append: audio over 15 MiB");
                        }
                    }

                    break;
                case "conversation.item.create":
                    Keys(e, problems, type, "type", "event_id", "previous_item_id", "item");
                    CheckItem(Required(e, "item", JsonValueKind.Object, problems), problems);
                    break;
                case "conversation.item.truncate":
                    Keys(e, problems, type, "type", "event_id", "item_id", "content_index", "audio_end_ms");
                    Required(e, "item_id", JsonValueKind.String, problems);
                    NonNegativeInt(Required(e, "content_index", JsonValueKind.Number, problems), "content_index", problems);
                    NonNegativeInt(Required(e, "audio_end_ms", JsonValueKind.Number, problems), "audio_end_ms", problems);
                    break;
                case "response.create":
                    Keys(e, problems, type, "type", "event_id", "response");
                    if (e.TryGetProperty("response", out var response))
                    {
                        if (response.ValueKind != JsonValueKind.Object)
                        {
                            problems.Add("response.create: response must be an object");
                        }
                        else
                        {
                            Keys(response, problems, "response", "instructions", "output_modalities", "audio", "conversation", "metadata", "tool_choice", "tools", "max_output_tokens", "input", "prompt");
                            Optional(response, "instructions", JsonValueKind.String, problems);
                        }
                    }

                    break;
                case "response.cancel":
                    Keys(e, problems, type, "type", "event_id", "response_id");
                    Optional(e, "response_id", JsonValueKind.String, problems);
                    break;
                case "input_audio_buffer.commit":
                    problems.Add("input_audio_buffer.commit: never sent with server VAD (a commit under 100 ms is an API error)");
                    break;
                case "output_audio_buffer.clear":
                    problems.Add("output_audio_buffer.clear: WebRTC/SIP only, never over WebSocket");
                    break;
                case "input_audio_buffer.clear" or "conversation.item.retrieve" or "conversation.item.delete":
                    break;
                default:
                    problems.Add($"'{type}' is not a GA client event (the API rejects unknown events, e.g. a JSON ping)");
                    break;
            }
        }

        return problems;
    }

    private static void CheckSession(JsonElement s, List<string> problems)
    {
        if (s.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Keys(s, problems, "session", "type", "model", "instructions", "output_modalities", "max_output_tokens", "audio", "tools", "tool_choice", "tracing", "truncation", "prompt", "include");
        if (!s.TryGetProperty("type", out var type) || type.GetString() != "realtime")
        {
            problems.Add("session.type must be \"realtime\"");
        }

        if (s.TryGetProperty("model", out _))
        {
            problems.Add("session.model: the model is set by the URL and must not change mid-session");
        }

        Optional(s, "instructions", JsonValueKind.String, problems);
        if (s.TryGetProperty("output_modalities", out var mods) &&
            !(mods.ValueKind == JsonValueKind.Array && mods.GetArrayLength() == 1 && mods[0].GetString() is "audio" or "text"))
        {
            problems.Add("session.output_modalities must be [\"audio\"] or [\"text\"]");
        }

        if (!s.TryGetProperty("audio", out var audio))
        {
            return;
        }

        Keys(audio, problems, "session.audio", "input", "output");
        if (audio.TryGetProperty("input", out var input))
        {
            Keys(input, problems, "session.audio.input", "format", "noise_reduction", "transcription", "turn_detection");
            if (input.TryGetProperty("format", out var f))
            {
                CheckFormat(f, "session.audio.input.format", problems);
            }

            if (input.TryGetProperty("transcription", out var tr) && tr.ValueKind != JsonValueKind.Null)
            {
                Keys(tr, problems, "session.audio.input.transcription", "model", "language", "prompt", "delay", "keywords", "languages");
                if (!tr.TryGetProperty("model", out var m) || !s_transcriptionModels.Contains(m.GetString()))
                {
                    problems.Add("session.audio.input.transcription.model is not a GA transcription model");
                }
            }

            if (input.TryGetProperty("turn_detection", out var td) && td.ValueKind != JsonValueKind.Null)
            {
                CheckTurnDetection(td, problems);
            }
        }

        if (audio.TryGetProperty("output", out var output))
        {
            Keys(output, problems, "session.audio.output", "format", "voice", "speed");
            if (output.TryGetProperty("format", out var f))
            {
                CheckFormat(f, "session.audio.output.format", problems);
            }

            if (output.TryGetProperty("voice", out var voice) && !(voice.ValueKind == JsonValueKind.String && s_voices.Contains(voice.GetString())))
            {
                problems.Add("session.audio.output.voice is not a built-in voice");
            }
        }
    }

    private static void CheckTurnDetection(JsonElement td, List<string> problems)
    {
        const string path = "session.audio.input.turn_detection";
        var type = td.TryGetProperty("type", out var t) ? t.GetString() : null;
        switch (type)
        {
            case "server_vad":
                Keys(td, problems, path, "type", "threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms", "create_response", "interrupt_response");
                if (td.TryGetProperty("threshold", out var th) && !(th.ValueKind == JsonValueKind.Number && th.GetDouble() is >= 0 and <= 1))
                {
                    problems.Add(path + ".threshold must be 0..1");
                }

                if (td.TryGetProperty("prefix_padding_ms", out var p))
                {
                    NonNegativeInt(p, path + ".prefix_padding_ms", problems);
                }

                if (td.TryGetProperty("silence_duration_ms", out var sd))
                {
                    NonNegativeInt(sd, path + ".silence_duration_ms", problems);
                }

                break;
            case "semantic_vad":
                Keys(td, problems, path, "type", "eagerness", "create_response", "interrupt_response");
                if (td.TryGetProperty("eagerness", out var eg) && eg.GetString() is not ("low" or "medium" or "high" or "auto"))
                {
                    problems.Add(path + ".eagerness must be low|medium|high|auto");
                }

                break;
            default:
                problems.Add(path + ".type must be server_vad or semantic_vad");
                break;
        }

        foreach (var flag in new[] { "create_response", "interrupt_response" })
        {
            if (td.TryGetProperty(flag, out var v) && v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                problems.Add($"{path}.{flag} must be a boolean");
            }
        }
    }

    private static void CheckFormat(JsonElement f, string path, List<string> problems)
    {
        if (f.ValueKind != JsonValueKind.Object)
        {
            problems.Add(path + " must be an object (GA), not a beta string such as \"pcm16\"");
            return;
        }

        switch (f.TryGetProperty("type", out var t) ? t.GetString() : null)
        {
            case "audio/pcm":
                Keys(f, problems, path, "type", "rate");
                if (f.TryGetProperty("rate", out var rate) && !(rate.ValueKind == JsonValueKind.Number && rate.GetInt32() == 24_000))
                {
                    problems.Add(path + ".rate must be 24000");
                }

                break;
            case "audio/pcmu" or "audio/pcma":
                Keys(f, problems, path, "type");
                break;
            default:
                problems.Add(path + ".type must be audio/pcm, audio/pcmu or audio/pcma");
                break;
        }
    }

    private static void CheckItem(JsonElement item, List<string> problems)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (item.TryGetProperty("type", out var t) && t.GetString() != "message")
        {
            return; // function_call_output: not sent by this provider; the emulator checks it
        }

        Keys(item, problems, "item", "id", "type", "role", "content", "status", "object");
        var role = item.TryGetProperty("role", out var r) ? r.GetString() : null;
        string[] allowed = role switch
        {
            "user" => ["input_text", "input_audio", "input_image"],
            "system" => ["input_text"],
            "assistant" => ["output_text"],
            _ => [],
        };
        if (allowed.Length == 0)
        {
            problems.Add("item.role must be user, assistant or system");
            return;
        }

        if (!item.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array || content.GetArrayLength() == 0)
        {
            problems.Add("item.content must be a non-empty array");
            return;
        }

        foreach (var part in content.EnumerateArray())
        {
            var partType = part.TryGetProperty("type", out var pt) ? pt.GetString() : null;
            if (!allowed.Contains(partType))
            {
                problems.Add($"item.content type '{partType}' is not allowed for role {role} (assistant audio items cannot be created)");
            }
            else if (partType is "input_text" or "output_text" && !(part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String))
            {
                problems.Add($"item.content {partType} needs a text string");
            }
        }
    }

    private static void Keys(JsonElement e, List<string> problems, string path, params string[] allowed)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            problems.Add(path + " must be an object");
            return;
        }

        foreach (var p in e.EnumerateObject())
        {
            if (!allowed.Contains(p.Name))
            {
                problems.Add($"{path}: unknown key '{p.Name}'");
            }
        }
    }

    private static JsonElement Required(JsonElement e, string name, JsonValueKind kind, List<string> problems)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != kind)
        {
            problems.Add($"{name} is required ({kind})");
            return default;
        }

        return v;
    }

    private static void Optional(JsonElement e, string name, JsonValueKind kind, List<string> problems)
    {
        if (e.TryGetProperty(name, out var v) && v.ValueKind != kind)
        {
            problems.Add($"{name} must be {kind}");
        }
    }

    private static void NonNegativeInt(JsonElement v, string name, List<string> problems)
    {
        if (v.ValueKind == JsonValueKind.Number && !(v.TryGetInt64(out var i) && i >= 0))
        {
            problems.Add(name + " must be a non-negative integer");
        }
    }
}
