using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using System.Threading.Channels;

namespace AiAgent.Grains.Tests.Recording;

/// <summary>
/// A provider session a cluster test drives from outside: it speaks when told (<see cref="Speak"/>) and records the
/// playout reports the call grain forwards. The grain calls it on its scheduler while the test reads it from another
/// thread, hence the lock.
/// </summary>
internal sealed class RecordingSession(Guid callId) : IAgentSession
{
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>();
    private readonly List<PlayoutReport> _playoutReports = [];

    public Guid CallId { get; } = callId;

    public string ProviderName => RecordingProvider.ProviderName;

    public ProviderAudioFormats Formats { get; } = new(AudioFormat.Slin8, AudioFormat.Slin8);

    public ChannelReader<ProviderEvent> Events => _events.Reader;

    /// <summary>The reports forwarded so far, in the order the session received them.</summary>
    public IReadOnlyList<PlayoutReport> PlayoutReports
    {
        get
        {
            lock (_playoutReports)
            {
                return [.. _playoutReports];
            }
        }
    }

    /// <summary>Emits one whole agent utterance of <paramref name="milliseconds"/> of tone, then its end.</summary>
    public void Speak(int utteranceId, int milliseconds)
    {
        var samples = Signals.Tone(milliseconds / 1000.0);
        var audio = new byte[samples.Length * sizeof(short)];
        Buffer.BlockCopy(samples, 0, audio, 0, audio.Length);
        _events.Writer.TryWrite(new AgentAudio(audio, Formats.Output, utteranceId));
        _events.Writer.TryWrite(new AgentAudioDone(utteranceId));
    }

    /// <summary>Released by the test: until then <see cref="StopAsync"/> waits, as a provider whose close takes seconds.</summary>
    public TaskCompletionSource StopRelease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the grain starts stopping the session.</summary>
    public TaskCompletionSource StopStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when <see cref="StopAsync"/> returns (released, or given up by the grain's stop timeout).</summary>
    public TaskCompletionSource StopFinished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Holds <see cref="StopAsync"/> until <see cref="StopRelease"/> completes (otherwise it returns at once).</summary>
    public bool HoldStop { get; set; }

    /// <summary>Emits any provider event, as the provider would (a tool's action, the caller's speech).</summary>
    public void Emit(ProviderEvent e) => _events.Writer.TryWrite(e);

    /// <summary>The agent ends the call (its farewell done), as a provider's end-call function would.</summary>
    public void HangUp() => _events.Writer.TryWrite(new SessionEnded("agent hung up", HangUp: true));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _events.Writer.TryWrite(new SessionStarted($"recording-{CallId:N}"));
        return Task.CompletedTask;
    }

    public ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask OnPlayoutReportAsync(PlayoutReport report, CancellationToken cancellationToken)
    {
        lock (_playoutReports)
        {
            _playoutReports.Add(report);
        }

        return ValueTask.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        StopStarted.TrySetResult();
        try
        {
            if (HoldStop)
            {
                await StopRelease.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            _events.Writer.TryComplete();
            StopFinished.TrySetResult();
        }
    }

    public ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
