using AiAgent.Grains.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Caller audio on its way to the provider: puts the gateway's one-way frames back in order
/// (<see cref="CallerFrameSequencer"/>), converts them to the provider's input format in one reused buffer and queues
/// them on the session. Counts what it received for the watchdog and the metrics.
/// </summary>
internal sealed class CallerAudioPath
{
    private readonly CallerFrameSequencer _sequence = new();
    private readonly List<CallerAudio> _ready = [];
    private readonly AudioConverter _toProvider;
    private readonly IAgentSession _session;
    private readonly CallContext _call;
    private readonly long _startTimestamp;
    private byte[] _scratch = [];
    private long _reportedFrames;
    private long _reportedLost;
    private long _reportedLate;

    /// <summary>Creates the path of a call that starts now.</summary>
    public CallerAudioPath(AudioConverter toProvider, IAgentSession session, CallContext call)
    {
        _toProvider = toProvider;
        _session = session;
        _call = call;
        _startTimestamp = call.Time.GetTimestamp();
        LastAudioUtc = call.UtcNow;
    }

    /// <summary>The sequencer's counters (delivered, lost, out of order, duplicates).</summary>
    public CallerFrameSequencer Frames => _sequence;

    /// <summary>When caller audio last arrived (the call's start before any did).</summary>
    public DateTime LastAudioUtc { get; private set; }

    /// <summary>
    /// Takes one gateway message and forwards the frames it makes deliverable. Never throws (but for cancellation):
    /// the grain call is one-way, nobody would see the exception, so it is logged and the call goes on.
    /// </summary>
    public async Task PushAsync(CallerAudio audio, CancellationToken cancellationToken)
    {
        LastAudioUtc = _call.UtcNow;
        _ready.Clear();
        _sequence.Push(audio, _call.Time.GetElapsedTime(_startTimestamp), _ready);
        try
        {
            foreach (var frame in _ready)
            {
                await ForwardAsync(frame.Audio, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CallLog.CallerAudioFailed(_call.Logger, ex, _call.CallId);
        }
    }

    /// <summary>Another gateway connection carries the caller now: its numbering starts at 0.</summary>
    public void Restart()
    {
        _sequence.Restart();
        LastAudioUtc = _call.UtcNow;
    }

    /// <summary>Adds the frame counters accumulated since the last report to the metrics (not per frame: cheap).</summary>
    public void ReportCounters()
    {
        var frames = _sequence.Delivered - _reportedFrames;
        var lost = _sequence.Lost - _reportedLost;
        var late = _sequence.OutOfOrder + _sequence.Duplicates - _reportedLate;
        _reportedFrames += frames;
        _reportedLost += lost;
        _reportedLate += late;
        _call.Metrics.CallerFrames(_call.Provider, frames, lost, late);
    }

    private async ValueTask ForwardAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        if (_toProvider.IsPassThrough)
        {
            await _session.SendAudioAsync(audio, cancellationToken);
            return;
        }

        var needed = _toProvider.GetMaxOutputBytes(audio.Length);
        if (_scratch.Length < needed)
        {
            _scratch = new byte[needed];
        }

        // The session copies what it needs before returning, so the buffer is reused for the next frame.
        var written = _toProvider.Convert(audio.Span, _scratch);
        await _session.SendAudioAsync(_scratch.AsMemory(0, written), cancellationToken);
    }
}
