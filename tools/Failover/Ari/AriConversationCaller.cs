using System.Diagnostics;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;
using AiAgent.Emulators.Ari;

namespace AiAgent.Failover.Ari;

/// <summary>
/// An ARI caller talking in cycles, frame by frame on the emulator's caller clock: CallSim's own conversation
/// (<see cref="ConversationScript"/> decides each 20 ms, <see cref="ConversationTimeline"/> measures turns, waits and
/// playout gaps, <see cref="AgentSpeech.IsSilent"/> tells agent speech from keepalive silence), so an ARI call is
/// judged exactly as a dialplan call is. Only the transport differs: the emulator's bridge instead of CallSim's socket.
/// </summary>
internal sealed class AriConversationCaller : IAriCallerAudio
{
    private readonly CallAudio _speech;
    private readonly ConversationTimeline _timeline = new(Stopwatch.Frequency);
    private readonly ConversationScript _script;
    private readonly TaskCompletionSource _hangUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<double> _clockLateMs = [];
    private long _origin;
    private long _lastTick;
    private long _lastHeardAt;
    private long _maxHeardGap;
    private bool _done;

    /// <param name="speech">What the caller says each turn, in the media legs' format (slin16).</param>
    /// <param name="conversation">How it talks (reply timeout, the stop token).</param>
    /// <param name="leadingSilence">The least wait before the first turn.</param>
    public AriConversationCaller(CallAudio speech, ConversationSettings conversation, TimeSpan leadingSilence)
    {
        _speech = speech;
        var silence = SilentFrames.Of(new CallSettings { Audio = speech, LeadingSilence = TimeSpan.Zero, Tail = TimeSpan.Zero });
        var frames = (int)Math.Ceiling((double)speech.Bytes.Length / speech.Format.FrameBytes);
        _script = new ConversationScript(conversation, frames, silence.LastSpeechFrame, leadingSilence, _timeline, Stopwatch.Frequency);
    }

    /// <summary>Completes when the conversation is over and the caller wants to hang up.</summary>
    public Task HangUpWanted => _hangUp.Task;

    /// <summary>The wall-clock time of the caller's first frame (its channel answered): the origin of every time in <see cref="Summarize"/>.</summary>
    public DateTimeOffset? StartedUtc { get; private set; }

    /// <summary>The longest gap between two frames heard, pauses between replies included.</summary>
    public double? MaxHeardGapMs => _lastHeardAt == 0 ? null : Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxHeardGap)).TotalMilliseconds;

    /// <summary>How late each tick of the emulator's caller clock came (beyond 20 ms after the previous one).</summary>
    public IReadOnlyList<double> ClockLatenessMs
    {
        get
        {
            lock (_clockLateMs)
            {
                return [.. _clockLateMs];
            }
        }
    }

    public void NextFrame(Span<byte> frame, long timestamp)
    {
        if (_origin == 0)
        {
            _origin = timestamp;
            StartedUtc = DateTimeOffset.UtcNow;
        }
        else
        {
            var late = Stopwatch.GetElapsedTime(_lastTick, timestamp).TotalMilliseconds - CallFormat.FrameMilliseconds;
            lock (_clockLateMs)
            {
                _clockLateMs.Add(Math.Max(0, late));
            }
        }

        _lastTick = timestamp;
        var step = _done ? new CallerStep(CallerAction.HangUp) : _script.Next(timestamp);
        switch (step.Action)
        {
            case CallerAction.Speech:
                var bytes = _speech.Bytes.Span;
                var offset = step.AudioFrame * frame.Length;
                var take = Math.Clamp(bytes.Length - offset, 0, frame.Length);
                bytes.Slice(offset, take).CopyTo(frame);
                frame[take..].Clear();
                break;
            case CallerAction.HangUp:
                _done = true;
                frame.Clear();
                _hangUp.TrySetResult();
                break;
            default:
                frame.Clear();
                break;
        }
    }

    public void Heard(ReadOnlySpan<byte> payload, long arrivedAt, string mediaLegId)
    {
        var last = Interlocked.Exchange(ref _lastHeardAt, arrivedAt);
        if (last != 0 && arrivedAt - last > Interlocked.Read(ref _maxHeardGap))
        {
            Interlocked.Exchange(ref _maxHeardGap, arrivedAt - last);
        }

        _timeline.AgentFrame(arrivedAt, speech: !AgentSpeech.IsSilent(payload));
    }

    /// <summary>What the caller heard; <paramref name="earlyEnd"/> says why the call ended before its plan (null: the caller hung up as planned).</summary>
    public ConversationSummary Summarize(string? earlyEnd) =>
        _timeline.Summarize(_origin == 0 ? Stopwatch.GetTimestamp() : _origin, Stopwatch.GetTimestamp(), earlyEnd);
}
