using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AiAgent.Emulators.Common;
using Microsoft.Extensions.Logging;

namespace AiAgent.Emulators.Deepgram;

/// <summary>A text message the emulator received, for assertions.</summary>
/// <param name="Type">The message's <c>type</c> (or <c>(unparsable)</c>).</param>
/// <param name="Json">The raw text.</param>
/// <param name="AudioBytesBefore">Caller audio bytes received on this connection before this message.</param>
public sealed record DeepgramClientMessage(string Type, string Json, long AudioBytesBefore);

/// <summary>A <c>FunctionCallRequest</c> the emulator sent and the client's answer, if any.</summary>
public sealed record DeepgramFunctionCall(string Id, string Name, bool ClientSide)
{
    /// <summary>The <c>FunctionCallResponse</c> the client sent for it (raw JSON), or null.</summary>
    public string? ResponseJson { get; internal set; }
}

/// <summary>
/// One emulated Voice Agent connection: what it received and sent (for tests) and the behaviour of the v1 API:
/// <c>Welcome</c>, <c>Settings</c> validation with the real error codes, greeting, energy-VAD turns, barge-in,
/// <c>KeepAlive</c>, injections, function calls and the idle timeout.
/// </summary>
public sealed partial class DeepgramEmulatorSession
{
    private static readonly string[] s_clientTypes =
        ["Settings", "KeepAlive", "UpdatePrompt", "UpdateSpeak", "UpdateThink", "UpdateListen", "InjectUserMessage", "InjectAgentMessage", "FunctionCallResponse"];

    private static readonly string[] s_inputEncodings = ["linear16", "linear32", "flac", "alaw", "mulaw", "amr-nb", "amr-wb", "opus", "ogg-opus", "speex", "g729"];
    private static readonly string[] s_outputEncodings = ["linear16", "mulaw", "alaw", "mp3", "opus", "flac", "aac"];
    private static readonly int[] s_linear16OutputRates = [8_000, 16_000, 24_000, 32_000, 48_000];
    private static readonly string[] s_thinkProviders = ["open_ai", "anthropic", "google", "groq", "aws_bedrock", "deepgram"];
    private static readonly string[] s_openAIModels = ["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini"];
    private static readonly string[] s_speakProviders = ["deepgram", "eleven_labs", "cartesia", "open_ai", "aws_polly"];

    private readonly DeepgramEmulator _owner;
    private readonly DeepgramEmulatorOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<OutFrame> _out = Channel.CreateUnbounded<OutFrame>(new() { SingleReader = true });
    private readonly object _gate = new();
    private readonly List<DeepgramClientMessage> _messages = [];
    private readonly List<string> _sent = [];
    private readonly List<DeepgramFunctionCall> _functionCalls = [];
    private readonly List<string> _toolShapeErrors = [];
    private readonly List<Common.ToolCallResult> _toolResults = [];
    private readonly Dictionary<string, Common.ScriptedToolCall> _scriptedPending = [];
    private readonly CancellationTokenSource _closed = new();
    private WebSocket? _socket;
    private long _lastActivity = Stopwatch.GetTimestamp();

    // Negotiated by Settings (guarded by _gate).
    private bool _settingsReceived;
    private bool _settingsApplied;
    private string _inputEncoding = "linear16";
    private string _outputEncoding = "linear16";
    private int _outputRate = 24_000;
    private EnergyVad? _vad;
    private int _vadWindow = 160;
    private int _inputRate = 16_000;
    private int _formatWindowSamples;
    private int _formatWindowSaturated;
    private short[] _decoded = new short[4096];
    private byte? _oddInputByte;

    // The agent turn in progress (guarded by _gate).
    private CancellationTokenSource? _turn;
    private byte[]? _turnAudio;
    private int _turnPosition;
    private volatile bool _closing;
    private int _functionIds;

    internal DeepgramEmulatorSession(DeepgramEmulator owner, DeepgramEmulatorOptions options, ILogger logger, string authorization)
    {
        _owner = owner;
        _options = options;
        _logger = logger;
        AuthorizationScheme = authorization.Split(' ', 2)[0];
    }

    /// <summary>The <c>request_id</c> sent in <c>Welcome</c>.</summary>
    public string RequestId { get; } = Guid.NewGuid().ToString();

    /// <summary><c>Token</c> or <c>Bearer</c>: how the client authenticated.</summary>
    public string AuthorizationScheme { get; }

    /// <summary>The accepted <c>Settings</c> message, raw.</summary>
    public string? SettingsJson { get; private set; }

    /// <summary>Text messages received, in order.</summary>
    public IReadOnlyList<DeepgramClientMessage> Messages { get { lock (_gate) { return _messages.ToArray(); } } }

    /// <summary>Server text message types sent, in order (<c>Error:CODE</c> for errors).</summary>
    public IReadOnlyList<string> Sent { get { lock (_gate) { return _sent.ToArray(); } } }

    /// <summary>Function calls requested with <see cref="DeepgramEmulator.RequestFunctionCallAsync"/>.</summary>
    public IReadOnlyList<DeepgramFunctionCall> FunctionCalls { get { lock (_gate) { return _functionCalls.ToArray(); } } }

    /// <summary>What was wrong with the client's answers to function calls (unknown id, wrong name, duplicate, extra fields, a bad <c>agent.think.functions</c>).</summary>
    public IReadOnlyList<string> ToolShapeErrors { get { lock (_gate) { return _toolShapeErrors.ToArray(); } } }

    /// <summary>The results the client sent for scripted function calls (<see cref="DeepgramEmulatorOptions.ToolCalls"/>), in order.</summary>
    public IReadOnlyList<Common.ToolCallResult> ToolResults { get { lock (_gate) { return _toolResults.ToArray(); } } }

    /// <summary>Caller audio bytes received.</summary>
    public long AudioBytesReceived { get; private set; }

    /// <summary>Caller audio bytes received after <c>Settings</c> but before <c>SettingsApplied</c> was sent.</summary>
    public long AudioBytesBeforeSettingsApplied { get; private set; }

    /// <summary><c>KeepAlive</c> messages received.</summary>
    public int KeepAlives { get; private set; }

    /// <summary>Agent audio bytes sent.</summary>
    public long AgentAudioBytesSent { get; private set; }

    /// <summary>Agent audio bytes sent after <c>UserStartedSpeaking</c> (in-flight frames a client must drop).</summary>
    public long StaleAudioBytesSent { get; private set; }

    /// <summary>Caller turns detected by the VAD.</summary>
    public int UserTurns { get; private set; }

    /// <summary>Agent turns interrupted by caller speech.</summary>
    public int BargeIns { get; private set; }

    /// <summary>Agent turns whose audio was sent to the end.</summary>
    public int AgentTurnsCompleted { get; private set; }

    /// <summary>Error codes sent.</summary>
    public IReadOnlyList<string> ErrorsSent { get { lock (_gate) { return _sent.Where(s => s.StartsWith("Error:", StringComparison.Ordinal)).Select(s => s[6..]).ToArray(); } } }

    /// <summary>True once the client sent a close frame (a clean close, not a dropped connection).</summary>
    public bool ClientClosed { get; private set; }

    /// <summary>True while the WebSocket is open.</summary>
    public bool IsOpen { get; private set; } = true;

    internal async Task RunAsync(WebSocket socket, CancellationToken aborted)
    {
        _socket = socket;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closed.Token);
        var writer = WriteLoopAsync(socket, linked.Token);
        var idle = IdleWatchAsync(linked.Token);
        SendJson("Welcome", w => w.WriteString("request_id", RequestId));
        try
        {
            await ReceiveLoopAsync(socket, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            LogConnectionLost(_logger, RequestId, ex.Message);
        }
        finally
        {
            lock (_gate)
            {
                _turn?.Cancel();
                IsOpen = false;
            }

            _out.Writer.TryComplete();
            await writer.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _closed.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(writer, idle).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _owner.NotifyChanged();
        }
    }

    /// <summary>Sends a fatal <c>Error</c> and closes, as the service does.</summary>
    internal void Fail(string code, string description)
    {
        lock (_gate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
            _turn?.Cancel();
        }

        LogError(_logger, RequestId, code, description);
        SendJson("Error", w =>
        {
            w.WriteString("code", code);
            w.WriteString("description", description);
        }, record: "Error:" + code);
        _out.Writer.TryWrite(OutFrame.Close(code == "INTERNAL_SERVER_ERROR" ? WebSocketCloseStatus.InternalServerError : WebSocketCloseStatus.PolicyViolation, code));
        _ = AbortLaterAsync();
    }

    /// <summary>A client that never answers the close handshake is cut off.</summary>
    private async Task AbortLaterAsync()
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(2), _closed.Token).ConfigureAwait(false);
            _socket?.Abort();
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Drops the TCP connection without a close handshake.</summary>
    internal void Abort() => _socket?.Abort();

    /// <summary>Sends a server text frame exactly as given (message types or field shapes the emulator does not produce itself).</summary>
    internal void SendRawText(string json)
    {
        lock (_gate)
        {
            _sent.Add("raw");
        }

        _out.Writer.TryWrite(OutFrame.Data(System.Text.Encoding.UTF8.GetBytes(json), text: true));
    }

    internal string RequestFunctionCall(string name, string argumentsJson, bool clientSide)
    {
        var id = $"fc_{RequestId[..8]}_{Interlocked.Increment(ref _functionIds)}";
        lock (_gate)
        {
            _functionCalls.Add(new DeepgramFunctionCall(id, name, clientSide));
        }

        SendJson("FunctionCallRequest", w =>
        {
            w.WriteStartArray("functions");
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("name", name);
            w.WriteString("arguments", argumentsJson);
            w.WriteBoolean("client_side", clientSide);
            w.WriteEndObject();
            w.WriteEndArray();
        });
        if (!clientSide)
        {
            // A server-side function: the service runs it and reports the result informationally.
            SendJson("FunctionCallResponse", w =>
            {
                w.WriteString("id", id);
                w.WriteString("name", name);
                w.WriteString("content", """{"ok":true}""");
            });
        }

        return id;
    }

    private async Task ReceiveLoopAsync(WebSocket socket, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    if (buffer.Length >= 4 << 20)
                    {
                        Fail("UNPARSABLE_CLIENT_MESSAGE", "Client message too large.");
                        count = 0;
                    }
                    else
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, count).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ClientClosed = true;
                    _out.Writer.TryWrite(OutFrame.Close(WebSocketCloseStatus.NormalClosure, string.Empty));
                    return;
                }

                count += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (!_closing)
                {
                    if (result.MessageType == WebSocketMessageType.Text)
                    {
                        OnText(buffer.AsSpan(0, count));
                    }
                    else
                    {
                        OnAudio(buffer.AsSpan(0, count));
                    }
                }

                count = 0;
                _owner.NotifyChanged();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void OnText(ReadOnlySpan<byte> utf8)
    {
        var text = Encoding.UTF8.GetString(utf8);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            Record("(unparsable)", text);
            Fail("UNPARSABLE_CLIENT_MESSAGE", "We could not parse the client message: it is not valid JSON.");
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                Record("(unparsable)", text);
                Fail("UNPARSABLE_CLIENT_MESSAGE", "We could not parse the client message: a JSON object with a string \"type\" is required.");
                return;
            }

            var type = typeElement.GetString()!;
            Record(type, text);
            if (!s_clientTypes.Contains(type))
            {
                // The v1 API knows no such message, including the early-access SettingsConfiguration.
                Fail("UNPARSABLE_CLIENT_MESSAGE", $"We could not parse the client message: unknown message type '{type}'.");
                return;
            }

            if (!_settingsReceived)
            {
                if (type != "Settings")
                {
                    Fail("NON_SETTINGS_MESSAGE_BEFORE_SETTINGS", $"Received a {type} message before the Settings message.");
                    return;
                }

                OnSettings(root, text);
                return;
            }

            switch (type)
            {
                case "Settings":
                    Fail("SETTINGS_ALREADY_APPLIED", "Settings may only be sent once per session.");
                    break;
                case "KeepAlive":
                    KeepAlives++;
                    MarkActivity();
                    break;
                case "InjectUserMessage":
                    if (!TryGetString(root, "content", out var content))
                    {
                        Fail("UNPARSABLE_CLIENT_MESSAGE", "InjectUserMessage requires a string \"content\".");
                        return;
                    }

                    SendJson("ConversationText", w =>
                    {
                        w.WriteString("role", "user");
                        w.WriteString("content", content);
                    });
                    StartReplyTurn();
                    break;
                case "InjectAgentMessage":
                    if (!TryGetString(root, "message", out var message))
                    {
                        Fail("UNPARSABLE_CLIENT_MESSAGE", "InjectAgentMessage requires a string \"message\".");
                        return;
                    }

                    OnInjectAgentMessage(root, message);
                    break;
                case "FunctionCallResponse":
                    OnFunctionCallResponse(root, text);
                    break;
                case "UpdatePrompt":
                    SendJson("PromptUpdated", static _ => { });
                    break;
                case "UpdateSpeak":
                    SendJson("SpeakUpdated", static _ => { });
                    break;
                case "UpdateThink":
                    SendJson("ThinkUpdated", static _ => { });
                    break;
                case "UpdateListen":
                    SendJson("ListenUpdated", static _ => { });
                    break;
            }
        }
    }

    private void OnSettings(JsonElement root, string text)
    {
        var error = ValidateSettings(root, out var greeting);
        if (error is not null)
        {
            Fail("INVALID_SETTINGS", error);
            return;
        }

        SettingsJson = text;
        _settingsReceived = true;
        MarkActivity();
        var input = root.GetProperty("audio").GetProperty("input");
        var output = root.GetProperty("audio").GetProperty("output");
        _inputEncoding = input.GetProperty("encoding").GetString()!;
        var inputRate = input.GetProperty("sample_rate").GetInt32();
        _outputEncoding = output.GetProperty("encoding").GetString()!;
        _outputRate = output.GetProperty("sample_rate").GetInt32();
        _vad = new EnergyVad(inputRate, _options.SpeechThresholdDbfs, _options.MinSpeechMs, _options.SilenceMs);
        _vadWindow = Math.Max(1, inputRate / 50);
        _inputRate = inputRate;
        _ = ApplySettingsAsync(greeting);
    }

    private async Task ApplySettingsAsync(string? greeting)
    {
        try
        {
            if (_options.SettingsAppliedDelay > TimeSpan.Zero)
            {
                await Task.Delay(_options.SettingsAppliedDelay, _closed.Token).ConfigureAwait(false);
            }

            lock (_gate)
            {
                _settingsApplied = true;
            }

            SendJson("SettingsApplied", static _ => { });
            LogSettingsApplied(_logger, RequestId, _inputEncoding, _outputEncoding, _outputRate);
            if (!string.IsNullOrWhiteSpace(greeting))
            {
                StartTurn("greeting", VoiceAssets.Greeting, greeting, textFirst: true, thinkDelay: TimeSpan.Zero);
            }

            _owner.NotifyChanged();
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary><c>agent.think.functions</c>: <c>[{name, description, parameters, endpoint?}]</c> (no endpoint: client-side).</summary>
    private static string? ValidateFunctions(JsonElement functions)
    {
        if (functions.ValueKind != JsonValueKind.Array)
        {
            return "agent.think.functions must be an array.";
        }

        foreach (var function in functions.EnumerateArray())
        {
            if (function.ValueKind != JsonValueKind.Object || !TryGetString(function, "name", out var name) || name.Length == 0)
            {
                return "agent.think.functions items require a string \"name\".";
            }

            if (!TryGetString(function, "description", out _))
            {
                return $"agent.think.functions '{name}' requires a string \"description\".";
            }

            if (!function.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object)
            {
                return $"agent.think.functions '{name}' requires a \"parameters\" JSON schema object.";
            }

            foreach (var property in function.EnumerateObject())
            {
                if (property.Name is not ("name" or "description" or "parameters" or "endpoint"))
                {
                    return $"agent.think.functions '{name}' has an unknown field '{property.Name}'.";
                }
            }
        }

        return null;
    }

    /// <summary>Validates <c>Settings</c> against the v1 schema (and what the emulator can code); returns the error or null.</summary>
    private static string? ValidateSettings(JsonElement root, out string? greeting)
    {
        greeting = null;
        if (!root.TryGetProperty("audio", out var audio) || audio.ValueKind != JsonValueKind.Object)
        {
            return "Settings requires an \"audio\" object.";
        }

        if (!root.TryGetProperty("agent", out var agent))
        {
            return "Settings requires an \"agent\" object.";
        }

        if (!audio.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
        {
            return "audio.input is required by this emulator (encoding and sample_rate must be explicit: the spec and docs disagree on the default).";
        }

        if (!TryGetString(input, "encoding", out var inputEncoding) || !s_inputEncodings.Contains(inputEncoding))
        {
            return $"audio.input.encoding must be one of {string.Join(", ", s_inputEncodings)}.";
        }

        if (inputEncoding is not ("linear16" or "mulaw" or "alaw"))
        {
            return $"audio.input.encoding {inputEncoding} is valid for Deepgram but not decoded by the emulator (linear16, mulaw, alaw).";
        }

        if (!input.TryGetProperty("sample_rate", out var inputRate) || !inputRate.TryGetInt32(out var inRate) || inRate is < 8_000 or > 48_000)
        {
            return "audio.input.sample_rate must be an integer between 8000 and 48000.";
        }

        if (!audio.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.Object)
        {
            return "audio.output is required by this emulator.";
        }

        if (!TryGetString(output, "encoding", out var outputEncoding) || !s_outputEncodings.Contains(outputEncoding))
        {
            return $"audio.output.encoding must be one of {string.Join(", ", s_outputEncodings)}.";
        }

        if (outputEncoding is not ("linear16" or "mulaw" or "alaw"))
        {
            return $"audio.output.encoding {outputEncoding} is valid for Deepgram but not produced by the emulator (linear16, mulaw, alaw).";
        }

        if (!output.TryGetProperty("sample_rate", out var outputRate) || !outputRate.TryGetInt32(out var outRate))
        {
            return "audio.output.sample_rate must be an integer.";
        }

        if (outputEncoding == "linear16" ? !s_linear16OutputRates.Contains(outRate) : outRate is not (8_000 or 16_000))
        {
            return $"audio.output: {outputEncoding} at {outRate} Hz is not a supported TTS audio format combination.";
        }

        if (output.TryGetProperty("container", out var container) && (container.ValueKind != JsonValueKind.String || container.GetString() != "none"))
        {
            return "audio.output.container: the emulator produces raw audio only (\"none\").";
        }

        if (agent.ValueKind == JsonValueKind.String)
        {
            return "agent: saved agent configurations (a UUID) are not emulated; send the agent object inline.";
        }

        if (agent.ValueKind != JsonValueKind.Object)
        {
            return "agent must be an object.";
        }

        if (agent.TryGetProperty("language", out var language) && language.ValueKind != JsonValueKind.String)
        {
            return "agent.language must be a string.";
        }

        if (!agent.TryGetProperty("listen", out var listen) || !listen.TryGetProperty("provider", out var listenProvider) ||
            !TryGetString(listenProvider, "type", out var listenType) || listenType != "deepgram" || !TryGetString(listenProvider, "model", out var listenModel))
        {
            return "agent.listen.provider must be {\"type\":\"deepgram\",\"model\":...}.";
        }

        if (listenProvider.TryGetProperty("version", out var listenVersion) &&
            (listenVersion.ValueKind != JsonValueKind.String || listenVersion.GetString() is not ("v1" or "v2")))
        {
            return "agent.listen.provider.version must be \"v1\" (Nova) or \"v2\" (Flux).";
        }

        var flux = listenModel.StartsWith("flux-", StringComparison.Ordinal);
        if (flux != (listenVersion.ValueKind == JsonValueKind.String && listenVersion.GetString() == "v2"))
        {
            return $"agent.listen.provider.model '{listenModel}' does not belong to that version: flux-* models are v2, nova-* models v1.";
        }

        if (listenProvider.TryGetProperty("language", out var listenLanguage) && listenLanguage.ValueKind != JsonValueKind.String)
        {
            return "agent.listen.provider.language must be a string.";
        }

        if (!agent.TryGetProperty("think", out var think))
        {
            return "agent.think is required.";
        }

        foreach (var entry in think.ValueKind == JsonValueKind.Array ? think.EnumerateArray().ToArray() : [think])
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("provider", out var thinkProvider) ||
                !TryGetString(thinkProvider, "type", out var thinkType) || !s_thinkProviders.Contains(thinkType))
            {
                return $"agent.think.provider.type must be one of {string.Join(", ", s_thinkProviders)}.";
            }

            if (thinkType == "open_ai" && (!TryGetString(thinkProvider, "model", out var model) || !s_openAIModels.Contains(model)))
            {
                return $"agent.think.provider.model must be one of {string.Join(", ", s_openAIModels)} for open_ai.";
            }

            if (entry.TryGetProperty("prompt", out var prompt) && prompt.ValueKind != JsonValueKind.String)
            {
                return "agent.think.prompt must be a string.";
            }

            if (entry.TryGetProperty("functions", out var functions) && ValidateFunctions(functions) is { } functionsError)
            {
                return functionsError;
            }
        }

        if (!agent.TryGetProperty("speak", out var speak))
        {
            return "agent.speak is required.";
        }

        foreach (var entry in speak.ValueKind == JsonValueKind.Array ? speak.EnumerateArray().ToArray() : [speak])
        {
            if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("provider", out var speakProvider) ||
                !TryGetString(speakProvider, "type", out var speakType) || !s_speakProviders.Contains(speakType))
            {
                return $"agent.speak.provider.type must be one of {string.Join(", ", s_speakProviders)}.";
            }

            if (speakType == "deepgram" && !TryGetString(speakProvider, "model", out _))
            {
                return "agent.speak.provider.model is required for deepgram.";
            }
        }

        if (agent.TryGetProperty("greeting", out var greetingElement))
        {
            if (greetingElement.ValueKind != JsonValueKind.String)
            {
                return "agent.greeting must be a string.";
            }

            greeting = greetingElement.GetString();
        }

        if (agent.TryGetProperty("context", out var context))
        {
            if (!context.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                return "agent.context.messages must be an array.";
            }

            foreach (var item in messages.EnumerateArray())
            {
                var isHistory = TryGetString(item, "type", out var itemType) && itemType == "History";
                var isText = TryGetString(item, "role", out var role) && role is "user" or "assistant" && TryGetString(item, "content", out _);
                var isCalls = item.TryGetProperty("function_calls", out var calls) && calls.ValueKind == JsonValueKind.Array;
                if (!isHistory || !(isText || isCalls))
                {
                    return "agent.context.messages items must be {\"type\":\"History\",\"role\":\"user\"|\"assistant\",\"content\":...} or {\"type\":\"History\",\"function_calls\":[...]}.";
                }
            }
        }

        return null;
    }

    private void OnAudio(ReadOnlySpan<byte> audio)
    {
        if (!_settingsReceived)
        {
            Fail("NON_SETTINGS_MESSAGE_BEFORE_SETTINGS", "Received binary audio before the Settings message.");
            return;
        }

        MarkActivity();
        AudioBytesReceived += audio.Length;
        lock (_gate)
        {
            if (!_settingsApplied)
            {
                AudioBytesBeforeSettingsApplied += audio.Length;
            }
        }

        var vad = _vad!;
        var bytesPerSample = DeepgramEmulatorAudio.BytesPerSample(_inputEncoding);
        ReadOnlySpan<byte> whole = audio;
        Span<byte> joined = stackalloc byte[2];
        if (bytesPerSample == 2 && _oddInputByte is { } odd && audio.Length > 0)
        {
            // A sample split across frames: finish it first.
            joined[0] = odd;
            joined[1] = audio[0];
            Feed(vad, joined);
            whole = audio[1..];
            _oddInputByte = null;
        }

        if (bytesPerSample == 2 && whole.Length % 2 == 1)
        {
            _oddInputByte = whole[^1];
            whole = whole[..^1];
        }

        Feed(vad, whole);
    }

    private void Feed(EnergyVad vad, ReadOnlySpan<byte> audio)
    {
        var samples = audio.Length / DeepgramEmulatorAudio.BytesPerSample(_inputEncoding);
        if (_decoded.Length < samples)
        {
            _decoded = new short[samples];
        }

        var decoded = _decoded.AsSpan(0, DeepgramEmulatorAudio.Decode(_inputEncoding, audio, _decoded));
        if (!CheckDeclaredFormat(decoded))
        {
            return;
        }

        // The VAD reports at most one edge per call: feed it in 20 ms windows so no edge is lost in a big chunk.
        var window = _vadWindow;
        for (var offset = 0; offset < decoded.Length; offset += window)
        {
            var edge = vad.Process(decoded.Slice(offset, Math.Min(window, decoded.Length - offset)));
            if (edge > 0)
            {
                OnUserStartedSpeaking();
            }
            else if (edge < 0)
            {
                OnUserStoppedSpeaking(vad.SpeechEndMs - vad.SpeechStartMs);
            }
        }
    }

    /// <summary>
    /// <c>USER_AUDIO_FORMAT</c>: audio that decodes to mostly full-scale samples over a second is not in the declared
    /// format (e.g. linear16 silence sent on a mulaw session decodes to -32124 throughout); speech never looks so.
    /// </summary>
    private bool CheckDeclaredFormat(ReadOnlySpan<short> decoded)
    {
        foreach (var sample in decoded)
        {
            if (sample is >= 32_000 or <= -32_000)
            {
                _formatWindowSaturated++;
            }
        }

        _formatWindowSamples += decoded.Length;
        if (_formatWindowSamples < _inputRate)
        {
            return true;
        }

        var mismatch = _formatWindowSaturated * 2 > _formatWindowSamples;
        _formatWindowSamples = 0;
        _formatWindowSaturated = 0;
        if (mismatch)
        {
            Fail("USER_AUDIO_FORMAT", $"The audio does not match the declared audio.input format ({_inputEncoding} at {_inputRate} Hz).");
        }

        return !mismatch;
    }

    private void OnUserStartedSpeaking()
    {
        lock (_gate)
        {
            SendJson("UserStartedSpeaking", static _ => { });
            if (_turn is { IsCancellationRequested: false } turn)
            {
                turn.Cancel();
                if (_turnAudio is { } audio && _turnPosition > 0)
                {
                    BargeIns++;
                    var stale = Math.Min(audio.Length - _turnPosition, StaleBytes());
                    if (stale > 0)
                    {
                        SendAudio(audio.AsMemory(_turnPosition, stale));
                        StaleAudioBytesSent += stale;
                    }
                }

                _turn = null;
            }
        }
    }

    private void OnUserStoppedSpeaking(long speechMs)
    {
        UserTurns++;
        var seconds = (speechMs / 1000.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        SendJson("ConversationText", w =>
        {
            w.WriteString("role", "user");
            w.WriteString("content", $"[caller speech {seconds} s]");
        });
        var scripted = _options.ToolCalls.Where(c => c.AfterTurn == UserTurns).ToArray();
        if (scripted.Length > 0 && _options.SpeakBeforeToolCalls)
        {
            SendJson("AgentThinking", w => w.WriteString("content", "I will say I am looking it up, then call a function."));
            StartTurn("reply", VoiceAssets.Reply, VoiceAssets.ReplyText, textFirst: false, _options.ThinkDelay, then: () => RequestScriptedCalls(scripted));
            return;
        }

        if (scripted.Length > 0)
        {
            RequestScriptedCalls(scripted);
            return;
        }

        StartReplyTurn();
    }

    /// <summary>The agent thinks, then asks for the scripted calls in one <c>FunctionCallRequest</c>; it speaks once all are answered.</summary>
    private void RequestScriptedCalls(Common.ScriptedToolCall[] scripted)
    {
        SendJson("AgentThinking", w => w.WriteString("content", "I need a function for this."));
        var ids = new List<string>();
        lock (_gate)
        {
            foreach (var call in scripted)
            {
                var id = $"fc_{RequestId[..8]}_{Interlocked.Increment(ref _functionIds)}";
                ids.Add(id);
                _functionCalls.Add(new DeepgramFunctionCall(id, call.Name, ClientSide: true));
                _scriptedPending[id] = call;
            }
        }

        SendJson("FunctionCallRequest", w =>
        {
            w.WriteStartArray("functions");
            for (var i = 0; i < scripted.Length; i++)
            {
                w.WriteStartObject();
                w.WriteString("id", ids[i]);
                w.WriteString("name", scripted[i].Name);
                w.WriteString("arguments", scripted[i].ArgumentsJson);
                w.WriteBoolean("client_side", true);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    private void StartReplyTurn()
    {
        SendJson("AgentThinking", w => w.WriteString("content", "The caller spoke; composing a short answer."));
        StartTurn("reply", VoiceAssets.Reply, VoiceAssets.ReplyText, textFirst: false, _options.ThinkDelay);
    }

    private void OnInjectAgentMessage(JsonElement root, string message)
    {
        var behavior = TryGetString(root, "behavior", out var b) ? b : "default";
        bool busy;
        lock (_gate)
        {
            busy = _turn is { IsCancellationRequested: false } || _vad is { InSpeech: true };
        }

        if (busy && behavior == "default")
        {
            SendJson("InjectionRefused", w => w.WriteString("message", "Someone is speaking; the injected message was not spoken."));
            return;
        }

        StartTurn("injected", VoiceAssets.Reply, message, textFirst: false, TimeSpan.Zero);
    }

    private void OnFunctionCallResponse(JsonElement root, string text)
    {
        if (!TryGetString(root, "id", out var id) || !TryGetString(root, "name", out _) || !TryGetString(root, "content", out _))
        {
            Fail("UNPARSABLE_CLIENT_MESSAGE", "FunctionCallResponse requires string \"id\", \"name\" and \"content\".");
            return;
        }

        bool scripted, allAnswered, farewell;
        lock (_gate)
        {
            var known = _functionCalls.FirstOrDefault(c => c.Id == id);
            CheckResponseShape(root, id, known);
            if (known is not null)
            {
                known.ResponseJson ??= text;
            }

            scripted = _scriptedPending.ContainsKey(id);
            farewell = false;
            allAnswered = false;
            if (scripted)
            {
                _toolResults.Add(new Common.ToolCallResult(id, known!.Name, root.GetProperty("content").GetString()!));
                var answered = _toolResults.Select(r => r.CallId).ToHashSet(StringComparer.Ordinal);
                allAnswered = _scriptedPending.Keys.All(answered.Contains);
                if (allAnswered)
                {
                    farewell = _scriptedPending.Values.Any(c => c.Name == Common.ScriptedToolCall.HangupName);
                    _scriptedPending.Clear();
                }
            }
        }

        if (scripted && !allAnswered)
        {
            return; // the agent speaks once every function of the request has its result
        }

        // The agent continues its turn with the function's result.
        if (farewell)
        {
            StartTurn("function-result", VoiceAssets.Farewell, VoiceAssets.FarewellText, textFirst: false, _options.ThinkDelay);
        }
        else
        {
            StartTurn("function-result", VoiceAssets.Reply, VoiceAssets.ReplyText, textFirst: false, _options.ThinkDelay);
        }
    }

    /// <summary>A <c>FunctionCallResponse</c> must answer a request of ours, once, with its <c>name</c>, and carry only <c>type</c>, <c>id</c>, <c>name</c>, <c>content</c> (caller holds _gate).</summary>
    private void CheckResponseShape(JsonElement root, string id, DeepgramFunctionCall? known)
    {
        if (known is null)
        {
            _toolShapeErrors.Add($"FunctionCallResponse for unknown id '{id}'");
            return;
        }

        if (known.ResponseJson is not null)
        {
            _toolShapeErrors.Add($"a second FunctionCallResponse for id '{id}'");
        }

        if (root.GetProperty("name").GetString() != known.Name)
        {
            _toolShapeErrors.Add($"FunctionCallResponse for id '{id}' names '{root.GetProperty("name").GetString()}', the request named '{known.Name}'");
        }

        foreach (var property in root.EnumerateObject())
        {
            if (property.Name is not ("type" or "id" or "name" or "content"))
            {
                _toolShapeErrors.Add($"FunctionCallResponse has an unknown field '{property.Name}'");
            }
        }

        if (!known.ClientSide)
        {
            _toolShapeErrors.Add($"FunctionCallResponse for server-side function id '{id}' (only client_side requests are answered)");
        }
    }

    /// <summary>Speaks one agent turn; <paramref name="then"/> runs after its <c>AgentAudioDone</c> unless the turn is cut short.</summary>
    private void StartTurn(string kind, ReadOnlySpan<short> asset, string text, bool textFirst, TimeSpan thinkDelay, Action? then = null)
    {
        var audio = DeepgramEmulatorAudio.Encode(kind == "greeting" ? "greeting" : "reply", asset, _outputEncoding, _outputRate);
        CancellationTokenSource turn;
        lock (_gate)
        {
            _turn?.Cancel();
            turn = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
            _turn = turn;
            _turnAudio = audio;
            _turnPosition = 0;
        }

        _ = SpeakAsync(turn, audio, text, textFirst, thinkDelay, then);
    }

    private async Task SpeakAsync(CancellationTokenSource turn, byte[] audio, string text, bool textFirst, TimeSpan thinkDelay, Action? then)
    {
        var token = turn.Token;
        try
        {
            if (thinkDelay > TimeSpan.Zero)
            {
                await Task.Delay(thinkDelay, token).ConfigureAwait(false);
            }

            const double ttsLatency = 0.045;
            var ttt = thinkDelay.TotalSeconds;
            lock (_gate)
            {
                if (token.IsCancellationRequested)
                {
                    return;
                }

                if (textFirst)
                {
                    SendConversationText(text);
                }

                if (!_options.OmitAgentStartedSpeaking)
                {
                    SendJson("AgentStartedSpeaking", w =>
                    {
                        w.WriteNumber("total_latency", Math.Round(ttt + ttsLatency, 3));
                        w.WriteNumber("tts_latency", ttsLatency);
                        w.WriteNumber("ttt_latency", Math.Round(ttt, 3));
                    });
                }

                if (!textFirst)
                {
                    SendConversationText(text);
                }
            }

            var bytesPerSample = DeepgramEmulatorAudio.BytesPerSample(_outputEncoding);
            var chunk = Math.Max(bytesPerSample, _outputRate * _options.ChunkMs / 1000 * bytesPerSample) + (_options.OddChunks ? 1 : 0);
            var pause = TimeSpan.FromMilliseconds(_options.ChunkMs / Math.Max(0.01, _options.BurstFactor));
            for (var offset = 0; offset < audio.Length; offset += chunk)
            {
                lock (_gate)
                {
                    if (token.IsCancellationRequested)
                    {
                        return;
                    }

                    var length = Math.Min(chunk, audio.Length - offset);
                    SendAudio(audio.AsMemory(offset, length));
                    _turnPosition = offset + length;
                }

                await Task.Delay(pause, token).ConfigureAwait(false);
            }

            lock (_gate)
            {
                if (token.IsCancellationRequested)
                {
                    return;
                }

                SendJson("AgentAudioDone", static _ => { });
                AgentTurnsCompleted++;
                if (_turn == turn)
                {
                    _turn = null;
                }
            }

            then?.Invoke();
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _owner.NotifyChanged();
        }
    }

    private void SendConversationText(string text) =>
        SendJson("ConversationText", w =>
        {
            w.WriteString("role", "assistant");
            w.WriteString("content", text);
        });

    private int StaleBytes() =>
        _outputRate * _options.StaleAudioAfterBargeInMs / 1000 * DeepgramEmulatorAudio.BytesPerSample(_outputEncoding);

    private async Task IdleWatchAsync(CancellationToken token)
    {
        var opened = Stopwatch.GetTimestamp();
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                if (_options.MaxSessionLength is { } cap && Stopwatch.GetElapsedTime(opened) >= cap)
                {
                    Fail(_options.MaxSessionErrorCode, "The maximum session duration has been reached.");
                    return;
                }

                if (Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity)) >= _options.IdleTimeout)
                {
                    Fail("CLIENT_MESSAGE_TIMEOUT", "We did not receive audio or a KeepAlive within the timeout window.");
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task WriteLoopAsync(WebSocket socket, CancellationToken token)
    {
        try
        {
            await foreach (var frame in _out.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (frame.CloseStatus is { } status)
                {
                    if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(status, frame.Description, token).ConfigureAwait(false);
                    }

                    return;
                }

                await socket.SendAsync(frame.Payload, frame.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }

    private void SendJson(string type, Action<Utf8JsonWriter> body, string? record = null)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            body(writer);
            writer.WriteEndObject();
        }

        lock (_gate)
        {
            _sent.Add(record ?? type);
        }

        _out.Writer.TryWrite(OutFrame.Data(buffer.WrittenMemory, text: true));
    }

    private void SendAudio(ReadOnlyMemory<byte> audio)
    {
        AgentAudioBytesSent += audio.Length;
        _out.Writer.TryWrite(OutFrame.Data(audio, text: false));
    }

    private void Record(string type, string json)
    {
        lock (_gate)
        {
            _messages.Add(new DeepgramClientMessage(type, json, AudioBytesReceived));
        }
    }

    private void MarkActivity() => Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());

    private static bool TryGetString(JsonElement element, string name, out string value)
    {
        value = string.Empty;
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String)
        {
            value = property.GetString()!;
            return true;
        }

        return false;
    }

    [LoggerMessage(5180, LogLevel.Information, "Deepgram emulator {RequestId}: SettingsApplied (input {InputEncoding}, output {OutputEncoding}@{OutputRate})")]
    private static partial void LogSettingsApplied(ILogger logger, string requestId, string inputEncoding, string outputEncoding, int outputRate);

    [LoggerMessage(5181, LogLevel.Warning, "Deepgram emulator {RequestId}: Error {Code} {Description}")]
    private static partial void LogError(ILogger logger, string requestId, string code, string description);

    [LoggerMessage(5182, LogLevel.Information, "Deepgram emulator {RequestId}: connection ended ({Reason})")]
    private static partial void LogConnectionLost(ILogger logger, string requestId, string reason);

    private readonly record struct OutFrame(ReadOnlyMemory<byte> Payload, bool Text, WebSocketCloseStatus? CloseStatus, string? Description)
    {
        public static OutFrame Data(ReadOnlyMemory<byte> payload, bool text) => new(payload, text, null, null);

        public static OutFrame Close(WebSocketCloseStatus status, string description) => new(default, false, status, description);
    }
}

