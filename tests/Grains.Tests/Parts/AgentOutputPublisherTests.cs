using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Tests.Support;

namespace AiAgent.Grains.Tests.Parts;

public sealed class AgentOutputPublisherTests : IDisposable
{
    private readonly CallPartsHarness _h = new();
    private readonly RecordingOutput _stream = new();

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Events_are_published_in_queue_order_with_consecutive_sequence_numbers()
    {
        _stream.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publisher = new AgentOutputPublisher(_stream, 1, _h.Call);

        publisher.AudioChunk(1, new byte[320], _h.Now);
        publisher.AudioChunk(1, new byte[640], _h.Now);
        publisher.UtteranceDone(1);
        publisher.Flush(2);
        publisher.CallEnding(CallEndReason.AgentHangup, drainPlayout: true);
        publisher.Complete();
        _stream.Gate.SetResult();
        await publisher.DrainAsync(Waits.Long);

        Assert.Collection(_stream.Events,
            e => Assert.Equal(320, Assert.IsType<AgentAudioChunk>(e).Audio.Length),
            e => Assert.Equal(640, Assert.IsType<AgentAudioChunk>(e).Audio.Length),
            e => Assert.Equal(1, Assert.IsType<AgentUtteranceDone>(e).UtteranceId),
            e => Assert.Equal(2, Assert.IsType<FlushPlayout>(e).UtteranceId),
            e => Assert.True(Assert.IsType<CallEnding>(e).DrainPlayout));
        Assert.Equal([1L, 2, 3, 4, 5], _stream.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task An_event_that_cannot_be_published_is_retried_then_logged_and_the_rest_still_go()
    {
        _stream.Fails = e => e.Sequence == 2;
        var publisher = new AgentOutputPublisher(_stream, 1, _h.Call);

        publisher.UtteranceDone(1);
        publisher.UtteranceDone(2);
        publisher.UtteranceDone(3);
        publisher.Complete();
        await DrainAdvancingTimeAsync(publisher);

        Assert.Equal([1L, 3], _stream.Events.Select(e => e.Sequence));
        Assert.Equal(5, _stream.Attempts[2]); // the first try and four retries (50 + 100 + 200 + 400 ms)
        var failure = Assert.Single(_h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 2036);
        Assert.Equal("2", failure.GetStructuredStateValue("Sequence"));
    }

    [Fact]
    public async Task A_send_that_fails_for_a_moment_is_retried_and_arrives_in_order()
    {
        var failuresLeft = 2;
        _stream.Fails = e => e.Sequence == 2 && failuresLeft-- > 0;
        var publisher = new AgentOutputPublisher(_stream, 1, _h.Call);

        publisher.AudioChunk(1, new byte[320], _h.Now);
        publisher.AudioChunk(1, new byte[320], _h.Now);
        publisher.UtteranceDone(1);
        publisher.Complete();
        await DrainAdvancingTimeAsync(publisher);

        Assert.Equal([1L, 2, 3], _stream.Events.Select(e => e.Sequence));
        Assert.Equal(3, _stream.Attempts[2]);
        Assert.DoesNotContain(_h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 2036);
    }

    [Fact]
    public async Task Once_an_event_is_given_up_the_next_ones_get_one_attempt_until_one_gets_through()
    {
        var down = true;
        _stream.Fails = _ => down;
        var publisher = new AgentOutputPublisher(_stream, 1, _h.Call);

        publisher.UtteranceDone(1);
        publisher.UtteranceDone(2);
        publisher.UtteranceDone(3);
        await Waits.UntilAsync(() => AdvanceUntil(() => _stream.Attempts.GetValueOrDefault(3) == 1), what: "event 3 tried");
        down = false;
        publisher.UtteranceDone(4);
        publisher.Complete();
        await DrainAdvancingTimeAsync(publisher);

        Assert.Equal([5, 1, 1], new[] { 1L, 2, 3 }.Select(s => _stream.Attempts[s]));
        Assert.Equal([4L], _stream.Events.Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_retry_goes_to_the_connection_that_took_the_call_meanwhile()
    {
        var moved = new RecordingOutput();
        AgentOutputPublisher publisher = null!;
        _stream.Fails = _ =>
        {
            publisher.Retarget(moved); // the dialplan connected again through another gateway
            return true;
        };
        publisher = new AgentOutputPublisher(_stream, 1, _h.Call);

        publisher.UtteranceDone(1);
        publisher.Complete();
        await DrainAdvancingTimeAsync(publisher);

        Assert.Empty(_stream.Events);
        Assert.Equal([1L], moved.Events.Select(e => e.Sequence));
    }

    /// <summary>Drains, moving the fake clock on so the publisher's retry delays pass.</summary>
    private async Task DrainAdvancingTimeAsync(AgentOutputPublisher publisher)
    {
        var drain = publisher.DrainAsync(Waits.Long);
        await Waits.UntilAsync(() => AdvanceUntil(() => drain.IsCompleted), what: "the publisher drained");
        await drain;
    }

    private bool AdvanceUntil(Func<bool> done)
    {
        if (done())
        {
            return true;
        }

        _h.Time.Advance(TimeSpan.FromMilliseconds(50));
        return done();
    }

    [Fact]
    public async Task Draining_gives_up_after_its_timeout_when_the_stream_hangs()
    {
        _stream.Gate = new TaskCompletionSource(); // never opens
        var publisher = new AgentOutputPublisher(_stream, 1, _h.Call);
        publisher.UtteranceDone(1);
        publisher.Complete();

        var drain = publisher.DrainAsync(TimeSpan.FromSeconds(5));
        Assert.False(drain.IsCompleted);
        _h.Time.Advance(TimeSpan.FromSeconds(5));
        await drain.WaitAsync(Waits.Long);

        Assert.Empty(_stream.Events);
    }

    [Fact]
    public async Task Every_event_carries_the_activation_epoch()
    {
        var publisher = new AgentOutputPublisher(_stream, 4, _h.Call);

        publisher.AudioChunk(1, new byte[320], _h.Now);
        publisher.Handover(5);
        publisher.Complete();
        await publisher.DrainAsync(Waits.Long);

        Assert.All(_stream.Events, e => Assert.Equal(4, e.Epoch));
        Assert.Equal(5, Assert.IsType<CallHandover>(_stream.Events[^1]).NextEpoch);
    }

    [Fact]
    public async Task A_refusal_stops_sending_and_is_reported_once()
    {
        var publisher = new AgentOutputPublisher(_stream, 1, _h.Call);
        var refused = 0;
        publisher.Refused += () => refused++;
        _stream.Refuse = true;

        publisher.UtteranceDone(1);
        publisher.UtteranceDone(2);
        publisher.Complete();
        await publisher.DrainAsync(Waits.Long);

        Assert.Equal(1, refused);
        Assert.Contains(_h.Logger.Collector.GetSnapshot(), r => r.Id.Id == 2037);
    }

    [Fact]
    public async Task Events_queued_after_a_retarget_go_to_the_new_gateway()
    {
        var other = new RecordingOutput();
        var publisher = new AgentOutputPublisher(_stream, 1, _h.Call);
        publisher.UtteranceDone(1);
        await WaitsFor(() => _stream.Events.Count == 1);

        publisher.Retarget(other);
        publisher.UtteranceDone(2);
        publisher.Complete();
        await publisher.DrainAsync(Waits.Long);

        Assert.Equal([1L], _stream.Events.Select(e => e.Sequence));
        Assert.Equal([2L], other.Events.Select(e => e.Sequence));
    }

    private static Task WaitsFor(Func<bool> condition) => Waits.UntilAsync(condition, Waits.Long, "the event");
}
