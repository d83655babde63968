using System.Buffers;
using System.IO.Pipelines;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// The inbound half of a started call: reads the caller's frames until the call ends, relays audio (numbered
/// from 0 by the <see cref="CallerAudioFeed"/>, which fills gaps in them) and DTMF to the grain, and says how the call ended.
/// </summary>
/// <remarks>
/// Asterisk behaviour this follows (docs/protocols/asterisk.md): frame sizes follow the channel's packetization
/// (any even, non-zero length); DTMF arrives between audio frames; Asterisk never sends a hangup frame, EOF is the hangup.
/// </remarks>
internal sealed partial class CallerFrameRelay(
    PipeReader input, AudioSocketFrameReader reader, PlayoutCall call, Func<ICallGrain> grain, CallerAudioFeed feed, InboundLabelWatch labels,
    GatewayMetrics metrics, ILogger logger)
{
    private bool _unknownKindLogged;

    /// <summary>Relays until the peer or the platform ends the call (<see cref="PlayoutCall.RequestEnd"/> cancels the pending read).</summary>
    public async Task<CallEnd> RunAsync()
    {
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
                return CallEnd.ByCaller;
            }

            var buffer = result.Buffer;
            CallEnd? end = null;
            try
            {
                while (end is null && reader.TryRead(ref buffer, out var frame))
                {
                    switch (frame.Kind)
                    {
                        case >= AudioSocketKind.Slin8 and <= AudioSocketKind.Slin192:
                            RelayAudio(frame);
                            break;
                        case AudioSocketKind.Dtmf:
                            call.OnInboundActivity();
                            await RelayDtmfAsync(frame.ReadDtmfDigit());
                            break;
                        case AudioSocketKind.Hangup:
                            LogPeerHangup();
                            end = CallEnd.ByCaller;
                            break;
                        case AudioSocketKind.Error:
                            end = OnPeerError(frame.ReadErrorCode());
                            break;
                        case AudioSocketKind.Uuid:
                            throw new AudioSocketProtocolException(AudioSocketProtocolError.DuplicateUuid, (byte)frame.Kind, frame.Length, "a second UUID frame in the same session");
                        default:
                            // Only reached with audiosocket.unknown_kind: ignore (the reader throws otherwise).
                            OnUnknownKind(frame);
                            break;
                    }
                }

                if (end is null && result.IsCompleted)
                {
                    end = OnPeerClosed(buffer.Length);
                }
            }
            catch (AudioSocketProtocolException ex)
            {
                end = OnProtocolError(ex.Error, ex.Message);
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
                return new CallEnd(call.EndReason ?? CallEndReason.Shutdown, SendHangup: true);
            }
        }
    }

    private void RelayAudio(in AudioSocketFrame frame)
    {
        if (frame.Length == 0)
        {
            // Asterisk never sends it; there is nothing to relay.
            return;
        }

        // The pipe's memory is reused once we advance: the feed copies what it keeps before Push returns.
        var payload = frame.Payload;
        ReadOnlySpan<byte> audio = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        metrics.FrameIn(call.ProviderTag);
        call.OnCallerAudio(audio);
        if (labels.IsFirstChange(frame.Kind))
        {
            LogLabelMismatch(call.CallId, (byte)frame.Kind, (byte)labels.First.GetValueOrDefault(), call.CallerFormat.ToString(), (byte)call.OutboundKind);
        }

        feed.Push(audio);
    }

    private async Task RelayDtmfAsync(char digit)
    {
        if (!DtmfDigit.IsValid(digit))
        {
            LogInvalidDtmf((byte)digit);
            return;
        }

        LogDtmf(digit);
        feed.Flush(); // the audio before the digit reaches the grain before it
        try
        {
            await grain().SendDtmfAsync(digit);
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex);
        }
    }

    private CallEnd OnPeerError(byte? code)
    {
        metrics.ProtocolError(AudioSocketProtocolError.PeerError);
        if (code is { } c)
        {
            LogPeerErrorCode(c);
        }
        else
        {
            LogPeerErrorNoCode();
        }

        return CallEnd.ByPeerError(code);
    }

    private void OnUnknownKind(in AudioSocketFrame frame)
    {
        if (!_unknownKindLogged)
        {
            _unknownKindLogged = true;
            LogUnknownKindIgnored((byte)frame.Kind, frame.Length);
        }
    }

    private CallEnd OnPeerClosed(long bytesLeft)
    {
        if (bytesLeft == 0)
        {
            LogPeerClosed();
            return CallEnd.ByCaller;
        }

        return OnProtocolError(AudioSocketProtocolError.Truncated, $"connection closed inside a frame ({bytesLeft} bytes left)");
    }

    private CallEnd OnProtocolError(AudioSocketProtocolError error, string detail)
    {
        metrics.ProtocolError(error);
        LogProtocolError(error, detail);
        return CallEnd.ByProtocolError;
    }

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

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Relaying to the call grain failed")]
    private partial void LogRelayFailed(Exception ex);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "Connection lost: {Detail}")]
    private partial void LogConnectionLost(string detail);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Ignored a frame of unknown kind 0x{Kind:X2} ({Length} bytes; audiosocket.unknown_kind is ignore); further ones in this call are ignored silently")]
    private partial void LogUnknownKindIgnored(byte kind, int length);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Error, Message = "Call {CallId}: Asterisk now labels audio 0x{Kind:X2}, not 0x{FirstKind:X2}; the call runs as {Format} with replies labelled 0x{OutboundKind:X2} (an Asterisk before 20.17 plays nothing but 0x10: raise audiosocket.format_probe_ms or set audiosocket.format)")]
    private partial void LogLabelMismatch(Guid callId, byte kind, byte firstKind, string format, byte outboundKind);
}
