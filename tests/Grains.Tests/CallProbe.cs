using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using System.Threading.Channels;

namespace AiAgent.Grains.Tests;

/// <summary>Plays the gateway's part against a real call grain: observes the call's agent output and feeds frames.</summary>
public sealed class CallProbe : IAgentOutput, IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly Channel<AgentStreamEvent> _events = Channel.CreateUnbounded<AgentStreamEvent>();
    private readonly IClusterClient _client;
    private IAgentOutput? _reference;
    private long _sequence;

    private CallProbe(IClusterClient client, Guid callId, int epoch = CallGrainKeys.FirstEpoch)
    {
        _client = client;
        CallId = callId;
        Grain = client.GetCallGrain(callId, epoch);
    }

    /// <summary>Attaches a new probe to <paramref name="callId"/> at <paramref name="epoch"/>, as a gateway restoring the call would.</summary>
    public static async Task<CallProbe> AttachAsync(IClusterClient client, Guid callId, int epoch, CallStartRequest request, CallAttachReason reason)
    {
        var probe = new CallProbe(client, callId, epoch);
        probe._reference = client.CreateObjectReference<IAgentOutput>(probe);
        probe.Request = request;
        probe.Started = await probe.Grain.AttachAsync(new CallAttachRequest(request, probe._reference, reason));
        return probe;
    }

    public Guid CallId { get; }

    public ICallGrain Grain { get; }

    public static async Task<CallProbe> StartAsync(IClusterClient client, AudioFormat? format = null, AudioFormat? playoutFormat = null)
    {
        var probe = new CallProbe(client, Guid.NewGuid());
        probe._reference = client.CreateObjectReference<IAgentOutput>(probe);
        probe.Request = new CallStartRequest(format ?? AudioFormat.Slin8, "test-gateway", "127.0.0.1:1", TimeSpan.FromMilliseconds(20))
        {
            PlayoutFormat = playoutFormat,
        };
        probe.Started = await probe.Grain.AttachAsync(new CallAttachRequest(probe.Request, probe._reference));
        return probe;
    }

    public CallAttached Started { get; private set; } = null!;

    public CallStartRequest Request { get; private set; } = null!;

    /// <summary>This probe's observer reference (what the gateway would pass in an attach).</summary>
    public IAgentOutput Output => _reference ?? throw new InvalidOperationException("not started");

    /// <summary>Sends PCM16 audio as 20 ms frames with consecutive sequence numbers.</summary>
    public async Task SendAsync(short[] samples, int frameSamples = 160, int attachment = 0)
    {
        for (var i = 0; i + frameSamples <= samples.Length; i += frameSamples)
        {
            var bytes = new byte[frameSamples * 2];
            Buffer.BlockCopy(samples, i * 2, bytes, 0, bytes.Length);
            await Grain.PushCallerAudioAsync(new CallerAudio(_sequence++, bytes) { Attachment = attachment });
        }
    }

    /// <summary>Sends frames already in the call's format (e.g. µ-law) with consecutive sequence numbers.</summary>
    public async Task SendFramesAsync(IEnumerable<byte[]> frames)
    {
        foreach (var frame in frames)
        {
            await Grain.PushCallerAudioAsync(new CallerAudio(_sequence++, frame));
        }
    }

    /// <summary>Polls the call's snapshot until <paramref name="condition"/> holds (one-way frames have no completion to await).</summary>
    public async Task<CallSnapshot> WaitForSnapshotAsync(Func<CallSnapshot, bool> condition)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var snapshot = await Grain.GetSnapshotAsync();
            if (condition(snapshot))
            {
                return snapshot;
            }

            await Task.Delay(20, cts.Token);
        }
    }

    /// <summary>Polls the call's counters until <paramref name="condition"/> holds.</summary>
    public async Task<CallCounters> WaitForAsync(Func<CallCounters, bool> condition) =>
        (await WaitForSnapshotAsync(s => condition(s.Counters))).Counters;

    /// <summary>Waits for the next event of type <typeparamref name="T"/>, collecting the ones it skips.</summary>
    public async Task<T> NextAsync<T>(List<AgentStreamEvent>? skipped = null)
        where T : AgentStreamEvent
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (true)
        {
            var e = await _events.Reader.ReadAsync(cts.Token);
            if (e is T match)
            {
                return match;
            }

            skipped?.Add(e);
        }
    }

    /// <summary>Collects the audio of the next whole utterance (chunks until its AgentUtteranceDone).</summary>
    public async Task<(int UtteranceId, List<AgentAudioChunk> Chunks)> NextUtteranceAsync()
    {
        var skipped = new List<AgentStreamEvent>();
        var done = await NextAsync<AgentUtteranceDone>(skipped);
        var chunks = skipped.OfType<AgentAudioChunk>().Where(c => c.UtteranceId == done.UtteranceId).ToList();
        return (done.UtteranceId, chunks);
    }

    public async Task<bool> OnAgentEventAsync(AgentStreamEvent e)
    {
        await _events.Writer.WriteAsync(e);
        return true;
    }

    public ValueTask DisposeAsync()
    {
        if (_reference is not null)
        {
            _client.DeleteObjectReference<IAgentOutput>(_reference);
        }

        return ValueTask.CompletedTask;
    }
}

public static class Signals
{
    public static short[] Tone(double seconds, double hz = 440, int rate = 8000, double amplitude = 8000)
    {
        var samples = new short[(int)(seconds * rate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(amplitude * Math.Sin(2 * Math.PI * hz * i / rate));
        }

        return samples;
    }

    public static short[] Silence(double seconds, int rate = 8000) => new short[(int)(seconds * rate)];

    public static double Rms(ReadOnlySpan<byte> pcm16)
    {
        var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(pcm16);
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return samples.Length == 0 ? 0 : Math.Sqrt(sum / samples.Length);
    }
}
