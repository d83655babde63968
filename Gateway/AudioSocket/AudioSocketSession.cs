using System.IO.Pipelines;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// One AudioSocket connection from Asterisk, from its UUID to its close: the handshake, the format probe, the
/// call's start on its <see cref="ICallGrain"/> (agent audio subscribed and paced), the caller's frames relayed
/// until someone hangs up, and a clean end whatever the peer does.
/// </summary>
/// <remarks>
/// Asterisk tears the session down on anything we send but audio kinds and <c>00 00 00</c>; whenever we end the
/// call we send <c>00 00 00</c> before closing, since older Asterisk does not notice EOF (docs/protocols/asterisk.md).
/// </remarks>
internal sealed partial class AudioSocketSession(ConnectionContext connection, AudioSocketSessionContext context)
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(2);
    private static readonly Func<ILogger, Guid, IDisposable?> s_callScope = LoggerMessage.DefineScope<Guid>("CallId:{CallId}");

    private readonly ILogger _logger = context.SessionLogger;
    private readonly string? _remote = connection.RemoteEndPoint?.ToString();
    private PlayoutCall? _call;
    private CallerAudioFeed? _feed;
    private ICallGrain? _grain;
    private StreamSubscriptionHandle<AgentStreamEvent>? _subscription;
    private string _provider = "unknown";
    private Task _reportPump = Task.CompletedTask;
    private CallEnd _end = CallEnd.ByCaller;

    private PipeReader Input => connection.Transport.Input;

    private PlayoutCall Call => _call ?? throw new InvalidOperationException("no call before the handshake");

    private ICallGrain Grain => _grain ?? throw new InvalidOperationException("no call before the handshake");

    /// <summary>Runs the connection to its end; whatever happens on it stays there.</summary>
    public async Task RunAsync()
    {
        context.Metrics.Connection(+1);
        try
        {
            await RunConnectionAsync();
        }
        catch (Exception ex)
        {
            LogConnectionFailed(ex, connection.ConnectionId);
            connection.Abort();
        }
        finally
        {
            context.Metrics.Connection(-1);
        }
    }

    private async Task RunConnectionAsync()
    {
        // Kestrel's socket transport sets TCP_NODELAY by default; make sure, since every frame is latency-bound.
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            socket.NoDelay = true;
        }

        var handshake = await AudioSocketHandshake.ReadUuidAsync(Input, context.FrameReader, TimeSpan.FromMilliseconds(context.Options.UuidTimeoutMs), context.Time);
        if (handshake.Outcome != HandshakeOutcome.Ok)
        {
            await RejectAsync(handshake);
            return;
        }

        using var scope = s_callScope(_logger, handshake.CallId);
        var label = await AudioSocketFormatProbe.PeekFirstAudioKindAsync(Input, TimeSpan.FromMilliseconds(context.Options.FormatProbeMs), context.Time);
        var formats = ResolveFormats(label);
        _call = new PlayoutCall(
            handshake.CallId, formats.Caller, formats.Playout, connection.Transport.Output, Input,
            context.Options, context.Time, context.Metrics, context.PlayoutLogger);
        _grain = context.Client.GetGrain<ICallGrain>(handshake.CallId);
        await RunCallAsync(new InboundLabelWatch(label));
    }

    private async Task RejectAsync(HandshakeResult handshake)
    {
        switch (handshake.Outcome)
        {
            case HandshakeOutcome.Closed:
                // E.g. the dialplan app connects, then finds the channel not answered and closes.
                LogClosedBeforeUuid(_remote);
                await CloseAsync(pendingFlush: null, sendHangup: false);
                break;
            case HandshakeOutcome.TimedOut:
                LogUuidTimeout(_remote, context.Options.UuidTimeoutMs);
                await CloseAsync(pendingFlush: null, sendHangup: true);
                break;
            default:
                context.Metrics.ProtocolError(handshake.Error!.Error);
                LogProtocolErrorBeforeUuid(_remote, handshake.Error.Error, handshake.Error.Message);
                await CloseAsync(pendingFlush: null, sendHangup: true);
                break;
        }
    }

    private CallFormats ResolveFormats(AudioSocketKind? label)
    {
        var configured = context.ConfiguredFormat;
        var formats = CallFormats.Resolve(label, configured);
        if (label is { } kind && (formats.Caller != configured || formats.Playout != formats.Caller))
        {
            LogFormatFromLabel((byte)kind, formats.Caller.ToString(), formats.Playout.ToString(), configured.ToString());
        }

        return formats;
    }

    private async Task RunCallAsync(InboundLabelWatch labels)
    {
        using var stopping = context.Lifetime.ApplicationStopping.Register(static c => ((PlayoutCall)c!).RequestEnd(CallEndReason.Shutdown), Call);
        try
        {
            // Subscribe first: the grain may publish the greeting before StartAsync returns. Pace from now on:
            // while the provider connects, keepalive silence holds Asterisk's inactivity timeout off.
            await SubscribeAsync();
            context.Pacer.Register(Call);
            await StartAsync();
            _reportPump = PumpReportsAsync();
            _feed = new CallerAudioFeed(
                Grain, Call, TimeSpan.FromMilliseconds(context.Options.CallerGapFillMs), TimeSpan.FromMilliseconds(context.Options.FrameMs),
                context.Time, context.Metrics, context.RelayLogger);
            if (_feed.FillEnabled)
            {
                // Gaps in the caller's media are filled on the shared pacer's clock, not a timer per call.
                context.Pacer.Register(_feed);
            }

            _end = await new CallerFrameRelay(Input, context.FrameReader, Call, Grain, _feed, labels, context.Metrics, context.RelayLogger).RunAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCallFailed(ex);
            _end = new CallEnd(CallEndReason.ProviderError, SendHangup: true);
        }
        finally
        {
            await EndCallAsync();
        }
    }

    private async Task SubscribeAsync()
    {
        var stream = context.Client.GetStreamProvider(CallStreams.ProviderName).GetStream<AgentStreamEvent>(CallStreams.AgentOutput(Call.CallId));
        _subscription = await stream.SubscribeAsync(new AgentStreamObserver(Call, context.Metrics, context.StreamLogger));
    }

    private async Task StartAsync()
    {
        var call = Call;
        var request = new CallStartRequest(call.CallerFormat, context.GatewayId, _remote, TimeSpan.FromMilliseconds(context.Options.FrameMs))
        {
            PlayoutFormat = call.Format == call.CallerFormat ? null : call.Format,
        };
        var started = await Grain.StartAsync(request);
        _provider = started.Provider;
        call.SetProvider(_provider);
        if (started.Format != call.Format)
        {
            LogGrainFormatDiffers(started.Format.ToString(), call.Format.ToString());
        }

        LogCallStarted(_remote, call.CallerFormat.ToString(), call.Format.ToString(), _provider);
    }

    /// <summary>Forwards the pacer's playout reports to the grain (never from the pacer thread).</summary>
    private async Task PumpReportsAsync()
    {
        await foreach (var report in Call.Reports.ReadAllAsync())
        {
            if (report.Event == PlayoutEvent.Started)
            {
                context.Metrics.PlatformLatency(report.PlatformLatency, _provider);
            }

            try
            {
                await Grain.ReportPlayoutAsync(report);
            }
            catch (Exception ex)
            {
                LogRelayFailed(ex);
            }
        }
    }

    /// <summary>Stops playout, closes the socket, then releases the stream and tells the grain.</summary>
    private async Task EndCallAsync()
    {
        if (_feed is not null)
        {
            context.Pacer.Unregister(_feed);
            _feed.LogSummary();
        }

        context.Pacer.Unregister(Call);
        await CloseAsync(Call.Close(), _end.SendHangup);
        await _reportPump;
        if (_subscription is not null)
        {
            // Explicit subscriptions are persisted in the PubSubStore: always remove them.
            await UnsubscribeAsync(_subscription);
        }

        if (!Call.EndedByPlatform)
        {
            // When the grain ended the call it already knows.
            await HangUpGrainAsync();
        }

        context.Metrics.CallEnded(_end.Reason, _provider);
        LogCallEnded(_end.Reason, _end.SendHangup);
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

    private async Task HangUpGrainAsync()
    {
        try
        {
            await Grain.HangupAsync(_end.Reason);
        }
        catch (Exception ex)
        {
            LogGrainHangupFailed(ex);
        }
    }

    /// <summary>Sends <c>00 00 00</c> when we end the call, then completes both pipes (Kestrel closes the socket).</summary>
    private async Task CloseAsync(ValueTask<FlushResult>? pendingFlush, bool sendHangup)
    {
        var output = connection.Transport.Output;
        try
        {
            if (pendingFlush is { } pending)
            {
                await pending.AsTask().WaitAsync(s_closeTimeout, context.Time);
            }

            if (sendHangup)
            {
                AudioSocketFrameWriter.WriteHangup(output);
                await output.FlushAsync().AsTask().WaitAsync(s_closeTimeout, context.Time);
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException or OperationCanceledException or ConnectionAbortedException)
        {
            // The peer is gone or not reading: do not wait on it.
            LogCloseFailed(ex.Message);
            connection.Abort();
        }

        await output.CompleteAsync();
        await Input.CompleteAsync();
    }

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

    [LoggerMessage(EventId = 2013, Level = LogLevel.Error, Message = "Call failed")]
    private partial void LogCallFailed(Exception ex);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Relaying to the call grain failed")]
    private partial void LogRelayFailed(Exception ex);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Telling the call grain about the hangup failed")]
    private partial void LogGrainHangupFailed(Exception ex);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Unsubscribing from the call's agent stream failed")]
    private partial void LogUnsubscribeFailed(Exception ex);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Debug, Message = "Closing the connection did not complete cleanly: {Detail}")]
    private partial void LogCloseFailed(string detail);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Information, Message = "Asterisk labels audio 0x{Kind:X2}: caller audio is {Format}, replies go as {PlayoutFormat} (audiosocket.format is {Configured})")]
    private partial void LogFormatFromLabel(byte kind, string format, string playoutFormat, string configured);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "The call grain answered format {GrainFormat}; the socket stays {Format}")]
    private partial void LogGrainFormatDiffers(string grainFormat, string format);
}
