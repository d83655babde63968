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
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(3);

    private readonly OpenAIRealtimeOptions _options;
    private readonly string? _apiKey;
    private readonly Guid _callId;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly OutgoingQueue _outgoing = new(OutgoingQueue.DefaultAudioCapacity);
    private readonly CancellationTokenSource _stopping = new();
    private readonly RealtimeConversation _conversation;
    private readonly ClientEventIds _eventIds = new();

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
        Formats = options.ResolveFormats(context.CallFormat);
        _conversation = new RealtimeConversation(Formats.Output, time);
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
            _conversation.ResponseRequested();
            EnqueueJson(new ResponseCreateEvent(NextEventId("response.create"), new ResponseCreateParams(RealtimeSessionSettings.GreetingInstructions(_options))), RealtimeJsonContext.Default.ResponseCreateEvent, epoch: 0);
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
        // A response.create while one is active is an API error: then it is answered after the current response.
        var createNow = _conversation.AddUserText(text);

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
        // Only between response.created and response.done: a cancel with nothing active draws
        // response_cancel_not_active (harmless, see OnError, but noise).
        if (_conversation.CancelActiveResponse() is not var (responseId, epoch))
        {
            return ValueTask.FromResult(false);
        }

        // interrupt_response is false (see RealtimeSessionSettings), so the server never cancels on its own: we do, at once,
        // whether or not any of the answer's audio has arrived or played yet.
        OpenAIRealtimeLog.CancellingResponse(_logger, _callId, responseId);
        EnqueueJson(new ResponseCancelEvent(NextEventId("response.cancel"), responseId), RealtimeJsonContext.Default.ResponseCancelEvent, epoch);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken)
    {
        if (_conversation.Interrupt(utteranceId, playedMilliseconds) is not { } interruption)
        {
            return ValueTask.CompletedTask;
        }

        PublishHeard(interruption.Heard);
        if (interruption.Truncate is not { } t)
        {
            return ValueTask.CompletedTask;
        }

        OpenAIRealtimeLog.Truncating(_logger, _callId, t.ItemId, t.AudioEndMs, playedMilliseconds, t.ReceivedMs, t.CancelResponseId is not null);
        if (t.CancelResponseId is not null)
        {
            // interrupt_response is false (see RealtimeSessionSettings), so the server never cancels on its own: we do.
            EnqueueJson(new ResponseCancelEvent(NextEventId("response.cancel"), t.CancelResponseId), RealtimeJsonContext.Default.ResponseCancelEvent, t.Epoch);
        }

        EnqueueJson(new ConversationItemTruncateEvent(NextEventId("conversation.item.truncate"), t.ItemId, 0, t.AudioEndMs), RealtimeJsonContext.Default.ConversationItemTruncateEvent, t.Epoch);
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

    private string NextEventId(string type) => _eventIds.Next(type);

    private void EnqueueJson<T>(T message, JsonTypeInfo<T> typeInfo, int epoch)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        _outgoing.TryWrite(new Outgoing(OutgoingKind.Json, bytes, bytes.Length, epoch));
    }

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

    private void PublishHeard(string? heard)
    {
        if (!string.IsNullOrEmpty(heard))
        {
            Publish(new AgentTranscript(heard, IsFinal: true));
        }
    }

    /// <summary>
    /// Publishes held-back final transcripts whose played share will not be reported any more (a new answer started,
    /// the connection was lost, the session stops): with what is known of what was heard.
    /// </summary>
    private void FlushDeferredTranscripts()
    {
        foreach (var text in _conversation.TakeHeldTranscripts())
        {
            Publish(new AgentTranscript(text, IsFinal: true));
        }
    }

    /// <summary>
    /// Closes what a replaced connection left open: its utterances end, held-back transcripts go out, and an answer
    /// under way (or owed) is noted (see <see cref="RealtimeConversation.Settle"/>). Returns whether one was under way.
    /// </summary>
    private bool SettleOldConnection(int epoch, bool lost)
    {
        var (done, resume) = _conversation.Settle(epoch, lost);
        foreach (var u in done)
        {
            Publish(new AgentAudioDone(u));
        }

        FlushDeferredTranscripts();
        return resume;
    }
}
