using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AiAgent.Grains.Interfaces.Audio;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// One call's OpenAI Realtime session (GA protocol, docs/protocols/openai-realtime.md). Caller audio goes out as
/// <c>input_audio_buffer.append</c> only (server VAD decides turns; no manual commit), agent audio comes back as
/// <c>response.output_audio.delta</c> in the declared output format, and everything the grain needs arrives on
/// <see cref="Events"/>.
/// </summary>
/// <remarks>
/// <para>Threads: one receive loop and one send loop per WebSocket, both off the grain scheduler. The send loop is
/// the socket's only writer (it drains <see cref="_outgoing"/>, bounded: see <see cref="OutgoingQueue"/>); the handshake writes only before the send loop
/// starts. Conversation state touched by both the receive loop and the grain's calls is guarded by
/// <see cref="_gate"/>; the handler never awaits while holding it.</para>
/// <para>Faults: a dropped socket or <c>session_expired</c> reconnects (bounded, with backoff), re-seeding the
/// conversation so far as text items (user <c>input_text</c>, assistant <c>output_text</c>: the API cannot create
/// assistant audio items). Before <c>session.expires_at</c> a planned rollover moves the call to a fresh session the
/// same way, at a quiet moment, without a gap (see <c>PlanRolloverAsync</c>). An invalid key (HTTP 401 at the
/// upgrade, or <c>error</c> then close) ends the session with a hang-up; rate limits are reported and the call goes
/// on.</para>
/// </remarks>
public sealed partial class OpenAIRealtimeSession : IAgentSession
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private const int MaxHistoryItems = 40;
    private const int MaxHistoryChars = 16_000;
    private const int MaxTrackedUtterances = 32;
    // The gateway plays an utterance a little later than its audio arrives here (stream hop, pacing start, jitter
    // buffer): a final transcript waits this long past the estimated end of playout before counting it as all heard.
    private const long TranscriptGraceMs = 1_000;
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(3);
    private static readonly System.Text.RegularExpressions.Regex s_keyPattern = new(@"\b(sk|ek|rk)-[A-Za-z0-9_*\-.]{2,}", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    private static readonly string[] s_authCodes = ["invalid_api_key", "invalid_authentication", "unauthorized", "authentication_error", "invalid_auth"];

    private readonly OpenAIRealtimeOptions _options;
    private readonly string? _apiKey;
    private readonly Guid _callId;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _createdAt;
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly OutgoingQueue _outgoing = new(OutgoingQueue.DefaultAudioCapacity);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();

    // Conversation state (under _gate).
    private readonly Dictionary<string, AssistantItem> _itemsById = new(StringComparer.Ordinal);
    private readonly Dictionary<int, AssistantItem> _itemsByUtterance = [];
    private readonly Dictionary<string, StringBuilder> _userTranscripts = new(StringComparer.Ordinal);
    private readonly List<HistoryEntry> _history = [];
    private readonly Dictionary<string, string> _sentEventTypes = new(StringComparer.Ordinal);
    private readonly Queue<string> _sentEventOrder = new();
    private int _epoch;
    private int _nextUtteranceId;
    private string? _activeResponseId;
    private string? _cancelledResponseId;
    private bool _responseRequested;
    private bool _responsePending;
    private bool _resumeAfterReconnect;
    private bool _userSpeaking;
    // When the agent audio received so far has finished playing, at the earliest (ms on NowMs): audio arrives faster
    // than real time, so this runs ahead of the clock while an answer is still being heard.
    private long _playoutEndsAtMs;

    private long _eventCounter;

    // Caller audio dropped while reconnecting or in flight when a connection ended (queue overflow: _outgoing counts).
    private long _audioChunksDropped;
    private int _backlogWarned;
    private volatile bool _connected;
    private int _started;
    private int _stopRequested;
    private int _ended;
    private Task _supervisor = Task.CompletedTask;

    internal OpenAIRealtimeSession(OpenAIRealtimeOptions options, string? apiKey, AgentSessionContext context, ILogger logger, TimeProvider time)
    {
        _options = options;
        _apiKey = apiKey;
        _callId = context.CallId;
        _logger = logger;
        _time = time;
        _createdAt = time.GetTimestamp();
        Formats = options.ResolveFormats(context.CallFormat);
        RealtimeUri = options.BuildRealtimeUri();
    }

    /// <inheritdoc/>
    public string ProviderName => OpenAIRealtimeOptions.Name;

    /// <inheritdoc/>
    public ProviderAudioFormats Formats { get; }

    /// <inheritdoc/>
    public ChannelReader<ProviderEvent> Events => _events.Reader;

    /// <summary>The WebSocket URL (<c>{base_url}/realtime?model=…</c>).</summary>
    public Uri RealtimeUri { get; }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the session was already started");
        }

        if (string.IsNullOrEmpty(_apiKey))
        {
            var message = $"environment variable {_options.ApiKeyEnv} is not set";
            Fail(new ProviderError(ProviderErrorKind.Authentication, "missing_api_key", message, Fatal: true), message);
            throw new OpenAIRealtimeException(ProviderErrorKind.Authentication, "missing_api_key", message);
        }

        var result = await ConnectAsync(attempt: 0, cancellationToken).ConfigureAwait(false);
        if (result.Connection is not { } connection)
        {
            var error = result.Error!;
            Fail(error, error.Message);
            throw new OpenAIRealtimeException(error.Kind, error.Code, error.Message);
        }

        Publish(new SessionStarted(connection.SessionId));
        OpenAIRealtimeLog.SessionStarted(_logger, _callId, _options.Model, Formats.Input, Formats.Output, connection.SessionId);
        if (_options.Greeting.Length > 0)
        {
            lock (_gate)
            {
                _responseRequested = true;
            }

            EnqueueJson(new ResponseCreateEvent(NextEventId("response.create"), new ResponseCreateParams(GreetingInstructions(_options))), RealtimeJsonContext.Default.ResponseCreateEvent, epoch: 0);
        }

        _supervisor = Task.Run(() => SuperviseAsync(connection), CancellationToken.None);
    }

    /// <inheritdoc/>
    public ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        if (audio.IsEmpty || Volatile.Read(ref _stopRequested) != 0)
        {
            return ValueTask.CompletedTask;
        }

        // Stale caller audio is worse than none: while reconnecting it is dropped, and when the socket cannot keep up
        // the queue drops its oldest chunk (see OutgoingQueue).
        if (!_connected)
        {
            Interlocked.Increment(ref _audioChunksDropped);
            return ValueTask.CompletedTask;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(audio.Length);
        audio.Span.CopyTo(buffer);
        if (!_outgoing.TryWriteAudio(new Outgoing(OutgoingKind.Audio, buffer, audio.Length, 0), out var droppedOldest))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else if (!droppedOldest)
        {
            Volatile.Write(ref _backlogWarned, 0);
        }
        else if (Interlocked.Exchange(ref _backlogWarned, 1) == 0)
        {
            OpenAIRealtimeLog.AudioBacklog(_logger, _callId, OutgoingQueue.DefaultAudioCapacity);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken)
    {
        if (!(char.IsAsciiDigit(digit) || digit is '*' or '#' or (>= 'A' and <= 'D')))
        {
            // Dropped, not thrown: a stray key from the line must not fault the call (the Deepgram session does the same).
            OpenAIRealtimeLog.InvalidDtmf(_logger, _callId);
            return ValueTask.CompletedTask;
        }

        var text = $"The caller pressed the phone key '{digit}'.";
        bool createNow;
        lock (_gate)
        {
            AddHistory(new HistoryEntry("user", text));
            // A response.create while one is active is an API error: answer after the current response instead.
            createNow = _activeResponseId is null && !_responseRequested;
            if (createNow)
            {
                _responseRequested = true;
            }
            else
            {
                _responsePending = true;
            }
        }

        var item = new RealtimeMessageItem("user", [new RealtimeContentPart("input_text", text)]);
        EnqueueJson(new ConversationItemCreateEvent(NextEventId("conversation.item.create"), item), RealtimeJsonContext.Default.ConversationItemCreateEvent, epoch: 0);
        if (createNow)
        {
            EnqueueJson(new ResponseCreateEvent(NextEventId("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent, epoch: 0);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> CancelResponseAsync(CancellationToken cancellationToken)
    {
        string responseId;
        int epoch;
        lock (_gate)
        {
            // Only between response.created and response.done: a cancel with nothing active draws
            // response_cancel_not_active (harmless, see OnError, but noise).
            if (_activeResponseId is null || _activeResponseId == _cancelledResponseId)
            {
                return ValueTask.FromResult(false);
            }

            responseId = _activeResponseId;
            _cancelledResponseId = responseId;
            _playoutEndsAtMs = NowMs(); // the grain flushes what was queued
            epoch = _epoch;
            foreach (var item in _itemsByUtterance.Values)
            {
                if (item.ResponseId == responseId)
                {
                    item.Cancelled = true;
                }
            }
        }

        // interrupt_response is false (see BuildSessionConfig), so the server never cancels on its own: we do, at once,
        // whether or not any of the answer's audio has arrived or played yet.
        OpenAIRealtimeLog.CancellingResponse(_logger, _callId, responseId);
        EnqueueJson(new ResponseCancelEvent(NextEventId("response.cancel"), responseId), RealtimeJsonContext.Default.ResponseCancelEvent, epoch);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken)
    {
        string itemId;
        string? cancelResponseId;
        long audioEndMs;
        long receivedMs;
        int epoch;
        string? heard;
        lock (_gate)
        {
            if (!_itemsByUtterance.TryGetValue(utteranceId, out var item) || item.Interrupted)
            {
                return ValueTask.CompletedTask;
            }

            item.Interrupted = true;
            _playoutEndsAtMs = NowMs();
            receivedMs = Formats.Output.MillisecondsOf(item.ReceivedBytes);
            audioEndMs = Math.Clamp(playedMilliseconds, 0, receivedMs);
            item.HeardRatio = receivedMs == 0 ? 0 : (double)audioEndMs / receivedMs;
            // A final transcript held back by the cancel (see OnAudioTranscriptDone) is now known: what was heard.
            heard = TakeDeferredTranscript(item);
            if (item.Epoch != _epoch || receivedMs == 0)
            {
                // The item lived on a connection that has since been replaced (the new session does not know it), or
                // none of its audio ever reached the caller: there is nothing to truncate.
                PublishHeard(heard);
                return ValueTask.CompletedTask;
            }

            itemId = item.ItemId;
            epoch = item.Epoch;
            // Cancel only while the item's audio is still being generated and nobody cancelled it yet: once
            // output_audio.done has arrived there is nothing left to stop, and a cancel racing the response's end only
            // draws response_cancel_not_active.
            cancelResponseId = !item.AudioDone && !item.Cancelled && item.ResponseId is not null && item.ResponseId == _activeResponseId ? item.ResponseId : null;
            if (cancelResponseId is not null)
            {
                _cancelledResponseId = cancelResponseId;
            }
        }

        PublishHeard(heard);

        OpenAIRealtimeLog.Truncating(_logger, _callId, itemId, audioEndMs, playedMilliseconds, receivedMs, cancelResponseId is not null);
        if (cancelResponseId is not null)
        {
            // interrupt_response is false (see BuildSessionConfig), so the server never cancels on its own: we do.
            EnqueueJson(new ResponseCancelEvent(NextEventId("response.cancel"), cancelResponseId), RealtimeJsonContext.Default.ResponseCancelEvent, epoch);
        }

        EnqueueJson(new ConversationItemTruncateEvent(NextEventId("conversation.item.truncate"), itemId, 0, audioEndMs), RealtimeJsonContext.Default.ConversationItemTruncateEvent, epoch);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
        {
            await _supervisor.ConfigureAwait(false);
            return;
        }

        // Completing the queue makes the send loop send a close frame after what is queued; the receive loop then
        // sees the server's close. If that takes too long (or there is no connection: reconnecting), cancel and abort.
        _outgoing.Complete();
        if (!_connected)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _supervisor.WaitAsync(s_closeTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _supervisor.ConfigureAwait(false);
        }

        OpenAIRealtimeLog.SessionClosed(_logger, _callId, "stopped");
        FlushDeferredTranscripts();
        End("stopped", hangUp: false);
        DrainOutgoing();
        var dropped = Interlocked.Read(ref _audioChunksDropped) + _outgoing.DroppedAudio;
        if (dropped > 0)
        {
            OpenAIRealtimeLog.CallerAudioDropped(_logger, _callId, dropped);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _started) != 0)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            End("disposed", hangUp: false);
        }

        _stopping.Dispose();
    }

    /// <summary>The session object <c>session.update</c> carries for these options and formats.</summary>
    internal static RealtimeSessionConfig BuildSessionConfig(OpenAIRealtimeOptions options, ProviderAudioFormats formats)
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
                new RealtimeAudioOutputConfig(ToWire(formats.Output), options.Voice)));
    }

    /// <summary>
    /// The greeting response's <c>instructions</c>: the session instructions, then the greeting request. A per-response
    /// <c>instructions</c> replaces the session's for that response, so the persona has to travel with it. Chosen over
    /// a system item plus a bare <c>response.create</c>: this leaves nothing behind in the conversation, whereas a
    /// "greet the caller" system item would stay in the model's context for every later turn.
    /// </summary>
    internal static string GreetingInstructions(OpenAIRealtimeOptions options) =>
        options.Instructions.Length == 0 ? options.Greeting : options.Instructions + "\n\n" + options.Greeting;

    /// <summary>The GA format object of an audio format.</summary>
    internal static RealtimeAudioFormat ToWire(AudioFormat format) => format.Encoding switch
    {
        AudioEncoding.Mulaw => new RealtimeAudioFormat("audio/pcmu", null),
        AudioEncoding.Alaw => new RealtimeAudioFormat("audio/pcma", null),
        _ => new RealtimeAudioFormat("audio/pcm", format.SampleRate),
    };

    private string NextEventId(string type)
    {
        var id = "cli_" + Interlocked.Increment(ref _eventCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _sentEventTypes[id] = type;
            _sentEventOrder.Enqueue(id);
            if (_sentEventOrder.Count > 256)
            {
                _sentEventTypes.Remove(_sentEventOrder.Dequeue());
            }
        }

        return id;
    }

    private void EnqueueJson<T>(T message, JsonTypeInfo<T> typeInfo, int epoch)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        _outgoing.TryWrite(new Outgoing(OutgoingKind.Json, bytes, bytes.Length, epoch));
    }

    /// <summary>Milliseconds on the session's clock (the injected <see cref="TimeProvider"/>) since it was created.</summary>
    private long NowMs() => (long)_time.GetElapsedTime(_createdAt).TotalMilliseconds;

    private void Publish(ProviderEvent e) => _events.Writer.TryWrite(e);

    private void Fail(ProviderError error, string reason)
    {
        OpenAIRealtimeLog.SessionFailed(_logger, _callId, reason, null);
        Publish(error with { Fatal = true });
        End(reason, hangUp: true);
    }

    private void End(string reason, bool hangUp)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _connected = false;
        Volatile.Write(ref _stopRequested, 1);
        _outgoing.Complete();
        _events.Writer.TryWrite(new SessionEnded(reason, hangUp));
        _events.Writer.TryComplete();
    }

    private void DrainOutgoing()
    {
        while (_outgoing.TryRead(out var message))
        {
            if (message.Kind == OutgoingKind.Audio)
            {
                ArrayPool<byte>.Shared.Return(message.Buffer);
            }
        }
    }

    private static string? ReadId(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            reader.Skip();
        }

        return null;
    }

    private static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int GetInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : 0;

    private static long GetLong(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : 0;

    private sealed record ServerError(string Type, string Code, string Message, string? Param, string? EventId);
}

/// <summary>The OpenAI Realtime session could not start; the message never contains the API key.</summary>
public sealed class OpenAIRealtimeException(ProviderErrorKind kind, string code, string message) : Exception(message)
{
    /// <summary>The error kind.</summary>
    public ProviderErrorKind Kind { get; } = kind;

    /// <summary>The error code (<c>invalid_api_key</c>, <c>connect_failed</c>, ...).</summary>
    public string Code { get; } = code;
}
