using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using System.Threading.Channels;
using AiAgent.Grains.Providers;

namespace AiAgent.Grains.Tests.Parts;

/// <summary>An <see cref="IAgentSession"/> that records what the call asks of it.</summary>
internal sealed class FakeAgentSession(ProviderAudioFormats formats) : IAgentSession
{
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>();

    public FakeAgentSession()
        : this(new ProviderAudioFormats(AudioFormat.Slin8, AudioFormat.Slin8))
    {
    }

    public string ProviderName => CallPartsHarness.Provider;

    public ProviderAudioFormats Formats { get; } = formats;

    public ChannelReader<ProviderEvent> Events => _events.Reader;

    /// <summary>Copies of the audio sent, in order.</summary>
    public List<byte[]> SentAudio { get; } = [];

    public List<char> SentDtmf { get; } = [];

    public List<PlayoutReport> PlayoutReports { get; } = [];

    public List<(int UtteranceId, long PlayedMilliseconds)> Interruptions { get; } = [];

    /// <summary>What <see cref="CancelResponseAsync"/> answers (true: an answer was in progress).</summary>
    public bool AnswerInProgress { get; set; }

    public int CancelRequests { get; private set; }

    /// <summary>When set, thrown by every call the grain makes during the call (audio, cancel, playout reports and interruptions).</summary>
    public Exception? Failure { get; set; }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        SentAudio.Add(audio.ToArray());
        return ValueTask.CompletedTask;
    }

    public ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken)
    {
        SentDtmf.Add(digit);
        return ValueTask.CompletedTask;
    }

    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        Interruptions.Add((utteranceId, playedMilliseconds));
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> CancelResponseAsync(CancellationToken cancellationToken)
    {
        CancelRequests++;
        return Failure is not null ? ValueTask.FromException<bool>(Failure) : ValueTask.FromResult(AnswerInProgress);
    }

    public ValueTask OnPlayoutReportAsync(PlayoutReport report, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        PlayoutReports.Add(report);
        return ValueTask.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _events.Writer.TryComplete();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
