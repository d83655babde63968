using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>The server events the session acts on (docs/protocols/openai-realtime.md, Server events); anything else is <see cref="Other"/>.</summary>
internal enum ServerEventType
{
    Other,
    SessionCreated,
    SessionUpdated,
    Error,
    SpeechStarted,
    SpeechStopped,
    BufferCommitted,
    ItemAdded,
    ItemDone,
    ItemTruncated,
    TranscriptionDelta,
    TranscriptionCompleted,
    TranscriptionFailed,
    ResponseCreated,
    ResponseDone,
    OutputItemAdded,
    AudioDelta,
    AudioDone,
    AudioTranscriptDelta,
    AudioTranscriptDone,
    RateLimitsUpdated,
    FunctionCallArgumentsDone,
    OutputItemDone,
}

/// <summary>
/// One server event, read in a single <see cref="Utf8JsonReader"/> pass over the received message. Scalars the
/// session needs are lifted out; nested objects (<c>session</c>, <c>response</c>, <c>error</c>, <c>rate_limits</c>,
/// <c>item</c>) stay as slices of the message and are parsed only by the handlers that need them. The slices point
/// into the receive buffer: use them before the next receive.
/// </summary>
internal sealed class RealtimeServerEvent
{
    // GA names first; the beta names (docs/protocols/openai-realtime.md, Beta names) are accepted too so recorded beta fixtures replay.
    private static readonly (byte[] Name, ServerEventType Type)[] s_types =
    [
        ("response.output_audio.delta"u8.ToArray(), ServerEventType.AudioDelta),
        ("response.output_audio_transcript.delta"u8.ToArray(), ServerEventType.AudioTranscriptDelta),
        ("input_audio_buffer.speech_started"u8.ToArray(), ServerEventType.SpeechStarted),
        ("input_audio_buffer.speech_stopped"u8.ToArray(), ServerEventType.SpeechStopped),
        ("input_audio_buffer.committed"u8.ToArray(), ServerEventType.BufferCommitted),
        ("conversation.item.input_audio_transcription.delta"u8.ToArray(), ServerEventType.TranscriptionDelta),
        ("conversation.item.input_audio_transcription.completed"u8.ToArray(), ServerEventType.TranscriptionCompleted),
        ("conversation.item.input_audio_transcription.failed"u8.ToArray(), ServerEventType.TranscriptionFailed),
        ("response.created"u8.ToArray(), ServerEventType.ResponseCreated),
        ("response.done"u8.ToArray(), ServerEventType.ResponseDone),
        ("response.output_item.added"u8.ToArray(), ServerEventType.OutputItemAdded),
        ("response.output_audio.done"u8.ToArray(), ServerEventType.AudioDone),
        ("response.output_audio_transcript.done"u8.ToArray(), ServerEventType.AudioTranscriptDone),
        ("conversation.item.added"u8.ToArray(), ServerEventType.ItemAdded),
        ("conversation.item.created"u8.ToArray(), ServerEventType.ItemAdded),
        ("conversation.item.done"u8.ToArray(), ServerEventType.ItemDone),
        ("conversation.item.truncated"u8.ToArray(), ServerEventType.ItemTruncated),
        ("rate_limits.updated"u8.ToArray(), ServerEventType.RateLimitsUpdated),
        ("response.function_call_arguments.done"u8.ToArray(), ServerEventType.FunctionCallArgumentsDone),
        ("response.output_item.done"u8.ToArray(), ServerEventType.OutputItemDone),
        ("session.created"u8.ToArray(), ServerEventType.SessionCreated),
        ("session.updated"u8.ToArray(), ServerEventType.SessionUpdated),
        ("error"u8.ToArray(), ServerEventType.Error),
        ("response.audio.delta"u8.ToArray(), ServerEventType.AudioDelta),
        ("response.audio.done"u8.ToArray(), ServerEventType.AudioDone),
        ("response.audio_transcript.delta"u8.ToArray(), ServerEventType.AudioTranscriptDelta),
        ("response.audio_transcript.done"u8.ToArray(), ServerEventType.AudioTranscriptDone),
    ];

    private ReadOnlyMemory<byte> _delta;
    private bool _deltaEscaped;

    /// <summary>The event kind.</summary>
    public ServerEventType Type { get; private set; }

    /// <summary>The raw <c>type</c> string, kept only for <see cref="ServerEventType.Other"/> (for logs).</summary>
    public string? RawType { get; private set; }

    /// <summary><c>item_id</c>.</summary>
    public string? ItemId { get; private set; }

    /// <summary><c>response_id</c>.</summary>
    public string? ResponseId { get; private set; }

    /// <summary><c>previous_item_id</c>.</summary>
    public string? PreviousItemId { get; private set; }

    /// <summary><c>transcript</c>.</summary>
    public string? Transcript { get; private set; }

    /// <summary><c>call_id</c> (function calls).</summary>
    public string? CallId { get; private set; }

    /// <summary><c>name</c> (function calls).</summary>
    public string? Name { get; private set; }

    /// <summary><c>arguments</c> (function calls: the JSON text the model wrote).</summary>
    public string? Arguments { get; private set; }

    /// <summary><c>audio_start_ms</c>.</summary>
    public long? AudioStartMs { get; private set; }

    /// <summary><c>audio_end_ms</c>.</summary>
    public long? AudioEndMs { get; private set; }

    /// <summary>The <c>session</c> object.</summary>
    public ReadOnlyMemory<byte> Session { get; private set; }

    /// <summary>The <c>response</c> object.</summary>
    public ReadOnlyMemory<byte> Response { get; private set; }

    /// <summary>The <c>error</c> object.</summary>
    public ReadOnlyMemory<byte> Error { get; private set; }

    /// <summary>The <c>item</c> object.</summary>
    public ReadOnlyMemory<byte> Item { get; private set; }

    /// <summary>The <c>rate_limits</c> array.</summary>
    public ReadOnlyMemory<byte> RateLimits { get; private set; }

    /// <summary>Parses one message. Throws <see cref="JsonException"/> when it is not a JSON object with a string <c>type</c>.</summary>
    public static RealtimeServerEvent Parse(ReadOnlyMemory<byte> json)
    {
        var e = new RealtimeServerEvent();
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a server event must be a JSON object");
        }

        var sawType = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                e.ReadType(ref reader);
                sawType = true;
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    // For a single-span reader ValueSpan is a slice of the input (still escaped if ValueIsEscaped).
                    var start = checked((int)reader.TokenStartIndex + 1);
                    e._delta = json.Slice(start, reader.ValueSpan.Length);
                    e._deltaEscaped = reader.ValueIsEscaped;
                }
            }
            else if (reader.ValueTextEquals("item_id"u8))
            {
                e.ItemId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("response_id"u8))
            {
                e.ResponseId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("previous_item_id"u8))
            {
                e.PreviousItemId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("transcript"u8))
            {
                e.Transcript = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("call_id"u8))
            {
                e.CallId = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                e.Name = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                e.Arguments = ReadString(ref reader);
            }
            else if (reader.ValueTextEquals("audio_start_ms"u8))
            {
                e.AudioStartMs = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("audio_end_ms"u8))
            {
                e.AudioEndMs = ReadInt64(ref reader);
            }
            else if (reader.ValueTextEquals("session"u8))
            {
                e.Session = ReadRaw(ref reader, json);
            }
            else if (reader.ValueTextEquals("response"u8))
            {
                e.Response = ReadRaw(ref reader, json);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                e.Error = ReadRaw(ref reader, json);
            }
            else if (reader.ValueTextEquals("item"u8))
            {
                e.Item = ReadRaw(ref reader, json);
            }
            else if (reader.ValueTextEquals("rate_limits"u8))
            {
                e.RateLimits = ReadRaw(ref reader, json);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!sawType)
        {
            throw new JsonException("a server event must have a string 'type'");
        }

        return e;
    }

    /// <summary>The <c>delta</c> text (transcript deltas).</summary>
    public string DeltaText()
    {
        if (!_deltaEscaped)
        {
            return Encoding.UTF8.GetString(_delta.Span);
        }

        var reader = new Utf8JsonReader(Quote(_delta.Span, out var rented));
        try
        {
            reader.Read();
            return reader.GetString() ?? string.Empty;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Decodes the base64 <c>delta</c> (audio deltas) into a new array of exactly the decoded size: the array becomes
    /// the <see cref="AgentAudio"/> payload the grain owns. Escaped JSON (a server may write <c>\u002B</c> or
    /// <c>\/</c>) is unescaped into a pooled buffer first. Returns null when the base64 is invalid.
    /// </summary>
    public byte[]? DecodeAudioDelta()
    {
        byte[]? rented = null;
        try
        {
            var base64 = _delta.Span;
            if (_deltaEscaped)
            {
                var reader = new Utf8JsonReader(Quote(base64, out var quoted));
                try
                {
                    reader.Read();
                    rented = ArrayPool<byte>.Shared.Rent(base64.Length);
                    var written = reader.CopyString(rented);
                    base64 = rented.AsSpan(0, written);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(quoted);
                }
            }

            if (base64.Length % 4 != 0)
            {
                return null;
            }

            var padding = base64.Length == 0 ? 0 : base64[^1] != '=' ? 0 : base64[^2] == '=' ? 2 : 1;
            var audio = new byte[(base64.Length / 4 * 3) - padding];
            var status = Base64.DecodeFromUtf8(base64, audio, out _, out var decoded);
            return status == OperationStatus.Done && decoded == audio.Length ? audio : null;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void ReadType(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("'type' must be a string");
        }

        foreach (var (name, type) in s_types)
        {
            if (reader.ValueTextEquals(name))
            {
                Type = type;
                return;
            }
        }

        Type = ServerEventType.Other;
        RawType = reader.GetString();
    }

    private static byte[] QuoteBuffer(int length) => ArrayPool<byte>.Shared.Rent(length + 2);

    private static ReadOnlySpan<byte> Quote(ReadOnlySpan<byte> escaped, out byte[] rented)
    {
        rented = QuoteBuffer(escaped.Length);
        rented[0] = (byte)'"';
        escaped.CopyTo(rented.AsSpan(1));
        rented[escaped.Length + 1] = (byte)'"';
        return rented.AsSpan(0, escaped.Length + 2);
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    private static long? ReadInt64(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            return value;
        }

        reader.Skip();
        return null;
    }

    private static ReadOnlyMemory<byte> ReadRaw(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json)
    {
        reader.Read();
        var start = (int)reader.TokenStartIndex;
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
            return json[start..(int)reader.BytesConsumed];
        }

        // null or a scalar: not an object the handlers can use.
        return ReadOnlyMemory<byte>.Empty;
    }
}
