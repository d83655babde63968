using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers.Transport;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// One call's OpenAI Realtime session (GA protocol, docs/protocols/openai-realtime.md) on the shared
/// <see cref="ProviderTransport"/>: the transport owns the socket, reconnects and rollovers; <see cref="RealtimeProtocol"/>
/// speaks the handshake, <see cref="RealtimeServerEventHandler"/> and <see cref="RealtimeConversation"/> turn server
/// events into the grain's events, and <see cref="RealtimeTransportObserver"/> reports the life of the connections.
/// Caller audio goes out as <c>input_audio_buffer.append</c> only (server VAD decides turns; no manual commit), agent
/// audio comes back as <c>response.output_audio.delta</c> in the declared output format.
/// </summary>
/// <remarks>
/// <para>Faults: a dropped socket or <c>session_expired</c> reconnects (bounded, with the transport's backoff),
/// re-seeding the conversation so far as text items (user <c>input_text</c>, assistant <c>output_text</c>: the API
/// cannot create assistant audio items). Before <c>session.expires_at</c> a planned rollover moves the call to a fresh
/// session the same way, at a quiet moment, without a gap. An invalid key (HTTP 401 at the upgrade, or <c>error</c>
/// then close) ends the session with a hang-up; rate limits are reported and the call goes on.</para>
/// </remarks>
public sealed class OpenAIRealtimeSession : IAgentSession
{
    private readonly RealtimeCall _call;
    private readonly RealtimeTransportObserver _observer;
    private readonly ProviderTransport _transport;

    internal OpenAIRealtimeSession(OpenAIRealtimeOptions options, string? apiKey, AgentSessionContext context, ILogger logger, TimeProvider time, Tools.ToolMetrics toolMetrics)
    {
        _call = new RealtimeCall(options, apiKey, context, logger, time, toolMetrics);
        _observer = new RealtimeTransportObserver(_call);
        var protocol = new RealtimeProtocol(_call, new RealtimeServerEventHandler(_call), _observer);
        RealtimeUri = protocol.Endpoint;
        _transport = new ProviderTransport(protocol, _observer, new ProviderTransportOptions
        {
            MaxReconnectAttempts = options.MaxReconnectAttempts,
            RolloverSchedule = options.SessionRolloverMarginMs <= 0 ? null : ScheduleFor,
            IsQuiet = () => IsQuiet,
        }, time);
        _call.Transport = _transport;
    }

    /// <inheritdoc/>
    public string ProviderName => OpenAIRealtimeOptions.Name;

    /// <inheritdoc/>
    public ProviderAudioFormats Formats => _call.Formats;

    /// <inheritdoc/>
    public ChannelReader<ProviderEvent> Events => _call.Events;

    /// <summary>The WebSocket URL (<c>{base_url}/realtime?model=…</c>).</summary>
    public Uri RealtimeUri { get; }

    /// <summary>
    /// A moment to switch sessions without cutting anything (the rollover waits for it): no answer under way or owed,
    /// caller silent, and no agent audio playing by the one playout estimate (the grain's playout reports, else the
    /// audio received paced at real time).
    /// </summary>
    internal bool IsQuiet => _call.Conversation.IsQuiet && !_call.Playout.IsPlaying && _call.Tools.InFlight == 0 && _call.FunctionCalls.IsIdle;

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_transport.IsStarted || _observer.Ended)
        {
            throw new InvalidOperationException("the session was already started");
        }

        if (string.IsNullOrEmpty(_call.ApiKey))
        {
            var message = $"environment variable {_call.Options.ApiKeyEnv} is not set";
            _transport.Outbox.Complete();
            _observer.Fail(new ProviderError(ProviderErrorKind.Authentication, "missing_api_key", message, Fatal: true));
            throw new OpenAIRealtimeException(ProviderErrorKind.Authentication, "missing_api_key", message);
        }

        _transport.Start();
        if (await _transport.FirstReady.WaitAsync(cancellationToken).ConfigureAwait(false) is { } fault)
        {
            throw new OpenAIRealtimeException(fault.Kind, fault.Code, fault.Description);
        }
    }

    /// <inheritdoc/>
    public ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        // Never blocks the grain on the network: a full queue drops its oldest caller audio (counted), and audio that
        // arrives while no connection is ready is dropped (stale caller audio would start false turns).
        if (audio.IsEmpty || _observer.Ended)
        {
            return ValueTask.CompletedTask;
        }

        if (_transport.Current is { IsReady: true, IsCurrent: true })
        {
            _transport.SendAudio(audio.Span);
        }
        else
        {
            _observer.OnCallerAudioDropped(AudioDropReason.BeforeReady, audio.Length, first: false);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken)
    {
        if (!DtmfDigit.IsValid(digit))
        {
            // Dropped, not thrown: a stray key from the line must not fault the call (the Deepgram session does the same).
            OpenAIRealtimeLog.InvalidDtmf(_call.Logger, _call.CallId);
            return ValueTask.CompletedTask;
        }

        var text = ConversationHistory.DtmfNote(digit.ToString());
        // A response.create while one is active is an API error: then it is answered after the current response.
        var createNow = _call.Conversation.AddUserText(text);
        var item = new RealtimeMessageItem("user", [new RealtimeContentPart("input_text", text)]);
        _call.Send(new ConversationItemCreateEvent(_call.EventIds.Next("conversation.item.create"), item), RealtimeJsonContext.Default.ConversationItemCreateEvent);
        if (createNow)
        {
            _call.Send(new ResponseCreateEvent(_call.EventIds.Next("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>A <c>system</c> message item, then <c>response.create</c> (or owed after the active response).</remarks>
    public ValueTask<bool> InstructAsync(string instruction, CancellationToken cancellationToken)
    {
        var item = new RealtimeMessageItem("system", [new RealtimeContentPart("input_text", instruction)]);
        _call.Send(new ConversationItemCreateEvent(_call.EventIds.Next("conversation.item.create"), item), RealtimeJsonContext.Default.ConversationItemCreateEvent);
        if (_call.Conversation.AskForResponse())
        {
            _call.Send(new ResponseCreateEvent(_call.EventIds.Next("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent);
        }

        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public ValueTask<bool> CancelResponseAsync(CancellationToken cancellationToken)
    {
        // Only between response.created and response.done: a cancel with nothing active draws
        // response_cancel_not_active (harmless, but noise).
        if (_call.Conversation.CancelActiveResponse() is not var (responseId, epoch))
        {
            return ValueTask.FromResult(false);
        }

        _call.Playout.Interrupted(); // the grain flushes what was queued
        // interrupt_response is false (see RealtimeSessionSettings), so the server never cancels on its own: we do, at
        // once, whether or not any of the answer's audio has arrived or played yet.
        OpenAIRealtimeLog.CancellingResponse(_call.Logger, _call.CallId, responseId);
        _call.Send(new ResponseCancelEvent(_call.EventIds.Next("response.cancel"), responseId), RealtimeJsonContext.Default.ResponseCancelEvent, epoch);
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken)
    {
        if (_call.Conversation.Interrupt(utteranceId, playedMilliseconds) is not { } interruption)
        {
            return ValueTask.CompletedTask;
        }

        _call.Playout.Interrupted();
        _call.PublishHeard(interruption.Heard);
        if (interruption.Truncate is not { } t)
        {
            return ValueTask.CompletedTask;
        }

        OpenAIRealtimeLog.Truncating(_call.Logger, _call.CallId, t.ItemId, t.AudioEndMs, playedMilliseconds, t.ReceivedMs, t.CancelResponseId is not null);
        if (t.CancelResponseId is not null)
        {
            // interrupt_response is false (see RealtimeSessionSettings), so the server never cancels on its own: we do.
            _call.Send(new ResponseCancelEvent(_call.EventIds.Next("response.cancel"), t.CancelResponseId), RealtimeJsonContext.Default.ResponseCancelEvent, t.Epoch);
        }

        _call.Send(new ConversationItemTruncateEvent(_call.EventIds.Next("conversation.item.truncate"), t.ItemId, 0, t.AudioEndMs), RealtimeJsonContext.Default.ConversationItemTruncateEvent, t.Epoch);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>Feeds the one playout estimate: the rollover's quiet moment waits for it.</remarks>
    public ValueTask OnPlayoutReportAsync(PlayoutReport report, CancellationToken cancellationToken)
    {
        _call.Playout.OnReport(report);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>Running tools are cancelled first, so their error results and <see cref="ToolCallFinished"/> still go out.</remarks>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _call.Tools.StopAsync().ConfigureAwait(false);
        await _transport.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The rollover before <c>session.expires_at</c>, counted from when the connection became ready; none without an expiry.</summary>
    private RolloverSchedule? ScheduleFor(ProviderConnection connection)
    {
        var lifetime = RealtimeConnectionState.Of(connection).ExpiresAt - _call.Time.GetUtcNow();
        return lifetime is { } left && left > TimeSpan.Zero
            ? RolloverSchedule.For(left, TimeSpan.FromMilliseconds(_call.Options.SessionRolloverMarginMs))
            : null;
    }
}
