using System.Buffers;
using System.IO.Pipelines;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// One AudioSocket connection from Asterisk, hosted by Kestrel (<c>UseConnectionHandler</c>): reads the UUID,
/// relays the call to its <see cref="ICallGrain"/>, relays agent audio from the call's stream to the pacer,
/// and ends the call cleanly whatever the peer does.
/// </summary>
/// <remarks>
/// Asterisk behaviour this follows (PROTOCOLS.md 1.5-1.7): the UUID comes first; frame sizes follow the
/// channel's packetization; DTMF arrives between audio frames; Asterisk never sends a hangup frame (EOF is the
/// hangup); it tears the session down on anything we send but audio kinds and <c>00 00 00</c>. Whenever we end
/// the call we send <c>00 00 00</c> before closing (older Asterisk does not notice EOF).
/// </remarks>
public sealed partial class AudioSocketConnectionHandler : ConnectionHandler
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(2);
    private static readonly Func<ILogger, Guid, IDisposable?> s_callScope = LoggerMessage.DefineScope<Guid>("CallId:{CallId}");

    private readonly IClusterClient _client;
    private readonly PlayoutPacer _pacer;
    private readonly AudioSocketOptions _options;
    private readonly AudioFormat _configuredFormat;
    private readonly string _gatewayId;
    private readonly GatewayMetrics _metrics;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<AudioSocketConnectionHandler> _logger;
    private readonly AudioSocketFrameReader _reader;

    /// <summary>Creates the handler (one instance serves every connection).</summary>
    public AudioSocketConnectionHandler(
        IClusterClient client, PlayoutPacer pacer, IOptions<AudioSocketOptions> options, IOptions<GatewayInstanceOptions> gatewayOptions,
        GatewayMetrics metrics, IHostApplicationLifetime lifetime, ILogger<AudioSocketConnectionHandler> logger)
    {
        _client = client;
        _pacer = pacer;
        _options = options.Value;
        _configuredFormat = AudioSocketFormats.Parse(_options.Format);
        _gatewayId = gatewayOptions.Value.EffectiveId;
        _metrics = metrics;
        _lifetime = lifetime;
        _logger = logger;
        _reader = new AudioSocketFrameReader(_options.MaxFrameBytes, passUnknownKinds: _options.IgnoreUnknownKinds);
    }

    /// <inheritdoc/>
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        _metrics.Connection(+1);
        try
        {
            await RunConnectionAsync(connection);
        }
        catch (Exception ex)
        {
            // Whatever happens on one connection stays there.
            LogConnectionFailed(ex, connection.ConnectionId);
            connection.Abort();
        }
        finally
        {
            _metrics.Connection(-1);
        }
    }

    private async Task RunConnectionAsync(ConnectionContext connection)
    {
        // Kestrel's socket transport sets TCP_NODELAY by default; make sure, since every frame is latency-bound.
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            socket.NoDelay = true;
        }

        var input = connection.Transport.Input;
        var remote = connection.RemoteEndPoint?.ToString();
        var uuid = await ReadUuidAsync(input);
        switch (uuid.Outcome)
        {
            case UuidOutcome.Closed:
                // E.g. the dialplan app connects, then finds the channel not answered and closes.
                LogClosedBeforeUuid(remote);
                await CloseAsync(connection, pendingFlush: null, sendHangup: false);
                return;
            case UuidOutcome.TimedOut:
                LogUuidTimeout(remote, _options.UuidTimeoutMs);
                await CloseAsync(connection, pendingFlush: null, sendHangup: true);
                return;
            case UuidOutcome.Invalid:
                _metrics.ProtocolError(uuid.Error!.Error);
                LogProtocolErrorBeforeUuid(remote, uuid.Error.Error, uuid.Error.Message);
                await CloseAsync(connection, pendingFlush: null, sendHangup: true);
                return;
        }

        using var scope = s_callScope(_logger, uuid.CallId);
        var label = await PeekFirstAudioKindAsync(input, TimeSpan.FromMilliseconds(_options.FormatProbeMs));
        var (callerFormat, playoutFormat) = ResolveFormats(label, _configuredFormat);
        if (label is { } kind && (callerFormat != _configuredFormat || playoutFormat != callerFormat))
        {
            LogFormatFromLabel((byte)kind, callerFormat.ToString(), playoutFormat.ToString(), _configuredFormat.ToString());
        }

        var call = new PlayoutCall(uuid.CallId, callerFormat, playoutFormat, label, connection.Transport.Output, input, _options, _metrics, _logger);
        await RunCallAsync(connection, call, remote);
    }

    /// <summary>
    /// The formats of both directions, from the first audio frame's label (null: none came within the probe
    /// window) and <c>audiosocket.format</c> (PROTOCOLS.md 1.5, 1.7).
    /// </summary>
    /// <remarks>
    /// An explicit rate label (0x11-0x18) names slin at that rate both ways. 0x10 is ambiguous: older Asterisk
    /// labels every format 0x10 and a <c>c(ulaw)</c>/<c>c(alaw)</c> channel sends G.711 bytes as 0x10, so
    /// configuration says what it carries; but Asterisk decodes a 0x10 frame it receives as slin 8 kHz, and
    /// before 20.17 ignores 0x11-0x18, so a 0x10 call is answered in slin 8 kHz (Asterisk transcodes to the
    /// channel). Without a label the configured format is assumed both ways, G.711 answered in slin 8 kHz.
    /// </remarks>
    internal static (AudioFormat Caller, AudioFormat Playout) ResolveFormats(AudioSocketKind? firstAudioLabel, AudioFormat configured)
    {
        if (firstAudioLabel is { } kind && AudioSocketKinds.ExplicitFormatOf(kind) is { } labelled)
        {
            return (labelled, labelled);
        }

        if (firstAudioLabel == AudioSocketKind.Slin8)
        {
            return (configured, AudioFormat.Slin8);
        }

        return (configured, configured.Encoding == AudioEncoding.Pcm16 ? configured : AudioFormat.Slin8);
    }

    private async Task RunCallAsync(ConnectionContext connection, PlayoutCall call, string? remote)
    {
        var grain = _client.GetGrain<ICallGrain>(call.CallId);
        var stream = _client.GetStreamProvider(CallStreams.ProviderName).GetStream<AgentStreamEvent>(CallStreams.AgentOutput(call.CallId));
        StreamSubscriptionHandle<AgentStreamEvent>? subscription = null;
        var provider = "unknown";
        var reportPump = Task.CompletedTask;
        var ending = (Reason: CallEndReason.CallerHangup, SendHangup: false);
        using var stopping = _lifetime.ApplicationStopping.Register(static c => ((PlayoutCall)c!).RequestEnd(CallEndReason.Shutdown), call);
        try
        {
            // Subscribe first: the grain may publish the greeting before StartAsync returns. Pace from now on:
            // while the provider connects, keepalive silence holds Asterisk's 2 s inactivity timeout off.
            subscription = await stream.SubscribeAsync(call);
            _pacer.Register(call);
            var request = new CallStartRequest(call.CallerFormat, _gatewayId, remote, TimeSpan.FromMilliseconds(_options.FrameMs))
            {
                PlayoutFormat = call.Format == call.CallerFormat ? null : call.Format,
            };
            var started = await grain.StartAsync(request);
            provider = started.Provider;
            call.SetProvider(provider);
            if (started.Format != call.Format)
            {
                LogGrainFormatDiffers(started.Format.ToString(), call.Format.ToString());
            }

            LogCallStarted(remote, call.CallerFormat.ToString(), call.Format.ToString(), provider);
            reportPump = PumpReportsAsync(call, grain, provider);
            ending = await ReadFramesAsync(connection.Transport.Input, call, grain);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCallFailed(ex);
            ending = (CallEndReason.ProviderError, true);
        }
        finally
        {
            _pacer.Unregister(call);
            await CloseAsync(connection, call.Close(), ending.SendHangup);
            await reportPump;
            if (subscription is not null)
            {
                // Explicit subscriptions are persisted in the PubSubStore: always remove them.
                await UnsubscribeAsync(subscription);
            }

            await EndGrainCallAsync(grain, call, ending.Reason);

            _metrics.CallEnded(ending.Reason, provider);
            LogCallEnded(ending.Reason, ending.SendHangup);
        }
    }

    private async Task<(CallEndReason Reason, bool SendHangup)> ReadFramesAsync(PipeReader input, PlayoutCall call, ICallGrain grain)
    {
        long sequence = 0;
        var unknownKindLogged = false;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync();
            }
            catch (Exception ex) when (ex is IOException or ConnectionAbortedException)
            {
                LogConnectionLost(ex.Message);
                return (CallEndReason.CallerHangup, false);
            }

            var buffer = result.Buffer;
            (CallEndReason Reason, bool SendHangup)? end = null;
            try
            {
                while (end is null && _reader.TryRead(ref buffer, out var frame))
                {
                    switch (frame.Kind)
                    {
                        case >= AudioSocketKind.Slin8 and <= AudioSocketKind.Slin192:
                            RelayAudio(frame, call, grain, ref sequence);
                            break;
                        case AudioSocketKind.Dtmf:
                            call.OnInboundActivity();
                            await RelayDtmfAsync(frame.ReadDtmfDigit(), grain);
                            break;
                        case AudioSocketKind.Hangup:
                            LogPeerHangup();
                            end = (CallEndReason.CallerHangup, false);
                            break;
                        case AudioSocketKind.Error:
                            end = OnPeerError(frame.ReadErrorCode());
                            break;
                        case AudioSocketKind.Uuid:
                            throw new AudioSocketProtocolException(AudioSocketProtocolError.DuplicateUuid, (byte)frame.Kind, frame.Length, "a second UUID frame in the same session");
                        default:
                            // Only reached with audiosocket.unknown_kind: ignore (the reader throws otherwise).
                            if (!unknownKindLogged)
                            {
                                unknownKindLogged = true;
                                LogUnknownKindIgnored((byte)frame.Kind, frame.Length);
                            }

                            break;
                    }
                }

                if (end is null && result.IsCompleted)
                {
                    if (buffer.IsEmpty)
                    {
                        // Asterisk never sends a hangup frame: EOF is the caller hanging up.
                        LogPeerClosed();
                        end = (CallEndReason.CallerHangup, false);
                    }
                    else
                    {
                        _metrics.ProtocolError(AudioSocketProtocolError.Truncated);
                        LogProtocolError(AudioSocketProtocolError.Truncated, $"connection closed inside a frame ({buffer.Length} bytes left)");
                        end = (CallEndReason.ProtocolError, true);
                    }
                }
            }
            catch (AudioSocketProtocolException ex)
            {
                _metrics.ProtocolError(ex.Error);
                LogProtocolError(ex.Error, ex.Message);
                end = (CallEndReason.ProtocolError, true);
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (end is { } e)
            {
                call.RequestEnd(e.Reason);
                return e;
            }

            if (result.IsCanceled && call.IsEndSignalled)
            {
                // The platform (CallEnding), the idle timer, shutdown or a dead writer ended the call.
                return (call.EndReason ?? CallEndReason.Shutdown, true);
            }
        }
    }

    private void RelayAudio(in AudioSocketFrame frame, PlayoutCall call, ICallGrain grain, ref long sequence)
    {
        if (frame.Length == 0)
        {
            // Asterisk never sends it; there is nothing to relay.
            return;
        }

        // A fresh copy: the pipe's memory is reused once we advance, and the one-way call serialises later.
        var audio = frame.Payload.ToArray();
        _metrics.FrameIn(call.ProviderTag);
        call.OnCallerAudio(audio, frame.Kind);
        try
        {
            var push = grain.PushCallerAudioAsync(new CallerAudio(sequence++, audio));
            if (!push.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(push);
            }
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex);
        }
    }

    private async Task ObserveAsync(Task push)
    {
        try
        {
            await push;
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex);
        }
    }

    private async Task RelayDtmfAsync(char digit, ICallGrain grain)
    {
        if (!IsDtmfDigit(digit))
        {
            LogInvalidDtmf((byte)digit);
            return;
        }

        LogDtmf(digit);
        try
        {
            await grain.SendDtmfAsync(digit);
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex);
        }
    }

    internal static bool IsDtmfDigit(char digit) => digit is (>= '0' and <= '9') or '*' or '#' or (>= 'A' and <= 'D');

    private (CallEndReason, bool) OnPeerError(byte? code)
    {
        _metrics.ProtocolError(AudioSocketProtocolError.PeerError);
        if (code is { } c)
        {
            LogPeerErrorCode(c);
        }
        else
        {
            LogPeerErrorNoCode();
        }

        // 0x01 is "calling party hung up"; the others are failures on the Asterisk side.
        return (code == 0x01 ? CallEndReason.CallerHangup : CallEndReason.ProtocolError, true);
    }

    private async Task PumpReportsAsync(PlayoutCall call, ICallGrain grain, string provider)
    {
        await foreach (var report in call.Reports.ReadAllAsync())
        {
            if (report.Event == PlayoutEvent.Started)
            {
                _metrics.PlatformLatency(report.PlatformLatency, provider);
            }

            try
            {
                await grain.ReportPlayoutAsync(report);
            }
            catch (Exception ex)
            {
                LogRelayFailed(ex);
            }
        }
    }

    private async Task EndGrainCallAsync(ICallGrain grain, PlayoutCall call, CallEndReason reason)
    {
        if (call.EndedByPlatform)
        {
            // The grain ended it and already knows.
            return;
        }

        try
        {
            await grain.HangupAsync(reason);
        }
        catch (Exception ex)
        {
            LogGrainHangupFailed(ex);
        }
    }

    private async Task UnsubscribeAsync(StreamSubscriptionHandle<AgentStreamEvent> subscription)
    {
        try
        {
            await subscription.UnsubscribeAsync();
        }
        catch (Exception ex)
        {
            LogUnsubscribeFailed(ex);
        }
    }

    /// <summary>Reads the first frame, which must be the UUID, within <c>audiosocket.uuid_timeout_ms</c>.</summary>
    /// <remarks>
    /// Not linked to <c>ConnectionClosed</c>: Kestrel fires it on the peer's FIN, possibly before bytes sent just
    /// ahead of the FIN have been read; the pipe reports the FIN itself (<c>IsCompleted</c>) after the data.
    /// </remarks>
    private async Task<UuidResult> ReadUuidAsync(PipeReader input)
    {
        using var timeout = new CancellationTokenSource(_options.UuidTimeoutMs);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return new(UuidOutcome.TimedOut);
            }
            catch (Exception ex) when (ex is IOException or ConnectionAbortedException)
            {
                return new(UuidOutcome.Closed);
            }

            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                if (!buffer.IsEmpty && buffer.FirstSpan[0] != (byte)AudioSocketKind.Uuid)
                {
                    // Decided from the kind byte alone: do not wait for the body of a frame we will not accept.
                    var kind = buffer.FirstSpan[0];
                    return new(UuidOutcome.Invalid, Error: new AudioSocketProtocolException(
                        AudioSocketProtocolError.MissingUuid, kind, 0, $"first frame is kind 0x{kind:X2}, not a UUID (0x01)"));
                }

                var rest = buffer;
                if (_reader.TryRead(ref rest, out var frame))
                {
                    consumed = rest.Start;
                    return new(UuidOutcome.Ok, frame.ReadUuid());
                }

                if (result.IsCompleted)
                {
                    return buffer.IsEmpty
                        ? new(UuidOutcome.Closed)
                        : new(UuidOutcome.Invalid, Error: new AudioSocketProtocolException(
                            AudioSocketProtocolError.Truncated, (byte)AudioSocketKind.Uuid, (int)buffer.Length, "connection closed inside the UUID frame"));
                }
            }
            catch (AudioSocketProtocolException ex)
            {
                return new(UuidOutcome.Invalid, Error: ex);
            }
            finally
            {
                if (consumed.Equals(buffer.Start))
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                else
                {
                    // Frames behind the UUID stay unexamined, so the next read returns them at once.
                    input.AdvanceTo(consumed);
                }
            }
        }
    }

    /// <summary>
    /// Peeks (without consuming) at the kind of the first frame after the UUID, waiting at most
    /// <paramref name="probeWindow"/>: Asterisk's rate label says the call's format before we start it.
    /// </summary>
    private static async Task<AudioSocketKind?> PeekFirstAudioKindAsync(PipeReader input, TimeSpan probeWindow)
    {
        using var window = new CancellationTokenSource(probeWindow);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(window.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException)
            {
                return null;
            }

            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                var kind = (AudioSocketKind)buffer.FirstSpan[0];
                input.AdvanceTo(buffer.Start);
                return kind.IsAudio() ? kind : null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }

    /// <summary>Sends <c>00 00 00</c> when we end the call, then completes both pipes (Kestrel closes the socket).</summary>
    private async Task CloseAsync(ConnectionContext connection, ValueTask<FlushResult>? pendingFlush, bool sendHangup)
    {
        var output = connection.Transport.Output;
        try
        {
            if (pendingFlush is { } pending)
            {
                await pending.AsTask().WaitAsync(s_closeTimeout);
            }

            if (sendHangup)
            {
                AudioSocketFrameWriter.WriteHangup(output);
                await output.FlushAsync().AsTask().WaitAsync(s_closeTimeout);
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException or OperationCanceledException or ConnectionAbortedException)
        {
            // The peer is gone or not reading: do not wait on it.
            LogCloseFailed(ex.Message);
            connection.Abort();
        }

        await output.CompleteAsync();
        await connection.Transport.Input.CompleteAsync();
    }

    private enum UuidOutcome
    {
        Ok,
        Closed,
        TimedOut,
        Invalid,
    }

    private readonly record struct UuidResult(UuidOutcome Outcome, Guid CallId = default, AudioSocketProtocolException? Error = null);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "AudioSocket connection {ConnectionId} failed")]
    private partial void LogConnectionFailed(Exception ex, string connectionId);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Connection from {Remote} closed before sending a UUID")]
    private partial void LogClosedBeforeUuid(string? remote);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Connection from {Remote} sent no UUID within {TimeoutMs} ms (audiosocket.uuid_timeout_ms); hanging up")]
    private partial void LogUuidTimeout(string? remote, int timeoutMs);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Connection from {Remote}: invalid first frame ({Error}: {Detail}); hanging up")]
    private partial void LogProtocolErrorBeforeUuid(string? remote, AudioSocketProtocolError error, string detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Call started from {Remote}: caller audio {Format}, replies {PlayoutFormat}, provider {Provider}")]
    private partial void LogCallStarted(string? remote, string format, string playoutFormat, string provider);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Call ended: {Reason} (hangup frame sent: {HangupSent})")]
    private partial void LogCallEnded(CallEndReason reason, bool hangupSent);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "AudioSocket protocol error {Error}: {Detail}; hanging up")]
    private partial void LogProtocolError(AudioSocketProtocolError error, string detail);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Asterisk closed the connection (caller hangup)")]
    private partial void LogPeerClosed();

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Peer sent a hangup frame")]
    private partial void LogPeerHangup();

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Peer sent an error frame with code 0x{Code:X2}; ending the call")]
    private partial void LogPeerErrorCode(byte code);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Peer sent an error frame without a code; ending the call")]
    private partial void LogPeerErrorNoCode();

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "DTMF {Digit}")]
    private partial void LogDtmf(char digit);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Ignored DTMF frame with byte 0x{Byte:X2} (allowed: 0-9 * # A-D)")]
    private partial void LogInvalidDtmf(byte @byte);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Error, Message = "Call failed")]
    private partial void LogCallFailed(Exception ex);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Relaying to the call grain failed")]
    private partial void LogRelayFailed(Exception ex);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Telling the call grain about the hangup failed")]
    private partial void LogGrainHangupFailed(Exception ex);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Unsubscribing from the call's agent stream failed")]
    private partial void LogUnsubscribeFailed(Exception ex);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "Connection lost: {Detail}")]
    private partial void LogConnectionLost(string detail);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Debug, Message = "Closing the connection did not complete cleanly: {Detail}")]
    private partial void LogCloseFailed(string detail);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Information, Message = "Asterisk labels audio 0x{Kind:X2}: caller audio is {Format}, replies go as {PlayoutFormat} (audiosocket.format is {Configured})")]
    private partial void LogFormatFromLabel(byte kind, string format, string playoutFormat, string configured);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Ignored a frame of unknown kind 0x{Kind:X2} ({Length} bytes; audiosocket.unknown_kind is ignore); further ones in this call are ignored silently")]
    private partial void LogUnknownKindIgnored(byte kind, int length);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "The call grain answered format {GrainFormat}; the socket stays {Format}")]
    private partial void LogGrainFormatDiffers(string grainFormat, string format);
}
