using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// A caller the test placed into Stasis (<see cref="AriEmulator.PlaceCallAsync"/>): press keys, hang up, see what the
/// application did to it and what it heard from the gateway through the bridge. It says a fixed clip
/// (<see cref="AriCallOptions.Audio"/>, <see cref="Say"/>), paced by the media leg, or is driven frame by frame by an
/// <see cref="IAriCallerAudio"/> on its own clock (<see cref="AriCallOptions.Caller"/>).
/// </summary>
public sealed partial class AriEmulatorCall
{
    private readonly AriEmulatorCore _core;
    private readonly object _speechGate = new();
    private readonly Queue<ReadOnlyMemory<byte>> _speech = new();
    private ReadOnlyMemory<byte> _speaking;
    private long _lastSentAt;
    private long _longestSendGapTicks;
    private long _framesToGateway;
    private string? _lastLeg;
    private readonly List<TimeSpan> _legSwitchGaps = [];
    private readonly object _heardGate = new();
    private readonly ArrayBufferWriter<byte> _heard = new();
    private readonly IAriCallerAudio? _caller;
    private readonly int _callerFrameBytes;
    private readonly CancellationTokenSource _clockStop = new();
    private readonly object _legGate = new();
    private readonly HashSet<string> _legsUsed = new(StringComparer.Ordinal);
    private readonly List<TimeSpan> _heardLegSwitchGaps = [];
    private string? _lastHeardLeg;
    private long _lastHeardAt;
    private Task _clock = Task.CompletedTask;
    private readonly List<AriCallerMoment> _moments = [];
    private int _answers;
    private int _addChannels;
    private int _hangups;
    private long _heardFrames;

    internal AriEmulatorCall(AriEmulatorCore core, string channelId, string channelName, string application, AriCallOptions options)
    {
        _core = core;
        ChannelId = channelId;
        ChannelName = channelName;
        Application = application;
        _speaking = options.Audio;
        _caller = options.Caller;
        if (_caller is not null)
        {
            _callerFrameBytes = ExternalMediaLink.ForFormat(options.CallerFormat)?.FrameBytes
                ?? throw new ArgumentException($"caller format '{options.CallerFormat}' is not one external media supports", nameof(options));
        }
    }

    /// <summary>The caller's channel id, e.g. <c>1796186398.9</c>.</summary>
    public string ChannelId { get; }

    /// <summary>Its name, e.g. <c>Local/300@ari-00000000;2</c>.</summary>
    public string ChannelName { get; }

    /// <summary>The Stasis application it entered.</summary>
    public string Application { get; }

    /// <summary>Ring, Up; empty once the channel is gone.</summary>
    public string State => _core.Read(ChannelId, c => c?.State ?? string.Empty);

    /// <summary>True while it is in the Stasis application.</summary>
    public bool InStasis => _core.Read(ChannelId, c => c?.StasisApp is not null);

    /// <summary>True once the channel is gone (hung up by either side).</summary>
    public bool IsGone => _core.Read(ChannelId, c => c is null);

    /// <summary>The bridge it is in, if any.</summary>
    public string? BridgeId => _core.Read(ChannelId, c => c?.Bridge?.Id);

    /// <summary>Where <c>continue</c> sent it (<c>context,exten,priority</c>), if it did.</summary>
    public string? ContinuedTo => _core.Read(ChannelId, c => c?.ContinuedTo);

    /// <summary>True while hold music is on.</summary>
    public bool OnHold => _core.Read(ChannelId, c => c?.OnHold ?? false);

    /// <summary>Its channel variables (empty once gone).</summary>
    public IReadOnlyDictionary<string, string> Variables => _core.Read(ChannelId, c => c is null ? new Dictionary<string, string>() : new Dictionary<string, string>(c.Variables));

    /// <summary><c>POST /channels/{id}/answer</c> requests for this caller.</summary>
    public int AnswerRequests => Volatile.Read(ref _answers);

    /// <summary><c>addChannel</c> requests naming this caller.</summary>
    public int AddChannelRequests => Volatile.Read(ref _addChannels);

    /// <summary><c>DELETE /channels/{id}</c> requests for this caller.</summary>
    public int HangupRequests => Volatile.Read(ref _hangups);

    /// <summary>Audio frames the gateway sent while bridged with this caller.</summary>
    public long HeardFrames => Interlocked.Read(ref _heardFrames);

    /// <summary>Frames of the caller's audio sent to a gateway, over every media leg it was bridged with.</summary>
    public long FramesToGateway
    {
        get
        {
            lock (_speechGate)
            {
                return _framesToGateway;
            }
        }
    }

    /// <summary>
    /// The longest time between two frames of the caller's audio sent to a gateway (20 ms while bridged; across a media
    /// leg that ended and its replacement, how long the caller was cut off from the platform).
    /// </summary>
    public TimeSpan LongestGapToGateway
    {
        get
        {
            lock (_speechGate)
            {
                return Stopwatch.GetElapsedTime(0, _longestSendGapTicks);
            }
        }
    }

    /// <summary>
    /// For each media leg that took over from an earlier one: the time between the caller's last frame sent on the old
    /// leg and its first on the new one (how long the caller was cut off from the platform, both ways: the emulator
    /// carries audio in either direction only while a leg shares the bridge with the caller).
    /// </summary>
    public IReadOnlyList<TimeSpan> MediaLegSwitchGaps
    {
        get
        {
            lock (_speechGate)
            {
                return [.. _legSwitchGaps];
            }
        }
    }

    /// <summary>True when an <see cref="IAriCallerAudio"/> drives the caller on its own clock (legs do not pull its audio).</summary>
    public bool IsDriven => _caller is not null;

    /// <summary>External-media legs that carried this caller's audio either way (the first leg and every replacement).</summary>
    public int MediaLegsUsed
    {
        get
        {
            lock (_legGate)
            {
                return _legsUsed.Count;
            }
        }
    }

    /// <summary>
    /// For each media leg the caller heard after an earlier one: the time between the last frame that reached the
    /// caller from the old leg and the first from the new one (the silence a gateway switch cost the caller's ear).
    /// </summary>
    public IReadOnlyList<TimeSpan> HeardLegSwitchGaps
    {
        get
        {
            lock (_legGate)
            {
                return [.. _heardLegSwitchGaps];
            }
        }
    }

    /// <summary>
    /// What the caller could hear over time, one entry per change of its bridge, of the answered channels in it, or of
    /// its hold music (the emulator's record for the "no dead air" check: <see cref="DeadAir"/>).
    /// </summary>
    public IReadOnlyList<AriCallerMoment> Moments
    {
        get
        {
            lock (_moments)
            {
                return [.. _moments];
            }
        }
    }

    /// <summary>
    /// The moments, after the caller first heard someone through a bridge, from which it heard nobody and no hold music
    /// while still in the application (each lasts until the next entry of <see cref="Moments"/>).
    /// </summary>
    public IReadOnlyList<AriCallerMoment> DeadAir
    {
        get
        {
            var moments = Moments;
            var connected = moments.TakeWhile(m => m.Hears.Count == 0).Count();
            return [.. moments.Skip(connected).Where(m => m.Silent)];
        }
    }

    /// <summary>The caller says <paramref name="audio"/> (s16le at the media leg's rate) after what it is saying now.</summary>
    public void Say(ReadOnlyMemory<byte> audio)
    {
        lock (_speechGate)
        {
            _speech.Enqueue(audio);
        }
    }

    /// <summary>What the caller heard: the gateway's audio payloads, in order (not kept for a driven caller: it is handed every frame).</summary>
    public byte[] HeardAudio()
    {
        lock (_heardGate)
        {
            return _heard.WrittenSpan.ToArray();
        }
    }

    /// <summary>The caller presses <paramref name="digit"/>: <c>ChannelDtmfReceived</c>.</summary>
    public Task SendDtmfAsync(char digit, int durationMs = 100)
    {
        _core.SendDtmf(ChannelId, digit, durationMs);
        return Task.CompletedTask;
    }

    /// <summary>The caller hangs up: <c>ChannelHangupRequest</c> cause 16, <c>ChannelLeftBridge</c>, <c>StasisEnd</c>.</summary>
    public Task HangUpAsync()
    {
        _core.CallerHangsUp(ChannelId);
        return Task.CompletedTask;
    }

    internal void CountAnswer() => Interlocked.Increment(ref _answers);

    /// <summary>Under the emulator's lock: records a moment when what the caller can hear changed.</summary>
    internal void Observe(DateTimeOffset at, string? bridgeId, bool onHold, bool inStasis, IReadOnlyList<string> hears, bool gone)
    {
        lock (_moments)
        {
            if (_moments.Count > 0 && _moments[^1] is var last
                && last.BridgeId == bridgeId && last.OnHold == onHold && last.InStasis == inStasis && last.Gone == gone && last.Hears.SequenceEqual(hears))
            {
                return;
            }

            _moments.Add(new AriCallerMoment(at, bridgeId, onHold, inStasis, hears, gone));
        }
    }

    internal void CountAddChannel() => Interlocked.Increment(ref _addChannels);

    internal void CountHangup() => Interlocked.Increment(ref _hangups);

    /// <summary>
    /// The next 20 ms of what the caller says, silence when it says nothing. The position belongs to the caller, not to
    /// a media leg: a leg that replaces an ended one goes on where the caller was.
    /// </summary>
    internal void FillFrame(Span<byte> frame, string legId)
    {
        lock (_speechGate)
        {
            var filled = 0;
            while (filled < frame.Length && (_speaking.Length > 0 || _speech.TryDequeue(out _speaking)))
            {
                var take = Math.Min(_speaking.Length, frame.Length - filled);
                _speaking.Span[..take].CopyTo(frame[filled..]);
                _speaking = _speaking[take..];
                filled += take;
            }

            frame[filled..].Clear();
            CountSent(legId, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Starts a driven caller's clock (nothing for a caller that says a clip): it runs until the channel is gone.</summary>
    internal void StartClock()
    {
        if (_caller is not null)
        {
            _clock = Task.Run(() => RunClockAsync(_caller, _clockStop.Token));
        }
    }

    /// <summary>Stops the clock (the emulator is disposed).</summary>
    internal async Task StopClockAsync()
    {
        await _clockStop.CancelAsync().ConfigureAwait(false);
        await _clock.ConfigureAwait(false);
    }

    internal void Hear(ReadOnlySequence<byte> payload, string legId)
    {
        var now = Stopwatch.GetTimestamp();
        if (_caller is null)
        {
            lock (_heardGate)
            {
                foreach (var segment in payload)
                {
                    _heard.Write(segment.Span);
                }
            }
        }

        lock (_legGate)
        {
            if (_lastHeardLeg is not null && _lastHeardLeg != legId)
            {
                _heardLegSwitchGaps.Add(Stopwatch.GetElapsedTime(_lastHeardAt, now));
            }

            _lastHeardLeg = legId;
            _lastHeardAt = now;
            _legsUsed.Add(legId);
        }

        Interlocked.Increment(ref _heardFrames);
        if (_caller is not null)
        {
            _caller.Heard(payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray(), now, legId);
        }
    }

    /// <summary>
    /// The caller's own 20 ms clock: while its channel is up it says the next frame, which goes to every external-media
    /// leg in its bridge at that moment (none: the frame is lost, as in a bridge of one).
    /// </summary>
    private async Task RunClockAsync(IAriCallerAudio caller, CancellationToken cancellationToken)
    {
        var frame = new byte[_callerFrameBytes];
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var (gone, up, legs) = _core.CallerTick(ChannelId);
                if (gone)
                {
                    return;
                }

                if (!up)
                {
                    continue; // ringing: nobody has answered yet
                }

                var now = Stopwatch.GetTimestamp();
                caller.NextFrame(frame, now);
                string? newest = null;
                foreach (var (legId, link) in legs)
                {
                    if (link.TrySend(frame))
                    {
                        newest = legId; // legs in joining order: the newest last
                    }
                }

                if (newest is not null)
                {
                    lock (_speechGate)
                    {
                        CountSent(newest, now);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The emulator is being disposed.
        }
        catch (Exception e)
        {
            LogCallerFailed(_core.Logger, ChannelId, e);
        }
    }

    /// <summary>One tick's frame went to <paramref name="legId"/> (under <see cref="_speechGate"/>).</summary>
    private void CountSent(string legId, long now)
    {
        if (_lastSentAt != 0 && now - _lastSentAt > _longestSendGapTicks)
        {
            _longestSendGapTicks = now - _lastSentAt;
        }

        if (_lastLeg is not null && _lastLeg != legId)
        {
            _legSwitchGaps.Add(Stopwatch.GetElapsedTime(_lastSentAt, now));
        }

        _lastLeg = legId;
        _lastSentAt = now;
        _framesToGateway++;
        lock (_legGate)
        {
            _legsUsed.Add(legId);
        }
    }

    [LoggerMessage(7900, LogLevel.Warning, "ARI emulator: the driven caller of channel {ChannelId} failed; it says nothing more")]
    private static partial void LogCallerFailed(ILogger logger, string channelId, Exception exception);
}
