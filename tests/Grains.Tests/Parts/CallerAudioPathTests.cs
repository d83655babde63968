using AiAgent.Grains.Audio;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;

namespace AiAgent.Grains.Tests.Parts;

public sealed class CallerAudioPathTests : IDisposable
{
    private readonly CallPartsHarness _h = new();

    public void Dispose() => _h.Dispose();

    private (CallerAudioPath Path, FakeAgentSession Session) Path(AudioFormat call, AudioFormat providerInput)
    {
        var session = new FakeAgentSession(new ProviderAudioFormats(providerInput, AudioFormat.Slin8));
        return (new CallerAudioPath(AudioConverter.Create(call, providerInput), session, _h.Call), session);
    }

    private static CallerAudio Frame(long sequence, byte fill, int bytes = 320) => new(sequence, Enumerable.Repeat(fill, bytes).ToArray());

    [Fact]
    public async Task Frames_reach_the_provider_in_sequence_order()
    {
        var (path, session) = Path(AudioFormat.Slin8, AudioFormat.Slin8);

        foreach (var sequence in new long[] { 0, 2, 1, 3, 3 })
        {
            await path.PushAsync(Frame(sequence, (byte)(sequence + 1)), CancellationToken.None);
        }

        Assert.Equal([1, 2, 3, 4], session.SentAudio.Select(a => (int)a[0]));
        Assert.Equal(4, path.Frames.Delivered);
        Assert.Equal(1, path.Frames.Duplicates);
    }

    [Fact]
    public async Task Frames_are_converted_to_the_provider_input_format()
    {
        var (path, session) = Path(AudioFormat.Mulaw8, AudioFormat.Slin16);
        var silence = new byte[160];
        Array.Fill(silence, MuLaw.Encode(0));

        await path.PushAsync(new CallerAudio(0, silence), CancellationToken.None);
        await path.PushAsync(new CallerAudio(1, silence), CancellationToken.None);

        Assert.Equal(2, session.SentAudio.Count);
        Assert.All(session.SentAudio, a => Assert.InRange(a.Length, 600, 640)); // 20 ms of slin16 (less the resampler's delay at first)
        Assert.Equal(640, session.SentAudio[1].Length);
    }

    [Fact]
    public async Task A_provider_that_fails_is_logged_and_the_next_frame_still_goes()
    {
        var (path, session) = Path(AudioFormat.Slin8, AudioFormat.Slin8);
        session.Failure = new InvalidOperationException("queue full");

        await path.PushAsync(Frame(0, 1), CancellationToken.None);
        session.Failure = null;
        await path.PushAsync(Frame(1, 2), CancellationToken.None);

        Assert.Equal([2], session.SentAudio.Select(a => (int)a[0]));
        Assert.Equal([2012], _h.EventIds());
    }

    [Fact]
    public async Task The_time_of_the_last_audio_is_kept_for_the_watchdog()
    {
        var (path, _) = Path(AudioFormat.Slin8, AudioFormat.Slin8);
        var started = _h.Now;
        Assert.Equal(started, path.LastAudioUtc);

        _h.Time.Advance(TimeSpan.FromSeconds(30));
        await path.PushAsync(Frame(0, 1), CancellationToken.None);

        Assert.Equal(started.AddSeconds(30), path.LastAudioUtc);
    }

    [Fact]
    public async Task A_missing_frame_is_declared_lost_on_the_fake_clock()
    {
        var (path, session) = Path(AudioFormat.Slin8, AudioFormat.Slin8);
        await path.PushAsync(Frame(0, 1), CancellationToken.None);
        await path.PushAsync(Frame(2, 3), CancellationToken.None); // 1 is missing: 2 waits for it

        Assert.Single(session.SentAudio);
        _h.Time.Advance(TimeSpan.FromMilliseconds(100));
        await path.PushAsync(Frame(3, 4), CancellationToken.None);

        Assert.Equal([1, 3, 4], session.SentAudio.Select(a => (int)a[0]));
        Assert.Equal(1, path.Frames.Lost);
    }

    [Fact]
    public async Task Counters_reach_the_metrics_as_the_change_since_the_last_report()
    {
        using var frames = _h.Collect<long>("ai_agent_caller_frames");
        using var late = _h.Collect<long>("ai_agent_caller_frames_out_of_order");
        var (path, _) = Path(AudioFormat.Slin8, AudioFormat.Slin8);
        await path.PushAsync(Frame(0, 1), CancellationToken.None);
        await path.PushAsync(Frame(0, 1), CancellationToken.None);

        path.ReportCounters();
        await path.PushAsync(Frame(1, 2), CancellationToken.None);
        path.ReportCounters();

        Assert.Equal([1L, 1], frames.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal([1L], late.GetMeasurementSnapshot().Select(m => m.Value));
    }
}
