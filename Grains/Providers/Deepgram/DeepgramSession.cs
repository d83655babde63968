using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers.Transport;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// One Deepgram Voice Agent v1 session (docs/protocols/deepgram.md) on the shared <see cref="ProviderTransport"/>:
/// the transport owns the socket, reconnects and rollovers; <see cref="DeepgramProtocol"/> speaks the wire protocol,
/// <see cref="DeepgramMessageHandler"/> and <see cref="DeepgramTurns"/> turn server messages into events, and
/// <see cref="DeepgramTransportObserver"/> reports the life of the connections.
/// </summary>
/// <remarks>
/// <para>Caller audio before <c>SettingsApplied</c> (at start and while reconnecting) is held, keeping the newest
/// <see cref="DeepgramProtocol.PreSettingsBufferMs"/> ms; older audio is dropped and counted.</para>
/// <para>Barge-in: <c>UserStartedSpeaking</c> becomes <see cref="UserSpeechStarted"/>, the open utterance is closed
/// with <see cref="AgentAudioDone"/> at once, and agent binary frames are dropped until the next
/// <c>AgentStartedSpeaking</c>. Deepgram has no truncate: the server cuts its own context.</para>
/// <para>Faults: a server <c>Error</c> or a lost socket ends the connection; while the call continues the session
/// reconnects (up to <c>max_reconnect_attempts</c> consecutive failures) with the conversation so far re-seeded as
/// <c>agent.context.messages</c> and no second greeting. A 401/403 at upgrade or <c>INVALID_SETTINGS</c> is final.</para>
/// <para>Session cap: the service closes every session 2 h after it began. From <c>session_rollover_margin_ms</c>
/// before <c>max_session_minutes</c> (counted from <c>SettingsApplied</c>) a planned rollover opens a new connection
/// the same way, re-seeded and without a greeting, at a quiet moment or forced shortly before the cap
/// (<see cref="ProviderReconnected"/> with attempt 0).</para>
/// </remarks>
internal sealed class DeepgramSession : IAgentSession
{
    private readonly DeepgramCall _call;
    private readonly string? _apiKey;
    private readonly DeepgramTransportObserver _observer;
    private readonly ProviderTransport _transport;

    public DeepgramSession(
        DeepgramOptions options,
        string? apiKey,
        AgentSessionContext context,
        ILogger logger,
        DeepgramMetrics metrics,
        TimeProvider time,
        Tools.ToolMetrics toolMetrics)
    {
        _apiKey = apiKey;
        _call = new DeepgramCall(options, context, logger, metrics, time, toolMetrics);
        var turns = new DeepgramTurns(_call);
        var protocol = new DeepgramProtocol(_call, apiKey ?? string.Empty, new DeepgramMessageHandler(_call, turns), turns);
        _observer = new DeepgramTransportObserver(_call, turns, protocol.Endpoint);
        _transport = new ProviderTransport(protocol, _observer, new ProviderTransportOptions
        {
            MaxReconnectAttempts = options.MaxReconnectAttempts,
            RolloverSchedule = options.SessionRolloverMarginMs <= 0
                ? null
                : _ => RolloverSchedule.For(options.MaxSessionLength, TimeSpan.FromMilliseconds(options.SessionRolloverMarginMs)),
            IsQuiet = () => turns.IsQuiet && _call.Tools.InFlight == 0,
        }, time);
    }

    /// <inheritdoc/>
    public string ProviderName => DeepgramOptions.Name;

    /// <inheritdoc/>
    public ProviderAudioFormats Formats => _call.Formats;

    /// <inheritdoc/>
    public ChannelReader<ProviderEvent> Events => _call.Events;

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_transport.IsStarted || _observer.Ended)
        {
            throw new InvalidOperationException("the session has already been started");
        }

        if (string.IsNullOrEmpty(_apiKey))
        {
            var options = _call.Options;
            DeepgramLog.ApiKeyMissing(_call.Logger, _call.CallId, options.ApiKeyEnv);
            var message = $"environment variable {options.ApiKeyEnv} (providers.deepgram.api_key_env) is not set";
            _call.Fail(ProviderErrorKind.Authentication, "MISSING_API_KEY", message);
            _observer.End("authentication failed: no API key", hangUp: true, outcome: "auth_failed");
            _transport.Outbox.Complete();
            throw new DeepgramSessionException(ProviderErrorKind.Authentication, "MISSING_API_KEY", message);
        }

        _transport.Start();
        if (await _transport.FirstReady.WaitAsync(cancellationToken).ConfigureAwait(false) is { } fault)
        {
            throw new DeepgramSessionException(fault.Kind, fault.Code, fault.Description);
        }
    }

    /// <inheritdoc/>
    public ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        // Never blocks the grain on the network: a full queue drops its oldest caller audio (counted).
        if (!_observer.Ended)
        {
            _transport.SendAudio(audio.Span);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken)
    {
        if (!DtmfDigit.IsValid(digit))
        {
            DeepgramLog.InvalidDtmf(_call.Logger, _call.CallId, digit);
            return ValueTask.CompletedTask;
        }

        var message = new InjectUserMessage(DeepgramCall.DtmfNote($"{digit}"));
        _transport.SendControl(JsonSerializer.SerializeToUtf8Bytes(message, DeepgramJsonContext.Default.InjectUserMessage));
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Voice Agent has no system message mid-call: <c>InjectUserMessage</c> with the instruction marked as the
    /// platform's, which the agent answers (as it answers the DTMF note).
    /// </remarks>
    public ValueTask<bool> InstructAsync(string instruction, CancellationToken cancellationToken)
    {
        var message = new InjectUserMessage(DeepgramCall.InstructionNote(instruction));
        _transport.SendControl(JsonSerializer.SerializeToUtf8Bytes(message, DeepgramJsonContext.Default.InjectUserMessage));
        return ValueTask.FromResult(true);
    }

    /// <inheritdoc/>
    /// <remarks>Deepgram has no truncate message: the server stops its own audio on <c>UserStartedSpeaking</c>
    /// and keeps its context; nothing is sent.</remarks>
    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <inheritdoc/>
    /// <remarks>Feeds the playout estimate the rollover's quiet moment waits for.</remarks>
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
}
