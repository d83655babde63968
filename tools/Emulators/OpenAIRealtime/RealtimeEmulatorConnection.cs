using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using AiAgent.Emulators.Common;
using Microsoft.AspNetCore.Http;

namespace AiAgent.Emulators.OpenAIRealtime;

/// <summary>
/// One emulated Realtime session on one WebSocket. The receive loop validates and applies client events; one send
/// loop is the socket's only writer; responses are generated on their own task and queue their events.
/// </summary>
internal sealed class RealtimeEmulatorConnection
{
    private const int MaxMessageBytes = 20 * 1024 * 1024;
    private const int MaxAppendBytes = 15 * 1024 * 1024;

    private static readonly string[] s_clientEventTypes =
    [
        "session.update", "input_audio_buffer.append", "input_audio_buffer.commit", "input_audio_buffer.clear", "output_audio_buffer.clear",
        "conversation.item.create", "conversation.item.retrieve", "conversation.item.truncate", "conversation.item.delete", "response.create", "response.cancel",
    ];

    private static readonly string[] s_voices = ["alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"];
    private static readonly string[] s_transcriptionModels =
    [
        "whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-mini-transcribe-2025-12-15", "gpt-4o-transcribe-diarize",
        "gpt-realtime-whisper", "gpt-transcribe", "gpt-live-transcribe",
    ];

    private static readonly string[] s_sessionKeys = ["type", "model", "instructions", "output_modalities", "max_output_tokens", "audio", "tools", "tool_choice", "tracing", "truncation", "prompt", "include"];
    private static readonly string[] s_responseKeys = ["instructions", "output_modalities", "audio", "conversation", "metadata", "tool_choice", "tools", "max_output_tokens", "input", "prompt"];

    private readonly OpenAIRealtimeEmulator _emulator;
    private readonly WebSocket _socket;
    private readonly HttpContext _context;
    private readonly int _index;
    private readonly string _model;
    private readonly Channel<Outbound> _outbound = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _closed = new();

    // Session state (under _gate).
    private readonly JsonObject _session;
    private readonly List<Item> _items = [];
    private RealtimeAudioFormatType _inputFormat = RealtimeAudioFormatType.Pcm24k;
    private RealtimeAudioFormatType _outputFormat = RealtimeAudioFormatType.Pcm24k;
    private EnergyVad? _vad;
    private long _appendedSamples;
    private long _uncommittedSamples;
    private string? _speechItemId;
    private bool _audioOutputStarted;
    private Response? _active;
    private bool _responseQueued;
    private bool _rejectedOnce;
    private int _eventCounter;
    private int _userTurns;
    private readonly HashSet<int> _toolTurnsUsed = [];
    private readonly Dictionary<string, PendingCall> _pendingCalls = new(StringComparer.Ordinal);
    private bool _farewellNext;

    // The upgrade's drawn drop or stall, for this connection's first spoken response (taken once, under _gate).
    private UpgradeFaultKind? _upgradeFault;

    // Set when a stall begins: the receive loop stops reading, so the socket answers no ping either.
    private readonly TaskCompletionSource _stalled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RealtimeEmulatorConnection(OpenAIRealtimeEmulator emulator, WebSocket socket, HttpContext context, int index, string model, UpgradeFaultKind? upgradeFault = null)
    {
        _upgradeFault = upgradeFault is UpgradeFaultKind.Drop or UpgradeFaultKind.Stall ? upgradeFault : null;
        _emulator = emulator;
        _socket = socket;
        _context = context;
        _index = index;
        _model = model;
        _session = DefaultSession(model, emulator.Options.Time.GetUtcNow());
        if (index == 1 && emulator.Options.SessionExpiresAfter is { } expiry)
        {
            _session["expires_at"] = emulator.Options.Time.GetUtcNow().Add(expiry).ToUnixTimeSeconds();
        }
    }

    private OpenAIRealtimeEmulatorOptions Options => _emulator.Options;

    /// <summary>Sends one error (auth, beta header) and closes, as the real API does after accepting the upgrade.</summary>
    public async Task RejectAsync(JsonObject error)
    {
        await SendNowAsync(Event("error", new JsonObject { ["error"] = error })).ConfigureAwait(false);
        await _socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, (string?)error["code"], CancellationToken.None).ConfigureAwait(false);
    }

    public async Task RunAsync(CancellationToken aborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closed.Token);
        var send = SendLoopAsync(linked.Token);
        Enqueue(Event("session.created", new JsonObject { ["session"] = SessionEcho() }));
        if (_index == 1 && Options.SessionExpiresAfter is { } expiry)
        {
            _ = ExpireAsync(expiry, linked.Token);
        }

        try
        {
            await ReceiveLoopAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _active?.Cancel("client_cancelled");
            }

            _outbound.Writer.TryComplete();
            await _closed.CancelAsync().ConfigureAwait(false);
            await send.ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- transport

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxMessageBytes)
                    {
                        await _socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", cancellationToken).ConfigureAwait(false);
                        return;
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                if (_stalled.Task.IsCompleted)
                {
                    // Stalled: read nothing (a pending read would answer the client's pings) until the drop.
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }

                result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }

                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                _emulator.RecordReceived(new ReceivedClientEvent(_index, "(binary)", string.Empty));
                SendError("invalid_request_error", "invalid_value", "Binary WebSocket messages are not supported; send JSON text events.", null, null);
                continue;
            }

            HandleMessage(Encoding.UTF8.GetString(buffer, 0, length));
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                switch (message.Kind)
                {
                    case OutboundKind.Event:
                        await SendNowAsync(message.Event!, cancellationToken).ConfigureAwait(false);
                        break;
                    case OutboundKind.Close:
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, message.Reason, cancellationToken).ConfigureAwait(false);
                        return;
                    case OutboundKind.Abort:
                        // A dropped TCP connection: no close frame. Let what was sent reach the peer first (an abort
                        // discards unflushed output), so the client sees part of the response, then the drop.
                        await Task.Delay(200, cancellationToken).ConfigureAwait(false);
                        _context.Abort();
                        return;
                    case OutboundKind.Stall:
                        // Everything before was sent; now nothing at all for the stall time, then the drop (if the
                        // client has not given up on the silent socket first).
                        await Task.Delay(Options.StallMs, cancellationToken).ConfigureAwait(false);
                        _context.Abort();
                        return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task SendNowAsync(JsonObject e, CancellationToken cancellationToken = default)
    {
        var json = e.ToJsonString();
        _emulator.RecordSent(new SentServerEvent(_index, (string)e["type"]!, json));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    private void Enqueue(JsonObject e) => _outbound.Writer.TryWrite(new Outbound(OutboundKind.Event, e, null));

    private JsonObject Event(string type, JsonObject? body = null)
    {
        var e = new JsonObject { ["type"] = type, ["event_id"] = "event_" + Interlocked.Increment(ref _eventCounter).ToString(CultureInfo.InvariantCulture) };
        if (body is not null)
        {
            foreach (var (key, value) in body.ToArray())
            {
                body.Remove(key);
                e[key] = value;
            }
        }

        return e;
    }

    private void SendError(string type, string code, string message, string? param, string? clientEventId) =>
        Enqueue(Event("error", new JsonObject
        {
            ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message, ["param"] = param, ["event_id"] = clientEventId },
        }));

    private async Task ExpireAsync(TimeSpan after, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(after, Options.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var minutes = Math.Max(1, (int)Math.Ceiling(after.TotalMinutes));
        SendError("invalid_request_error", "session_expired", $"Your session hit the maximum duration of {minutes} minutes.", null, null);
        if (!Options.SessionExpiredLeavesSocketOpen)
        {
            _outbound.Writer.TryWrite(new Outbound(OutboundKind.Close, null, "session expired"));
        }
    }

    // ---------------------------------------------------------------- client events

    private void HandleMessage(string json)
    {
        JsonObject? message;
        try
        {
            message = JsonNode.Parse(json) as JsonObject;
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            _emulator.RecordReceived(new ReceivedClientEvent(_index, "(invalid)", json));
            SendError("invalid_request_error", "invalid_json",
                "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)", null, null);
            return;
        }

        var eventId = message["event_id"] is JsonValue idValue && idValue.TryGetValue<string>(out var id) ? id : null;
        var type = message["type"] is JsonValue typeValue && typeValue.TryGetValue<string>(out var t) ? t : null;
        _emulator.RecordReceived(new ReceivedClientEvent(_index, type ?? "(invalid)", json));
        if (type is null)
        {
            SendError("invalid_request_error", "missing_required_parameter", "Missing required parameter: 'type'.", "type", eventId);
            return;
        }

        if (!s_clientEventTypes.Contains(type))
        {
            SendError("invalid_request_error", "invalid_value",
                $"Invalid value: '{type}'. Supported values are: {string.Join(", ", s_clientEventTypes.Select(s => $"'{s}'"))}.", "type", eventId);
            return;
        }

        string[] allowedKeys = type switch
        {
            "session.update" => ["type", "event_id", "session"],
            "input_audio_buffer.append" => ["type", "event_id", "audio"],
            "conversation.item.create" => ["type", "event_id", "previous_item_id", "item"],
            "conversation.item.truncate" => ["type", "event_id", "item_id", "content_index", "audio_end_ms"],
            "conversation.item.retrieve" or "conversation.item.delete" => ["type", "event_id", "item_id"],
            "response.create" => ["type", "event_id", "response"],
            "response.cancel" => ["type", "event_id", "response_id"],
            _ => ["type", "event_id"],
        };
        foreach (var (key, _) in message)
        {
            if (!allowedKeys.Contains(key))
            {
                SendError("invalid_request_error", "unknown_parameter", $"Unknown parameter: '{key}'.", key, eventId);
                return;
            }
        }

        if (Options.RejectClientEventType == type && !_rejectedOnce)
        {
            _rejectedOnce = true;
            SendError("invalid_request_error", "invalid_value", $"Injected fault: rejected this {type} event.", null, eventId);
            return;
        }

        var error = type switch
        {
            "session.update" => OnSessionUpdate(message, eventId),
            "input_audio_buffer.append" => OnAppend(message),
            "input_audio_buffer.commit" => OnCommit(),
            "input_audio_buffer.clear" => OnClear(),
            "output_audio_buffer.clear" => new ClientError("invalid_value", "output_audio_buffer.clear is only supported for WebRTC and SIP connections; over WebSocket the client owns playback.", "type"),
            "conversation.item.create" => OnItemCreate(message),
            "conversation.item.truncate" => OnTruncate(message),
            "conversation.item.delete" => OnItemDelete(message),
            "conversation.item.retrieve" => OnItemRetrieve(message),
            "response.create" => OnResponseCreate(message, eventId),
            "response.cancel" => OnResponseCancel(message),
            _ => null,
        };
        if (error is not null)
        {
            SendError(error.Type, error.Code, error.Message, error.Param, eventId);
        }
    }

    private ClientError? OnSessionUpdate(JsonObject message, string? eventId)
    {
        _ = eventId; // session.updated does not echo it
        if (message["session"] is not JsonObject update)
        {
            return Missing("session");
        }

        if (Unknown(update, s_sessionKeys, "session") is { } unknown)
        {
            return unknown;
        }

        if (update["type"] is not JsonValue type || !type.TryGetValue<string>(out var typeName))
        {
            return Missing("session.type");
        }

        if (typeName != "realtime")
        {
            return Invalid("session.type", typeName, "'realtime'", typeName == "transcription" ? " (transcription sessions are not emulated)" : string.Empty);
        }

        if (update["model"] is JsonValue model && model.TryGetValue<string>(out var m) && m != _model)
        {
            return new ClientError("invalid_value", "The model cannot be changed with session.update.", "session.model");
        }

        if (update["instructions"] is { } instructions && instructions.GetValueKind() != JsonValueKind.String)
        {
            return Invalid("session.instructions", instructions.ToJsonString(), "a string");
        }

        if (update["output_modalities"] is { } modalities &&
            !(modalities is JsonArray { Count: 1 } arr && arr[0] is JsonValue v && v.TryGetValue<string>(out var mod) && mod is "audio" or "text"))
        {
            return Invalid("session.output_modalities", modalities.ToJsonString(), "[\"audio\"] or [\"text\"]");
        }

        if (update["tools"] is { } toolsNode && ValidateTools(toolsNode) is { } toolsError)
        {
            _emulator.RecordToolShapeError(toolsError.Message);
            return toolsError;
        }

        if (update["tool_choice"] is { } choice && !(choice is JsonValue cv && cv.TryGetValue<string>(out var cs) && cs is "auto" or "none" or "required") && choice is not JsonObject)
        {
            return Invalid("session.tool_choice", choice.ToJsonString(), "'auto', 'none', 'required' or a function object");
        }

        RealtimeAudioFormatType? inputFormat = null, outputFormat = null;
        JsonNode? turnDetection = null;
        var hasTurnDetection = false;
        if (update["audio"] is { } audioNode)
        {
            if (audioNode is not JsonObject audio)
            {
                return Invalid("session.audio", audioNode.ToJsonString(), "an object");
            }

            if (Unknown(audio, ["input", "output"], "session.audio") is { } e1)
            {
                return e1;
            }

            if (audio["input"] is JsonObject input)
            {
                if (Unknown(input, ["format", "noise_reduction", "transcription", "turn_detection"], "session.audio.input") is { } e2)
                {
                    return e2;
                }

                if (input["format"] is { } f)
                {
                    if (ParseFormat(f, "session.audio.input.format", out var format) is { } e3)
                    {
                        return e3;
                    }

                    inputFormat = format;
                }

                if (input.ContainsKey("transcription") && ValidateTranscription(input["transcription"]) is { } e4)
                {
                    return e4;
                }

                if (input["noise_reduction"] is JsonObject nr && !(nr["type"] is JsonValue nrt && nrt.TryGetValue<string>(out var nrType) && nrType is "near_field" or "far_field"))
                {
                    return Invalid("session.audio.input.noise_reduction.type", nr["type"]?.ToJsonString() ?? "null", "'near_field', 'far_field'");
                }

                if (input.ContainsKey("turn_detection"))
                {
                    hasTurnDetection = true;
                    turnDetection = input["turn_detection"];
                    if (ValidateTurnDetection(turnDetection) is { } e5)
                    {
                        return e5;
                    }
                }
            }

            if (audio["output"] is JsonObject output)
            {
                if (Unknown(output, ["format", "voice", "speed"], "session.audio.output") is { } e6)
                {
                    return e6;
                }

                if (output["format"] is { } f)
                {
                    if (ParseFormat(f, "session.audio.output.format", out var format) is { } e7)
                    {
                        return e7;
                    }

                    outputFormat = format;
                }

                if (output["voice"] is { } voice)
                {
                    var voiceOk = voice is JsonValue vv && vv.TryGetValue<string>(out var vs) ? s_voices.Contains(vs)
                        : voice is JsonObject vo && vo["id"] is JsonValue vid && vid.TryGetValue<string>(out var vids) && vids.StartsWith("voice_", StringComparison.Ordinal);
                    if (!voiceOk)
                    {
                        return Invalid("session.audio.output.voice", voice.ToJsonString(), string.Join(", ", s_voices.Select(s => $"'{s}'")));
                    }

                    lock (_gate)
                    {
                        if (_audioOutputStarted && !JsonNode.DeepEquals(voice, _session["audio"]!["output"]!["voice"]))
                        {
                            return new ClientError("cannot_update_voice", "Cannot update a conversation's voice if assistant audio is present.", "session.audio.output.voice");
                        }
                    }
                }

                if (output["speed"] is { } speed && !(speed is JsonValue sv && sv.TryGetValue<double>(out var sd) && sd is >= 0.25 and <= 1.5))
                {
                    return Invalid("session.audio.output.speed", speed.ToJsonString(), "a number between 0.25 and 1.5");
                }
            }
        }

        // Valid: apply every field sent (only those), then answer with the full effective session.
        lock (_gate)
        {
            foreach (var key in new[] { "instructions", "output_modalities", "max_output_tokens", "tools", "tool_choice", "tracing", "truncation", "prompt", "include" })
            {
                if (update.ContainsKey(key))
                {
                    _session[key] = update[key]?.DeepClone();
                }
            }

            var sessionAudio = (JsonObject)_session["audio"]!;
            if (update["audio"]?["input"] is JsonObject inUpdate)
            {
                var target = (JsonObject)sessionAudio["input"]!;
                foreach (var (key, value) in inUpdate)
                {
                    target[key] = key == "format" ? FormatObject(inputFormat!.Value) : value?.DeepClone();
                }
            }

            if (update["audio"]?["output"] is JsonObject outUpdate)
            {
                var target = (JsonObject)sessionAudio["output"]!;
                foreach (var (key, value) in outUpdate)
                {
                    target[key] = key == "format" ? FormatObject(outputFormat!.Value) : value?.DeepClone();
                }
            }

            if (inputFormat is { } newInput && newInput != _inputFormat)
            {
                _inputFormat = newInput;
                _vad = null;
            }

            _outputFormat = outputFormat ?? _outputFormat;
            if (hasTurnDetection)
            {
                _vad = null;
                FillTurnDetectionDefaults(sessionAudio["input"]!["turn_detection"] as JsonObject);
            }

            Enqueue(Event("session.updated", new JsonObject { ["session"] = SessionEcho() }));
        }

        return null;
    }

    /// <summary>The effective session as session.created/updated show it (caller holds _gate or is the constructor's thread).</summary>
    private JsonNode SessionEcho()
    {
        var echo = _session.DeepClone();
        if (Options.OmitPcmRate && echo["audio"] is JsonObject audio)
        {
            foreach (var direction in new[] { "input", "output" })
            {
                if (audio[direction]?["format"] is JsonObject format && (string?)format["type"] == "audio/pcm")
                {
                    format.Remove("rate");
                }
            }
        }

        return echo;
    }

    private ClientError? OnAppend(JsonObject message)
    {
        if (message["audio"] is not JsonValue audioValue || !audioValue.TryGetValue<string>(out var base64))
        {
            return Missing("audio");
        }

        byte[] audio;
        try
        {
            audio = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return new ClientError("invalid_value", "Invalid 'audio'. Expected base64-encoded audio bytes.", "audio");
        }

        if (audio.Length > MaxAppendBytes)
        {
            return new ClientError("invalid_value", $"Audio too large: {audio.Length} bytes; the maximum per append is 15 MiB.", "audio");
        }

        lock (_gate)
        {
            var pcm = RealtimeEmulatorAudio.ToPcm(audio, _inputFormat);
            var rate = RealtimeEmulatorAudio.SampleRate(_inputFormat);
            var turnDetection = _session["audio"]!["input"]!["turn_detection"] as JsonObject;
            if (turnDetection is null)
            {
                _appendedSamples += pcm.Length;
                _uncommittedSamples += pcm.Length;
                return null;
            }

            _vad ??= new EnergyVad(rate, Options.SpeechThresholdDbfs, minSpeechMs: 100, silenceMs: SilenceMs(turnDetection));
            var window = rate / 50;
            for (var offset = 0; offset < pcm.Length; offset += window)
            {
                var slice = pcm.AsSpan(offset, Math.Min(window, pcm.Length - offset));
                _appendedSamples += slice.Length;
                _uncommittedSamples += slice.Length;
                var edge = _vad.Process(slice);
                if (edge > 0)
                {
                    OnSpeechStarted(turnDetection, rate);
                }
                else if (edge < 0)
                {
                    OnSpeechStopped(turnDetection);
                }
            }
        }

        return null;
    }

    private void OnSpeechStarted(JsonObject turnDetection, int rate)
    {
        _ = rate;
        var prefix = turnDetection["prefix_padding_ms"] is JsonValue p && p.TryGetValue<int>(out var pm) ? pm : 300;
        _speechItemId = NewId("item");
        Enqueue(Event("input_audio_buffer.speech_started", new JsonObject
        {
            ["audio_start_ms"] = Math.Max(0, _vad!.SpeechStartMs - prefix),
            ["item_id"] = _speechItemId,
        }));
        var interrupt = turnDetection["interrupt_response"] is not JsonValue ir || !ir.TryGetValue<bool>(out var irb) || irb;
        if (interrupt)
        {
            _active?.Cancel("turn_detected");
        }
    }

    private void OnSpeechStopped(JsonObject turnDetection)
    {
        var itemId = _speechItemId ?? NewId("item");
        _speechItemId = null;
        var speechMs = _vad!.SpeechEndMs - _vad.SpeechStartMs;
        Enqueue(Event("input_audio_buffer.speech_stopped", new JsonObject { ["audio_end_ms"] = _vad.SpeechEndMs, ["item_id"] = itemId }));
        CommitUserAudio(itemId, speechMs);
        var create = turnDetection["create_response"] is not JsonValue cr || !cr.TryGetValue<bool>(out var crb) || crb;
        if (create)
        {
            StartOrQueueResponse();
        }
    }

    private void CommitUserAudio(string itemId, long speechMs)
    {
        var previous = _items.Count > 0 ? _items[^1].Id : null;
        var transcript = string.Create(CultureInfo.InvariantCulture, $"[caller speech {speechMs / 1000.0:0.0} s]");
        var item = new Item(itemId, "user", "input_audio", transcript);
        _items.Add(item);
        _userTurns++;
        _uncommittedSamples = 0;
        Enqueue(Event("input_audio_buffer.committed", new JsonObject { ["previous_item_id"] = previous, ["item_id"] = itemId }));
        Enqueue(Event("conversation.item.added", new JsonObject { ["previous_item_id"] = previous, ["item"] = item.ToJson("completed", withTranscript: false) }));
        Enqueue(Event("conversation.item.done", new JsonObject { ["previous_item_id"] = previous, ["item"] = item.ToJson("completed", withTranscript: false) }));
        if (_session["audio"]!["input"]!["transcription"] is JsonObject)
        {
            var half = transcript.Length / 2;
            Enqueue(Event("conversation.item.input_audio_transcription.delta", new JsonObject { ["item_id"] = itemId, ["content_index"] = 0, ["delta"] = transcript[..half] }));
            Enqueue(Event("conversation.item.input_audio_transcription.delta", new JsonObject { ["item_id"] = itemId, ["content_index"] = 0, ["delta"] = transcript[half..] }));
            Enqueue(Event("conversation.item.input_audio_transcription.completed", new JsonObject
            {
                ["item_id"] = itemId,
                ["content_index"] = 0,
                ["transcript"] = transcript,
                ["usage"] = new JsonObject { ["type"] = "duration", ["seconds"] = Math.Round(speechMs / 1000.0, 1) },
            }));
        }
    }

    private ClientError? OnCommit()
    {
        lock (_gate)
        {
            var ms = _uncommittedSamples * 1000 / RealtimeEmulatorAudio.SampleRate(_inputFormat);
            if (ms < 100)
            {
                return new ClientError("input_audio_buffer_commit_empty",
                    $"Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has {ms}.00ms of audio.", null);
            }

            CommitUserAudio(NewId("item"), ms);
        }

        return null;
    }

    private ClientError? OnClear()
    {
        lock (_gate)
        {
            _uncommittedSamples = 0;
            _vad = null;
            Enqueue(Event("input_audio_buffer.cleared"));
        }

        return null;
    }

    private ClientError? OnItemCreate(JsonObject message)
    {
        if (message["item"] is not JsonObject item)
        {
            return Missing("item");
        }

        var itemType = item["type"] is JsonValue tv && tv.TryGetValue<string>(out var ts) ? ts : null;
        if (itemType is not ("message" or "function_call_output" or "function_call"))
        {
            return Invalid("item.type", itemType ?? "null", "'message', 'function_call', 'function_call_output'");
        }

        if (itemType == "function_call_output" && CheckFunctionCallOutput(item) is { } outputError)
        {
            return outputError;
        }

        string? previous = null;
        if (message["previous_item_id"] is JsonValue pv && pv.TryGetValue<string>(out var ps) && ps != "root")
        {
            lock (_gate)
            {
                if (!_items.Any(i => i.Id == ps))
                {
                    return new ClientError("item_not_found", $"Previous item with id '{ps}' not found.", "previous_item_id");
                }
            }

            previous = ps;
        }

        string role = "tool";
        string contentType = itemType;
        var text = string.Empty;
        if (itemType == "message")
        {
            role = item["role"] is JsonValue rv && rv.TryGetValue<string>(out var rs) ? rs : string.Empty;
            string[] allowed = role switch
            {
                "user" => ["input_text", "input_audio", "input_image"],
                "system" => ["input_text"],
                "assistant" => ["output_text"],
                _ => [],
            };
            if (allowed.Length == 0)
            {
                return Invalid("item.role", role, "'user', 'assistant', 'system'");
            }

            if (item["content"] is not JsonArray { Count: > 0 } content)
            {
                return Missing("item.content");
            }

            for (var i = 0; i < content.Count; i++)
            {
                var partType = content[i]?["type"] is JsonValue pt && pt.TryGetValue<string>(out var pts) ? pts : null;
                if (partType is null || !allowed.Contains(partType))
                {
                    var hint = role == "assistant" && partType == "output_audio" ? " (assistant audio items cannot be created)" : string.Empty;
                    return Invalid($"item.content[{i}].type", partType ?? "null", string.Join(", ", allowed.Select(a => $"'{a}'")), hint);
                }

                if (partType is "input_text" or "output_text")
                {
                    if (content[i]!["text"] is not JsonValue txt || !txt.TryGetValue<string>(out var s))
                    {
                        return Missing($"item.content[{i}].text");
                    }

                    text += s;
                }

                contentType = partType;
            }
        }

        lock (_gate)
        {
            var id = item["id"] is JsonValue iv && iv.TryGetValue<string>(out var ids) ? ids : NewId("item");
            var created = new Item(id, role, contentType, text);
            var index = previous is null ? _items.Count : _items.FindIndex(i => i.Id == previous) + 1;
            var prevId = index > 0 ? _items[index - 1].Id : null;
            _items.Insert(index, created);
            Enqueue(Event("conversation.item.added", new JsonObject { ["previous_item_id"] = prevId, ["item"] = created.ToJson("completed", withTranscript: true) }));
            Enqueue(Event("conversation.item.done", new JsonObject { ["previous_item_id"] = prevId, ["item"] = created.ToJson("completed", withTranscript: true) }));
        }

        return null;
    }

    private ClientError? OnTruncate(JsonObject message)
    {
        if (message["item_id"] is not JsonValue iv || !iv.TryGetValue<string>(out var itemId))
        {
            return Missing("item_id");
        }

        if (message["content_index"] is not JsonValue civ || !civ.TryGetValue<int>(out var contentIndex))
        {
            return Missing("content_index");
        }

        if (message["audio_end_ms"] is not JsonValue ev || !ev.TryGetValue<long>(out var audioEndMs) || audioEndMs < 0)
        {
            return message["audio_end_ms"] is null ? Missing("audio_end_ms") : Invalid("audio_end_ms", message["audio_end_ms"]!.ToJsonString(), "a non-negative integer");
        }

        lock (_gate)
        {
            var item = _items.Find(i => i.Id == itemId);
            if (item is null)
            {
                return new ClientError("item_not_found", $"Item with item_id not found: {itemId}", "item_id");
            }

            if (item.Role != "assistant" || item.ContentType != "output_audio")
            {
                return new ClientError("invalid_value", "Only assistant messages with audio can be truncated.", "item_id");
            }

            if (contentIndex != 0)
            {
                return Invalid("content_index", contentIndex.ToString(CultureInfo.InvariantCulture), "0");
            }

            if (audioEndMs > item.AudioMs)
            {
                return new ClientError("invalid_value", $"Audio content of {item.AudioMs}ms is already shorter than {audioEndMs}ms", "audio_end_ms");
            }

            item.TruncatedAtMs = audioEndMs;
            if (item.AudioMs > 0)
            {
                item.Transcript = item.Transcript[..(int)(item.Transcript.Length * audioEndMs / item.AudioMs)];
            }

            Enqueue(Event("conversation.item.truncated", new JsonObject { ["item_id"] = itemId, ["content_index"] = 0, ["audio_end_ms"] = audioEndMs }));
        }

        return null;
    }

    private ClientError? OnItemDelete(JsonObject message)
    {
        if (message["item_id"] is not JsonValue iv || !iv.TryGetValue<string>(out var itemId))
        {
            return Missing("item_id");
        }

        lock (_gate)
        {
            if (_items.RemoveAll(i => i.Id == itemId) == 0)
            {
                return new ClientError("item_not_found", $"Item with item_id not found: {itemId}", "item_id");
            }

            Enqueue(Event("conversation.item.deleted", new JsonObject { ["item_id"] = itemId }));
        }

        return null;
    }

    private ClientError? OnItemRetrieve(JsonObject message)
    {
        if (message["item_id"] is not JsonValue iv || !iv.TryGetValue<string>(out var itemId))
        {
            return Missing("item_id");
        }

        lock (_gate)
        {
            var item = _items.Find(i => i.Id == itemId);
            if (item is null)
            {
                return new ClientError("item_not_found", $"Item with item_id not found: {itemId}", "item_id");
            }

            Enqueue(Event("conversation.item.retrieved", new JsonObject { ["item"] = item.ToJson("completed", withTranscript: true) }));
        }

        return null;
    }

    private ClientError? OnResponseCreate(JsonObject message, string? eventId)
    {
        if (message["response"] is { } responseNode)
        {
            if (responseNode is not JsonObject response)
            {
                return Invalid("response", responseNode.ToJsonString(), "an object");
            }

            if (Unknown(response, s_responseKeys, "response") is { } unknown)
            {
                return unknown;
            }

            if (response["instructions"] is { } instr && instr.GetValueKind() != JsonValueKind.String)
            {
                return Invalid("response.instructions", instr.ToJsonString(), "a string");
            }
        }

        lock (_gate)
        {
            if (_active is { ToolCalls: not null })
            {
                _emulator.RecordToolShapeError($"response.create while the function-call response {_active.Id} was still active (wait for its response.done)");
            }
            else if (_pendingCalls.Count > 0)
            {
                var unanswered = _pendingCalls.Where(p => p.Value.Output is null).Select(p => p.Key).ToArray();
                if (unanswered.Length > 0)
                {
                    _emulator.RecordToolShapeError($"response.create before the function_call_output of {string.Join(", ", unanswered)}");
                }
                else
                {
                    // Every call has its output: this response.create asks for the answer that uses them.
                    _farewellNext = _pendingCalls.Values.Any(p => p.Call.Name == Common.ScriptedToolCall.HangupName);
                    _pendingCalls.Clear();
                }
            }

            if (_active is not null)
            {
                return new ClientError("conversation_already_has_active_response",
                    $"Conversation already has an active response in progress: {_active.Id}. Wait until the response is finished before creating a new one.", null);
            }

            StartResponse(eventId);
        }

        return null;
    }

    private ClientError? OnResponseCancel(JsonObject message)
    {
        var responseId = message["response_id"] is JsonValue rv && rv.TryGetValue<string>(out var rs) ? rs : null;
        lock (_gate)
        {
            if (_active is null || (responseId is not null && responseId != _active.Id) || Options.CancelRacesResponseEnd)
            {
                return new ClientError("response_cancel_not_active", "Cancellation failed: no active response found", null);
            }

            _active.Cancel("client_cancelled");
        }

        return null;
    }

    // ---------------------------------------------------------------- responses

    private void StartOrQueueResponse()
    {
        if (_active is not null)
        {
            _responseQueued = true;
            return;
        }

        StartResponse();
    }

    /// <summary>
    /// Starts a response (caller holds _gate): the greeting asset before any caller turn, the scripted function calls
    /// after their turn (once), the farewell after a <c>hangup_call</c>'s output, the reply otherwise.
    /// </summary>
    private void StartResponse(string? clientEventId = null)
    {
        var number = _emulator.NextResponseNumber();
        var greeting = !_items.Any(i => i.Role == "user");
        var scripted = greeting ? [] : Options.ToolCalls.Where(c => c.AfterTurn == _userTurns).ToArray();
        if (scripted.Length > 0 && _toolTurnsUsed.Add(_userTurns))
        {
            var calls = new Response(NewId("resp"), NewId("item"), number, greeting: false, clientEventId) { ToolCalls = scripted };
            _active = calls;
            _ = Options.SpeakBeforeToolCalls ? Task.Run(() => RunResponseAsync(calls)) : Task.Run(() => RunFunctionCallResponse(calls, scripted));
            return;
        }

        var response = new Response(NewId("resp"), NewId("item"), number, greeting, clientEventId) { Farewell = _farewellNext, UpgradeFault = _upgradeFault };
        _upgradeFault = null;
        _farewellNext = false;
        _active = response;
        _ = Task.Run(() => RunResponseAsync(response));
    }

    /// <summary>
    /// A response whose output is function calls, in the service's order: per call <c>response.output_item.added</c>,
    /// <c>response.function_call_arguments.delta</c> (two), <c>.done</c>, <c>response.output_item.done</c>; then
    /// <c>response.done</c> listing them. The model then waits for a <c>function_call_output</c> per call and one
    /// <c>response.create</c>.
    /// </summary>
    private void RunFunctionCallResponse(Response response, Common.ScriptedToolCall[] calls)
    {
        Enqueue(Event("response.created", new JsonObject { ["response"] = ResponseJson(response, "in_progress", null, null, []) }));
        FinishResponse(response, "completed", null, EmitFunctionCalls(response, calls, firstOutputIndex: 0));
    }

    /// <summary>The function call output items of <paramref name="response"/>, from <paramref name="firstOutputIndex"/> on; returns them for its <c>response.done</c>.</summary>
    private JsonNode[] EmitFunctionCalls(Response response, Common.ScriptedToolCall[] calls, int firstOutputIndex)
    {
        var output = new List<JsonNode>();
        for (var offset = 0; offset < calls.Length; offset++)
        {
            var call = calls[offset];
            var index = firstOutputIndex + offset;
            var itemId = index == 0 ? response.ItemId : NewId("item");
            var callId = NewId("call");
            string? previous;
            lock (_gate)
            {
                previous = _items.Count > 0 ? _items[^1].Id : null;
                _items.Add(new Item(itemId, "tool", "function_call", string.Empty));
                _pendingCalls[callId] = new PendingCall(call);
            }

            JsonObject ItemJson(string status, string arguments) => new()
            {
                ["id"] = itemId, ["object"] = "realtime.item", ["type"] = "function_call", ["status"] = status,
                ["name"] = call.Name, ["call_id"] = callId, ["arguments"] = arguments,
            };

            Enqueue(Event("response.output_item.added", new JsonObject { ["response_id"] = response.Id, ["output_index"] = index, ["item"] = ItemJson("in_progress", string.Empty) }));
            Enqueue(Event("conversation.item.added", new JsonObject { ["previous_item_id"] = previous, ["item"] = ItemJson("in_progress", string.Empty) }));
            var half = call.ArgumentsJson.Length / 2;
            foreach (var delta in new[] { call.ArgumentsJson[..half], call.ArgumentsJson[half..] })
            {
                Enqueue(Event("response.function_call_arguments.delta", new JsonObject
                {
                    ["response_id"] = response.Id, ["item_id"] = itemId, ["output_index"] = index, ["call_id"] = callId, ["delta"] = delta,
                }));
            }

            Enqueue(Event("response.function_call_arguments.done", new JsonObject
            {
                ["response_id"] = response.Id, ["item_id"] = itemId, ["output_index"] = index, ["call_id"] = callId, ["name"] = call.Name, ["arguments"] = call.ArgumentsJson,
            }));
            Enqueue(Event("response.output_item.done", new JsonObject { ["response_id"] = response.Id, ["output_index"] = index, ["item"] = ItemJson("completed", call.ArgumentsJson) }));
            Enqueue(Event("conversation.item.done", new JsonObject { ["previous_item_id"] = previous, ["item"] = ItemJson("completed", call.ArgumentsJson) }));
            output.Add(ItemJson("completed", call.ArgumentsJson));
        }

        return [.. output];
    }

    /// <summary>
    /// A <c>function_call_output</c> item: <c>call_id</c> and a string <c>output</c> are required (an API error
    /// otherwise); one for a call the model did not make, or a second one, is a shape error.
    /// </summary>
    private ClientError? CheckFunctionCallOutput(JsonObject item)
    {
        if (Unknown(item, ["type", "id", "call_id", "output", "status"], "item") is { } unknown)
        {
            _emulator.RecordToolShapeError(unknown.Message);
            return unknown;
        }

        if (item["call_id"] is not JsonValue cv || !cv.TryGetValue<string>(out var callId))
        {
            _emulator.RecordToolShapeError("function_call_output without a string call_id");
            return Missing("item.call_id");
        }

        if (item["output"] is not JsonValue ov || !ov.TryGetValue<string>(out var output))
        {
            _emulator.RecordToolShapeError($"function_call_output of {callId} without a string output");
            return Missing("item.output");
        }

        lock (_gate)
        {
            if (!_pendingCalls.TryGetValue(callId, out var pending))
            {
                _emulator.RecordToolShapeError($"function_call_output for call_id '{callId}', which no pending function call has");
                return null;
            }

            if (pending.Output is not null)
            {
                _emulator.RecordToolShapeError($"a second function_call_output for call_id '{callId}'");
                return null;
            }

            pending.Output = output;
            _emulator.RecordToolResult(new Common.ToolCallResult(callId, pending.Call.Name, output));
        }

        return null;
    }

    private async Task RunResponseAsync(Response response)
    {
        var options = Options;
        var outputFormat = _outputFormat;
        if (options.RateLimitOnResponse == response.Number)
        {
            const string message = "Rate limit reached for gpt-realtime in organization org-emulator on tokens per min (TPM): Limit 40000, Used 40000, Requested 1200. Please try again in 1.8s.";
            if (options.RateLimitShape == RateLimitShape.ErrorEvent)
            {
                // Refused outright: no response is created.
                SendError("tokens", "rate_limit_exceeded", message, null, response.ClientEventId);
                lock (_gate)
                {
                    if (_active == response)
                    {
                        _active = null;
                    }
                }

                return;
            }

            Enqueue(Event("response.created", new JsonObject { ["response"] = ResponseJson(response, "in_progress", null, null, []) }));
            var details = new JsonObject { ["type"] = "failed", ["reason"] = null, ["error"] = new JsonObject { ["type"] = "tokens", ["code"] = "rate_limit_exceeded", ["message"] = message } };
            FinishResponse(response, "failed", details, []);
            return;
        }

        Enqueue(Event("response.created", new JsonObject { ["response"] = ResponseJson(response, "in_progress", null, null, []) }));

        Enqueue(Event("rate_limits.updated", new JsonObject
        {
            ["rate_limits"] = new JsonArray(
                new JsonObject { ["name"] = "requests", ["limit"] = 5000, ["remaining"] = 5000 - response.Number, ["reset_seconds"] = 0.012 },
                new JsonObject { ["name"] = "tokens", ["limit"] = 400000, ["remaining"] = 400000 - (response.Number * 1200), ["reset_seconds"] = 0.732 }),
        }));

        var pcm = response.Greeting ? VoiceAssets.Greeting : response.Farewell ? VoiceAssets.Farewell : VoiceAssets.Reply;
        var text = response.Greeting ? VoiceAssets.GreetingText : response.Farewell ? VoiceAssets.FarewellText : VoiceAssets.ReplyText;
        var audio = RealtimeEmulatorAudio.FromPcm24k(pcm, outputFormat);
        var item = new Item(response.ItemId, "assistant", "output_audio", string.Empty) { Status = "in_progress" };
        string? previous;
        lock (_gate)
        {
            previous = _items.Count > 0 ? _items[^1].Id : null;
            _items.Add(item);
            _audioOutputStarted = true;
        }

        Enqueue(Event("response.output_item.added", new JsonObject { ["response_id"] = response.Id, ["output_index"] = 0, ["item"] = item.ToJson("in_progress", withTranscript: false) }));
        Enqueue(Event("conversation.item.added", new JsonObject { ["previous_item_id"] = previous, ["item"] = item.ToJson("in_progress", withTranscript: false) }));
        Enqueue(Event("response.content_part.added", Part(response, new JsonObject { ["type"] = "audio", ["transcript"] = string.Empty })));

        var chunkBytes = (int)(RealtimeEmulatorAudio.SampleRate(outputFormat) * (long)options.AudioChunkMs / 1000) * RealtimeEmulatorAudio.BytesPerSample(outputFormat);
        var chunks = (audio.Length + chunkBytes - 1) / chunkBytes;
        var words = text.Split(' ');
        var transcript = new StringBuilder();
        string? cancelReason = null;
        string? incompleteReason = null;
        if (!response.Greeting && options.ReplyAudioDelayMs > 0)
        {
            // The model is still "thinking": the response is active (a cancel is valid) but has no audio yet.
            try
            {
                await Task.Delay(options.ReplyAudioDelayMs, response.Cancelled).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        for (var i = 0; i < chunks; i++)
        {
            cancelReason = response.CancelReason;
            if (cancelReason is not null)
            {
                break;
            }

            if (i == 1 && options.IncompleteOnResponse == response.Number)
            {
                incompleteReason = options.IncompleteReason;
                break;
            }

            if (response.UpgradeFault == UpgradeFaultKind.Stall && i == options.DisconnectAfterDeltas)
            {
                _emulator.FaultFired(UpgradeFaultKind.Stall);
                _stalled.TrySetResult();
                _outbound.Writer.TryWrite(new Outbound(OutboundKind.Stall, null, null));
                lock (_gate)
                {
                    _active = null;
                }

                return;
            }

            if ((options.DisconnectDuringResponse == response.Number || response.UpgradeFault == UpgradeFaultKind.Drop) && i == options.DisconnectAfterDeltas)
            {
                if (response.UpgradeFault == UpgradeFaultKind.Drop)
                {
                    _emulator.FaultFired(UpgradeFaultKind.Drop);
                }

                _outbound.Writer.TryWrite(new Outbound(OutboundKind.Abort, null, null));
                lock (_gate)
                {
                    _active = null;
                }

                return;
            }

            var slice = audio.AsSpan(i * chunkBytes, Math.Min(chunkBytes, audio.Length - (i * chunkBytes)));
            lock (_gate)
            {
                item.AudioMs += RealtimeEmulatorAudio.Milliseconds(outputFormat, slice.Length);
            }

            Enqueue(Event("response.output_audio.delta", Part(response, null, Convert.ToBase64String(slice))));
            var fromWord = i * words.Length / chunks;
            var toWord = (i + 1) * words.Length / chunks;
            if (toWord > fromWord)
            {
                var delta = (transcript.Length > 0 ? " " : string.Empty) + string.Join(' ', words[fromWord..toWord]);
                transcript.Append(delta);
                Enqueue(Event("response.output_audio_transcript.delta", Part(response, null, delta)));
            }

            if (options.AudioChunkIntervalMs > 0)
            {
                try
                {
                    await Task.Delay(options.AudioChunkIntervalMs, response.Cancelled).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        cancelReason ??= response.CancelReason;
        var finalTranscript = transcript.ToString();
        lock (_gate)
        {
            item.Transcript = item.TruncatedAtMs is null ? finalTranscript : item.Transcript;
            item.Status = cancelReason is null && incompleteReason is null ? "completed" : "incomplete";
        }

        Enqueue(Event("response.output_audio.done", Part(response, null)));
        Enqueue(Event("response.output_audio_transcript.done", Part(response, null, transcriptDone: finalTranscript)));
        Enqueue(Event("response.content_part.done", Part(response, new JsonObject { ["type"] = "audio", ["transcript"] = finalTranscript })));
        Enqueue(Event("response.output_item.done", new JsonObject { ["response_id"] = response.Id, ["output_index"] = 0, ["item"] = item.ToJson(item.Status, withTranscript: true) }));
        Enqueue(Event("conversation.item.done", new JsonObject { ["previous_item_id"] = previous, ["item"] = item.ToJson(item.Status, withTranscript: true) }));
        var status = incompleteReason is not null ? "incomplete" : cancelReason is null ? "completed" : "cancelled";
        var statusDetails = incompleteReason is not null ? new JsonObject { ["type"] = "incomplete", ["reason"] = incompleteReason }
            : cancelReason is null ? null : new JsonObject { ["type"] = "cancelled", ["reason"] = cancelReason };
        JsonNode[] output = [item.ToJson(item.Status, withTranscript: true)];
        if (response.ToolCalls is { } calls && status == "completed")
        {
            // Spoken first, then the calls (SpeakBeforeToolCalls): the service never calls from a cut-off response.
            output = [.. output, .. EmitFunctionCalls(response, calls, firstOutputIndex: 1)];
        }

        FinishResponse(response, status, statusDetails, output);
    }

    private void FinishResponse(Response response, string status, JsonObject? statusDetails, JsonNode[] output)
    {
        var usage = new JsonObject
        {
            ["total_tokens"] = 253,
            ["input_tokens"] = 132,
            ["output_tokens"] = 121,
            ["input_token_details"] = new JsonObject
            {
                ["text_tokens"] = 119, ["audio_tokens"] = 13, ["image_tokens"] = 0, ["cached_tokens"] = 64,
                ["cached_tokens_details"] = new JsonObject { ["text_tokens"] = 64, ["audio_tokens"] = 0, ["image_tokens"] = 0 },
            },
            ["output_token_details"] = new JsonObject { ["text_tokens"] = 30, ["audio_tokens"] = 91 },
        };
        Enqueue(Event("response.done", new JsonObject { ["response"] = ResponseJson(response, status, statusDetails, usage, output) }));
        lock (_gate)
        {
            if (_active == response)
            {
                _active = null;
            }

            if (_responseQueued)
            {
                _responseQueued = false;
                StartResponse();
            }
        }
    }

    private JsonObject ResponseJson(Response response, string status, JsonObject? statusDetails, JsonObject? usage, JsonNode[] output) => new()
    {
        ["id"] = response.Id,
        ["object"] = "realtime.response",
        ["status"] = status,
        ["status_details"] = statusDetails,
        ["conversation_id"] = "conv_emulator",
        ["output"] = new JsonArray(output),
        ["output_modalities"] = new JsonArray("audio"),
        ["audio"] = new JsonObject { ["output"] = new JsonObject { ["format"] = FormatObject(_outputFormat), ["voice"] = _session["audio"]!["output"]!["voice"]?.DeepClone() } },
        ["usage"] = usage,
    };

    private static JsonObject Part(Response response, JsonObject? part, string? delta = null, string? transcriptDone = null)
    {
        var body = new JsonObject { ["response_id"] = response.Id, ["item_id"] = response.ItemId, ["output_index"] = 0, ["content_index"] = 0 };
        if (part is not null)
        {
            body["part"] = part;
        }

        if (delta is not null)
        {
            body["delta"] = delta;
        }

        if (transcriptDone is not null)
        {
            body["transcript"] = transcriptDone;
        }

        return body;
    }

    // ---------------------------------------------------------------- validation helpers

    private static ClientError? ParseFormat(JsonNode node, string param, out RealtimeAudioFormatType format)
    {
        format = RealtimeAudioFormatType.Pcm24k;
        if (node is not JsonObject obj)
        {
            return Invalid(param, node.ToJsonString(), "an object such as {\"type\":\"audio/pcmu\"}");
        }

        if (Unknown(obj, ["type", "rate"], param) is { } unknown)
        {
            return unknown;
        }

        var type = obj["type"] is JsonValue tv && tv.TryGetValue<string>(out var ts) ? ts : null;
        switch (type)
        {
            case "audio/pcm":
                if (obj["rate"] is { } rate && !(rate is JsonValue rv && rv.TryGetValue<int>(out var r) && r == 24_000))
                {
                    return Invalid(param + ".rate", rate.ToJsonString(), "24000");
                }

                format = RealtimeAudioFormatType.Pcm24k;
                return null;
            case "audio/pcmu" or "audio/pcma":
                if (obj.ContainsKey("rate"))
                {
                    return new ClientError("unknown_parameter", $"Unknown parameter: '{param}.rate'.", param + ".rate");
                }

                format = type == "audio/pcmu" ? RealtimeAudioFormatType.Pcmu : RealtimeAudioFormatType.Pcma;
                return null;
            default:
                return Invalid(param + ".type", type ?? "null", "'audio/pcm', 'audio/pcmu', and 'audio/pcma'");
        }
    }

    /// <summary><c>session.tools</c>: function tools <c>{type: "function", name, description, parameters}</c>.</summary>
    private static ClientError? ValidateTools(JsonNode node)
    {
        if (node is not JsonArray tools)
        {
            return Invalid("session.tools", node.ToJsonString(), "an array of tools");
        }

        for (var i = 0; i < tools.Count; i++)
        {
            var param = $"session.tools[{i}]";
            if (tools[i] is not JsonObject tool)
            {
                return Invalid(param, tools[i]?.ToJsonString() ?? "null", "a tool object");
            }

            var type = tool["type"] is JsonValue tv && tv.TryGetValue<string>(out var ts) ? ts : null;
            if (type != "function")
            {
                return Invalid(param + ".type", type ?? "null", "'function' (the emulator models function tools only)");
            }

            if (Unknown(tool, ["type", "name", "description", "parameters"], param) is { } unknown)
            {
                return unknown;
            }

            if (tool["name"] is not JsonValue nv || !nv.TryGetValue<string>(out var name) || name.Length == 0)
            {
                return Missing(param + ".name");
            }

            if (tool["description"] is { } description && description.GetValueKind() != JsonValueKind.String)
            {
                return Invalid(param + ".description", description.ToJsonString(), "a string");
            }

            if (tool["parameters"] is { } parameters && parameters is not JsonObject)
            {
                return Invalid(param + ".parameters", parameters.ToJsonString(), "a JSON schema object");
            }
        }

        return null;
    }

    private static ClientError? ValidateTranscription(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject obj)
        {
            return Invalid("session.audio.input.transcription", node.ToJsonString(), "an object or null");
        }

        if (Unknown(obj, ["model", "language", "prompt", "delay", "keywords", "languages"], "session.audio.input.transcription") is { } unknown)
        {
            return unknown;
        }

        var model = obj["model"] is JsonValue mv && mv.TryGetValue<string>(out var ms) ? ms : null;
        return model is not null && !s_transcriptionModels.Contains(model)
            ? Invalid("session.audio.input.transcription.model", model, string.Join(", ", s_transcriptionModels.Select(s => $"'{s}'")))
            : null;
    }

    private static ClientError? ValidateTurnDetection(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        const string param = "session.audio.input.turn_detection";
        if (node is not JsonObject obj)
        {
            return Invalid(param, node.ToJsonString(), "an object or null");
        }

        var type = obj["type"] is JsonValue tv && tv.TryGetValue<string>(out var ts) ? ts : null;
        string[] keys = type switch
        {
            "server_vad" => ["type", "threshold", "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms", "create_response", "interrupt_response"],
            "semantic_vad" => ["type", "eagerness", "create_response", "interrupt_response"],
            _ => [],
        };
        if (keys.Length == 0)
        {
            return Invalid(param + ".type", type ?? "null", "'server_vad', 'semantic_vad'");
        }

        if (Unknown(obj, keys, param) is { } unknown)
        {
            return unknown;
        }

        if (obj["threshold"] is { } th && !(th is JsonValue thv && thv.TryGetValue<double>(out var t) && t is >= 0 and <= 1))
        {
            return Invalid(param + ".threshold", th.ToJsonString(), "a number between 0 and 1");
        }

        foreach (var key in new[] { "prefix_padding_ms", "silence_duration_ms", "idle_timeout_ms" })
        {
            if (obj[key] is { } v && !(v is JsonValue vv && vv.TryGetValue<int>(out var i) && i >= 0))
            {
                return Invalid($"{param}.{key}", v.ToJsonString(), "a non-negative integer");
            }
        }

        foreach (var key in new[] { "create_response", "interrupt_response" })
        {
            if (obj[key] is { } v && v.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Invalid($"{param}.{key}", v.ToJsonString(), "true or false");
            }
        }

        if (obj["eagerness"] is { } e && !(e is JsonValue ev && ev.TryGetValue<string>(out var es) && es is "low" or "medium" or "high" or "auto"))
        {
            return Invalid(param + ".eagerness", e.ToJsonString(), "'low', 'medium', 'high', 'auto'");
        }

        return null;
    }

    private static void FillTurnDetectionDefaults(JsonObject? td)
    {
        if (td is null)
        {
            return;
        }

        if ((string?)td["type"] == "server_vad")
        {
            td["threshold"] ??= 0.5;
            td["prefix_padding_ms"] ??= 300;
            td["silence_duration_ms"] ??= 500;
            if (!td.ContainsKey("idle_timeout_ms"))
            {
                td["idle_timeout_ms"] = null;
            }
        }
        else
        {
            td["eagerness"] ??= "auto";
        }

        td["create_response"] ??= true;
        td["interrupt_response"] ??= true;
    }

    private static int SilenceMs(JsonObject turnDetection) =>
        (string?)turnDetection["type"] == "semantic_vad"
            ? (string?)turnDetection["eagerness"] switch { "low" => 1200, "high" => 400, _ => 800 }
            : turnDetection["silence_duration_ms"] is JsonValue v && v.TryGetValue<int>(out var ms) ? Math.Max(100, ms) : 500;

    private static ClientError? Unknown(JsonObject obj, string[] allowed, string path)
    {
        foreach (var (key, _) in obj)
        {
            if (!allowed.Contains(key))
            {
                return new ClientError("unknown_parameter", $"Unknown parameter: '{path}.{key}'.", $"{path}.{key}");
            }
        }

        return null;
    }

    private static ClientError Missing(string param) =>
        new("missing_required_parameter", $"Missing required parameter: '{param}'.", param);

    private static ClientError Invalid(string param, string value, string supported, string hint = "") =>
        new("invalid_value", $"Invalid value: '{value}'. Supported values are: {supported}.{hint}", param);

    private static JsonObject FormatObject(RealtimeAudioFormatType format) => format == RealtimeAudioFormatType.Pcm24k
        ? new JsonObject { ["type"] = "audio/pcm", ["rate"] = 24_000 }
        : new JsonObject { ["type"] = RealtimeEmulatorAudio.WireType(format) };

    private static JsonObject DefaultSession(string model, DateTimeOffset now) => new()
    {
        ["id"] = NewId("sess"),
        ["object"] = "realtime.session",
        ["type"] = "realtime",
        ["model"] = model,
        ["expires_at"] = now.AddMinutes(60).ToUnixTimeSeconds(),
        ["instructions"] = "You are a helpful assistant.",
        ["output_modalities"] = new JsonArray("audio"),
        ["max_output_tokens"] = "inf",
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["tracing"] = null,
        ["truncation"] = "auto",
        ["prompt"] = null,
        ["include"] = null,
        ["audio"] = new JsonObject
        {
            ["input"] = new JsonObject
            {
                ["format"] = FormatObject(RealtimeAudioFormatType.Pcm24k),
                ["noise_reduction"] = null,
                ["transcription"] = null,
                ["turn_detection"] = new JsonObject
                {
                    ["type"] = "server_vad", ["threshold"] = 0.5, ["prefix_padding_ms"] = 300, ["silence_duration_ms"] = 500,
                    ["idle_timeout_ms"] = null, ["create_response"] = true, ["interrupt_response"] = true,
                },
            },
            ["output"] = new JsonObject { ["format"] = FormatObject(RealtimeAudioFormatType.Pcm24k), ["voice"] = "marin", ["speed"] = 1.0 },
        },
    };

    private static string NewId(string prefix) => $"{prefix}_{Guid.NewGuid().ToString("N")[..20]}";

    private enum OutboundKind
    {
        Event,
        Close,
        Abort,
        Stall,
    }

    private sealed record Outbound(OutboundKind Kind, JsonObject? Event, string? Reason);

    private sealed record ClientError(string Code, string Message, string? Param)
    {
        public string Type => "invalid_request_error";
    }

    /// <summary>A conversation item.</summary>
    private sealed class Item(string id, string role, string contentType, string transcript)
    {
        public string Id { get; } = id;

        public string Role { get; } = role;

        public string ContentType { get; } = contentType;

        public string Transcript { get; set; } = transcript;

        public string Status { get; set; } = "completed";

        public long AudioMs { get; set; }

        public long? TruncatedAtMs { get; set; }

        public JsonObject ToJson(string status, bool withTranscript)
        {
            var content = new JsonArray();
            if (Role != "assistant" || withTranscript)
            {
                var part = new JsonObject { ["type"] = ContentType };
                if (ContentType is "input_text" or "output_text")
                {
                    part["text"] = Transcript;
                }
                else
                {
                    part["transcript"] = withTranscript ? Transcript : null;
                }

                content.Add(part);
            }

            return new JsonObject
            {
                ["id"] = Id,
                ["object"] = "realtime.item",
                ["type"] = Role == "tool" ? ContentType : "message",
                ["role"] = Role == "tool" ? null : Role,
                ["status"] = status,
                ["content"] = content,
            };
        }
    }

    /// <summary>A scripted function call waiting for its output.</summary>
    private sealed class PendingCall(Common.ScriptedToolCall call)
    {
        public Common.ScriptedToolCall Call { get; } = call;

        public string? Output { get; set; }
    }

    /// <summary>A response being generated.</summary>
    private sealed class Response(string id, string itemId, int number, bool greeting, string? clientEventId)
    {
        private readonly CancellationTokenSource _cancel = new();
        private volatile string? _reason;

        public string Id { get; } = id;

        public string ItemId { get; } = itemId;

        public int Number { get; } = number;

        public bool Greeting { get; } = greeting;

        /// <summary>The <c>event_id</c> of the <c>response.create</c> that asked for it (null for server VAD).</summary>
        public string? ClientEventId { get; } = clientEventId;

        public string? CancelReason => _reason;

        /// <summary>The scripted function calls this response makes instead of speaking; null for a spoken response.</summary>
        public Common.ScriptedToolCall[]? ToolCalls { get; init; }

        /// <summary>Speaks the farewell (after a <c>hangup_call</c> output).</summary>
        public bool Farewell { get; init; }

        /// <summary>The upgrade's drawn drop or stall, if this is the connection's first spoken response.</summary>
        public UpgradeFaultKind? UpgradeFault { get; init; }

        public CancellationToken Cancelled => _cancel.Token;

        public void Cancel(string reason)
        {
            _reason ??= reason;
            _cancel.Cancel();
        }
    }
}
