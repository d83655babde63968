using System.Collections.Concurrent;
using System.Threading.Channels;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Gateway.Tests;

/// <summary>Lets a test make the fake call send agent output, as a real call grain would.</summary>
public interface IFakeCallControl : IGrainWithGuidCompoundKey
{
    Task PublishAudioAsync(int utteranceId, byte[] audio);

    Task PublishUtteranceDoneAsync(int utteranceId);

    Task PublishFlushAsync(int utteranceId);

    Task PublishEndingAsync(CallEndReason reason, bool drain);

    /// <summary>From now on this activation answers its liveness pings with false (as a fresh activation of a lost epoch would).</summary>
    Task StopAnsweringAsync();

    /// <summary>From now on this activation answers its liveness pings as one that ended the call, and sends no end event (as if it were lost).</summary>
    Task EndWithoutEventAsync();
}

/// <summary>What one fake call saw, observable from the test without polling.</summary>
public sealed class FakeCallRecord
{
    public TaskCompletionSource<CallStartRequest> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<CallEndReason> HungUp { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Channel<char> Dtmf { get; } = Channel.CreateUnbounded<char>();

    public Channel<PlayoutReport> Reports { get; } = Channel.CreateUnbounded<PlayoutReport>();

    public ConcurrentQueue<long> AudioSequences { get; } = new();

    /// <summary>Every attach: the epoch it reached and why the gateway attached.</summary>
    public ConcurrentQueue<(int Epoch, CallAttachReason Reason)> Attaches { get; } = new();

    /// <summary>Epochs whose activation never answers anything (a request through a silo going away, lost on the way).</summary>
    public ConcurrentDictionary<int, bool> UnreachableEpochs { get; } = new();

    /// <summary>Every caller audio message with the epoch of the activation that got it.</summary>
    public ConcurrentQueue<(int Epoch, long Sequence, byte[] Audio)> AudioByEpoch { get; } = new();

    /// <summary>Every caller audio message: its sequence, its bytes and when it arrived (<see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public ConcurrentQueue<(long Sequence, byte[] Audio, long ReceivedAt)> Audio { get; } = new();
}

/// <summary>The fake calls' records, shared by the in-process silo and the test.</summary>
public sealed class FakeCallLog
{
    private readonly ConcurrentDictionary<Guid, FakeCallRecord> _calls = new();

    public FakeCallRecord For(Guid callId) => _calls.GetOrAdd(callId, _ => new FakeCallRecord());
}

/// <summary>
/// TEST-ONLY <see cref="ICallGrain"/>: publishes a greeting at start, echoes non-silent caller audio back as chunks,
/// records DTMF, playout reports and hangup. The real CallGrain is never loaded here.
/// </summary>
public sealed class FakeCallGrain(FakeCallLog log) : Grain, ICallGrain, IFakeCallControl
{
    /// <summary>The fake call's control, at the epoch the gateway attaches (a new call: the first).</summary>
    public static IFakeCallControl Control(IGrainFactory grains, Guid callId) =>
        grains.GetGrain<IFakeCallControl>(callId, CallGrainKeys.FirstEpoch.ToString(System.Globalization.CultureInfo.InvariantCulture), null);

    /// <summary>The greeting's fill byte (recognisable on the wire).</summary>
    public const byte GreetingByte = 0x47;
    public const int GreetingUtterance = 1;
    public const int EchoUtterance = 2;
    public static readonly TimeSpan GreetingDuration = TimeSpan.FromMilliseconds(200);

    private IAgentOutput? _output;
    private long _sequence;
    private AudioFormat _format;
    private CallLiveness _liveness = CallLiveness.Live;
    private FakeCallRecord Record => log.For(this.GetPrimaryKey(out _));

    private int Epoch
    {
        get
        {
            this.GetPrimaryKey(out var extension);
            return CallGrainKeys.EpochOf(extension);
        }
    }

    public async Task<CallAttached> AttachAsync(CallAttachRequest request)
    {
        _format = request.Start.EffectivePlayoutFormat;
        _output = request.Output;
        Record.Attaches.Enqueue((Epoch, request.Reason));
        await UnlessUnreachableAsync();
        if (Epoch > CallGrainKeys.FirstEpoch)
        {
            // A restore: no greeting again.
            return new CallAttached(CallAttachOutcome.Restored, Epoch, "fake", _format) { Attachment = 1 };
        }

        Record.Started.TrySetResult(request.Start);
        var greeting = Enumerable.Repeat(GreetingByte, _format.BytesFor(GreetingDuration)).ToArray();
        await PublishAsync(new AgentAudioChunk(_sequence++, GreetingUtterance, greeting, DateTime.UtcNow));
        await PublishAsync(new AgentUtteranceDone(_sequence++, GreetingUtterance));
        return new CallAttached(CallAttachOutcome.Started, CallGrainKeys.FirstEpoch, "fake", _format) { Attachment = 1 };
    }

    public Task StopAnsweringAsync()
    {
        _liveness = CallLiveness.NotCarried;
        return Task.CompletedTask;
    }

    public Task EndWithoutEventAsync()
    {
        _liveness = CallLiveness.Ended;
        return Task.CompletedTask;
    }

    public Task DetachAsync(int attachment)
    {
        Record.HungUp.TrySetResult(CallEndReason.Shutdown);
        return Task.CompletedTask;
    }

    public async Task<CallLiveness> PingAsync(int attachment)
    {
        await UnlessUnreachableAsync();
        return _liveness;
    }

    /// <summary>Never completes for an unreachable epoch: the caller's request gets no answer, as when it was lost.</summary>
    private Task UnlessUnreachableAsync() =>
        Record.UnreachableEpochs.ContainsKey(Epoch) ? Task.Delay(Timeout.Infinite) : Task.CompletedTask;

    public async Task PushCallerAudioAsync(CallerAudio audio)
    {
        Record.AudioSequences.Enqueue(audio.Sequence);
        Record.AudioByEpoch.Enqueue((Epoch, audio.Sequence, audio.Audio.ToArray()));
        Record.Audio.Enqueue((audio.Sequence, audio.Audio.ToArray(), System.Diagnostics.Stopwatch.GetTimestamp()));

        // Digital silence is not echoed (as a VAD would not), so load runs can stream inbound frames.
        if (_output is not null && audio.Audio.Span.IndexOfAnyExcept((byte)0) >= 0)
        {
            await PublishAsync(new AgentAudioChunk(_sequence++, EchoUtterance, audio.Audio, DateTime.UtcNow));
        }
    }

    public Task SendDtmfAsync(char digit)
    {
        Record.Dtmf.Writer.TryWrite(digit);
        return Task.CompletedTask;
    }

    public Task ReportPlayoutAsync(PlayoutReport report)
    {
        Record.Reports.Writer.TryWrite(report);
        return Task.CompletedTask;
    }

    public Task<bool> EndAsync(CallDisposition disposition) => throw new NotSupportedException("the gateway never ends a call with a disposition");

    /// <inheritdoc/>
    public Task HangupAsync(CallEndReason reason, int attachment = 0)
    {
        Record.HungUp.TrySetResult(reason);
        return Task.CompletedTask;
    }

    public Task<CallSnapshot> GetSnapshotAsync() => throw new NotSupportedException("not used by the gateway");

    public Task PublishAudioAsync(int utteranceId, byte[] audio) => PublishAsync(new AgentAudioChunk(_sequence++, utteranceId, audio, DateTime.UtcNow));

    public Task PublishUtteranceDoneAsync(int utteranceId) => PublishAsync(new AgentUtteranceDone(_sequence++, utteranceId));

    public Task PublishFlushAsync(int utteranceId) => PublishAsync(new FlushPlayout(_sequence++, utteranceId));

    public Task PublishEndingAsync(CallEndReason reason, bool drain) => PublishAsync(new CallEnding(_sequence++, reason, drain));

    private Task PublishAsync(AgentStreamEvent item) =>
        (_output ?? throw new InvalidOperationException("call not started")).OnAgentEventAsync(item with { Epoch = Epoch });
}

/// <summary>TEST-ONLY locator: every call is new (the gateway starts it at the first epoch).</summary>
public sealed class FakeCallLocatorGrain : Grain, ICallLocatorGrain
{
    public Task<CallLocation?> LocateAsync(Guid callId) => Task.FromResult<CallLocation?>(null);

    public Task<CallSnapshot?> ReadSnapshotAsync(Guid callId) => Task.FromResult<CallSnapshot?>(null);
}
