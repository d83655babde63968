using AiAgent.Grains.Interfaces.Asterisk;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Source-generated log messages of a call (event ids 2001-2017, failover 2030-2039), written by the call grain and its parts under the
/// grain's category. DTMF digits, transcripts and tool arguments are personal data: never above Debug.
/// </summary>
internal static partial class CallLog
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Call {CallId} started on {Provider}: caller {CallFormat}, replies {PlayoutFormat}, provider in {InputFormat} out {OutputFormat}, gateway {GatewayId}")]
    public static partial void CallStarted(ILogger logger, Guid callId, string provider, AudioFormat callFormat, AudioFormat playoutFormat, AudioFormat inputFormat, AudioFormat outputFormat, string gatewayId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Call {CallId} ended ({Reason}) on {Provider}: {FramesIn} caller frames, {ChunksOut} agent chunks")]
    public static partial void CallEnded(ILogger logger, Guid callId, string? provider, CallEndReason reason, long framesIn, long chunksOut);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Call {CallId} could not start its {Provider} session")]
    public static partial void StartFailed(ILogger logger, Exception exception, Guid callId, string provider);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Call {CallId}: {Provider} session {SessionId} started")]
    public static partial void SessionStarted(ILogger logger, Guid callId, string provider, string? sessionId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Call {CallId}: {Provider} session ended ({Reason}), hang up: {HangUp}")]
    public static partial void SessionEnded(ILogger logger, Guid callId, string provider, string reason, bool hangUp);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Call {CallId}: {Provider} error {Kind} {Code}: {Message} (fatal: {Fatal})")]
    public static partial void ProviderError(ILogger logger, Guid callId, string provider, ProviderErrorKind kind, string code, string message, bool fatal);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Call {CallId}: {Provider} session reconnected (attempt {Attempt})")]
    public static partial void ProviderReconnected(ILogger logger, Guid callId, string provider, int attempt);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Call {CallId}: barge-in, agent utterance {UtteranceId} flushed")]
    public static partial void BargeIn(ILogger logger, Guid callId, int utteranceId);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "Call {CallId}: caller speech over utterance {UtteranceId} ignored ({Reason})")]
    public static partial void BargeInSuppressed(ILogger logger, Guid callId, int utteranceId, string reason);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Call {CallId}: {Provider} turn latency {LatencyMs:0.0} ms")]
    public static partial void TurnLatency(ILogger logger, Guid callId, string provider, double latencyMs);

    // Debug, not Information: the digits may be a PIN or an account number.
    [LoggerMessage(EventId = 2011, Level = LogLevel.Debug, Message = "Call {CallId}: DTMF {Digit}")]
    public static partial void Dtmf(ILogger logger, Guid callId, char digit);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Call {CallId}: caller audio could not be forwarded")]
    public static partial void CallerAudioFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Call {CallId}: provider call '{Operation}' failed")]
    public static partial void ProviderCallFailed(ILogger logger, Exception exception, Guid callId, string operation);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Error, Message = "Call {CallId}: provider event pump failed")]
    public static partial void PumpFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Call {CallId}: stream event {Sequence} could not be published")]
    public static partial void PublishFailed(ILogger logger, Exception exception, Guid callId, long sequence);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Call {CallId}: call record could not be written")]
    public static partial void RecordWriteFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "Call {CallId}: barge-in before the answer played, response cancelled")]
    public static partial void BargeInBeforePlayout(ILogger logger, Guid callId);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Warning, Message = "Call {CallId}: epoch {Epoch} stops: a newer activation carries the call (the record was written by it)")]
    public static partial void RecordFenced(ILogger logger, Guid callId, int epoch);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Information, Message = "Call {CallId} restored at epoch {Epoch} on {Provider} from its record ({Lines} transcript lines), gateway {GatewayId}")]
    public static partial void CallRestored(ILogger logger, Guid callId, int epoch, string provider, int lines, string gatewayId);

    [LoggerMessage(EventId = 2032, Level = LogLevel.Information, Message = "Call {CallId} re-attached at epoch {Epoch} to gateway {GatewayId}")]
    public static partial void CallReattached(ILogger logger, Guid callId, int epoch, string gatewayId);

    [LoggerMessage(EventId = 2033, Level = LogLevel.Information, Message = "Call {CallId}: gateway detached at epoch {Epoch}; waiting up to {WaitSeconds} s for a gateway to attach again")]
    public static partial void CallDetached(ILogger logger, Guid callId, int epoch, double waitSeconds);

    [LoggerMessage(EventId = 2034, Level = LogLevel.Information, Message = "Call {CallId}: silo shutting down: handing over from epoch {Epoch} to {NextEpoch}")]
    public static partial void HandingOver(ILogger logger, Guid callId, int epoch, int nextEpoch);

    [LoggerMessage(EventId = 2035, Level = LogLevel.Warning, Message = "Call {CallId}: attach at epoch {Epoch} refused: epoch {RecordEpoch} carries the call")]
    public static partial void AttachSuperseded(ILogger logger, Guid callId, int epoch, int recordEpoch);

    [LoggerMessage(EventId = 2036, Level = LogLevel.Warning, Message = "Call {CallId}: the gateway did not take agent output event {Sequence}")]
    public static partial void OutputFailed(ILogger logger, Exception exception, Guid callId, long sequence);

    [LoggerMessage(EventId = 2037, Level = LogLevel.Warning, Message = "Call {CallId}: the gateway follows a newer activation; epoch {Epoch} stops")]
    public static partial void OutputRefused(ILogger logger, Guid callId, int epoch);

    [LoggerMessage(EventId = 2040, Level = LogLevel.Information, Message = "Call {CallId}: the agent asked to end the call ({Disposition}); waiting for its farewell to play out")]
    public static partial void FarewellAwaited(ILogger logger, Guid callId, CallDisposition disposition);

    [LoggerMessage(EventId = 2041, Level = LogLevel.Information, Message = "Call {CallId}: ending ({Disposition}) {ElapsedMs:F0} ms after the agent asked: {Verdict}")]
    public static partial void FarewellEnded(ILogger logger, Guid callId, CallDisposition disposition, double elapsedMs, FarewellVerdict verdict);

    [LoggerMessage(EventId = 2042, Level = LogLevel.Information, Message = "Call {CallId}: a second end request ({Disposition}) while one is pending is ignored")]
    public static partial void FarewellAlreadyPending(ILogger logger, Guid callId, CallDisposition disposition);

    [LoggerMessage(EventId = 2043, Level = LogLevel.Information, Message = "Call {CallId}: warm transfer to {Destination}: the human answered; the agent briefs them")]
    public static partial void WarmTransferAnswered(ILogger logger, Guid callId, string destination);

    [LoggerMessage(EventId = 2044, Level = LogLevel.Information, Message = "Call {CallId}: warm transfer to {Destination} ended: {Outcome}")]
    public static partial void WarmTransferEnded(ILogger logger, Guid callId, string destination, WarmTransferOutcome outcome);

    [LoggerMessage(EventId = 2045, Level = LogLevel.Warning, Message = "Call {CallId}: the {Provider} session took no platform instruction; the call goes on without the agent's words")]
    public static partial void InstructionNotTaken(ILogger logger, Guid callId, string? provider);

    [LoggerMessage(EventId = 2046, Level = LogLevel.Information, Message = "Call {CallId}: warm transfer to {Destination}: the caller is on hold, the human is dialled")]
    public static partial void WarmTransferStarted(ILogger logger, Guid callId, string destination);

    [LoggerMessage(EventId = 2047, Level = LogLevel.Warning, Message = "Call {CallId}: warm transfer to {Destination} could not start ({Reason}); the caller is transferred blind")]
    public static partial void WarmTransferNotStarted(ILogger logger, Guid callId, string destination, string reason, Exception? exception = null);
}
