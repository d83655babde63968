using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Tests.Support;

namespace AiAgent.Grains.Tests.Parts;

public sealed class CallRecorderTests : IDisposable
{
    private readonly CallPartsHarness _h = new();
    private readonly FakeCallStorage _state = new();

    public void Dispose() => _h.Dispose();

    private CallRecorder Recorder(int epoch = 1)
    {
        var store = new CallRecordStore(_state, _h.CallId);
        store.ReadAsync().GetAwaiter().GetResult();
        return new CallRecorder(store, _h.Time, _h.Logger, _h.CallId, epoch);
    }

    private CallSnapshot Snapshot(CallState state, IReadOnlyList<TranscriptLine> transcript) => new(
        _h.CallId, state, CallPartsHarness.Provider, AudioFormat.Slin8, null, null, _h.Now, null, null,
        new CallCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), [], transcript, "gateway");

    [Fact]
    public void The_transcript_grows_with_the_clock_and_keeps_the_newest_lines()
    {
        var recorder = Recorder();

        recorder.CallerSaid("hello");
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        recorder.AgentSaid("hi there");
        recorder.DtmfPressed('5');
        for (var i = 0; i < CallRecorder.TranscriptLimit; i++)
        {
            recorder.CallerSaid($"line {i}");
        }

        Assert.Equal(1, recorder.DtmfDigits);
        Assert.Equal(CallRecorder.TranscriptLimit, recorder.Transcript.Count);
        Assert.Equal($"line {CallRecorder.TranscriptLimit - 1}", recorder.Transcript[^1].Text);
        Assert.DoesNotContain(recorder.Transcript, l => l.Text == "hello");

        var fresh = Recorder();
        fresh.CallerSaid("hello");
        _h.Time.Advance(TimeSpan.FromSeconds(1));
        fresh.DtmfPressed('#');
        Assert.Equal([("caller", "hello"), ("dtmf", "#")], fresh.Transcript.Select(l => (l.Role, l.Text)));
        Assert.Equal(fresh.Transcript[0].AtUtc.AddSeconds(1), fresh.Transcript[1].AtUtc);
    }

    [Fact]
    public void A_call_whose_activation_was_lost_continues_its_saved_transcript()
    {
        _state.Put(new CallRecord { Epoch = 1, Snapshot = Snapshot(CallState.Active, [new TranscriptLine(_h.Now, "caller", "my order"), new TranscriptLine(_h.Now, "agent", "which one?")]) });

        var recorder = Recorder(epoch: 2);
        recorder.ContinueFromRecord();
        recorder.CallerSaid("the blue one");

        Assert.Equal(["my order", "which one?", "the blue one"], recorder.Transcript.Select(l => l.Text));
        Assert.Equal(CallState.Active, recorder.Saved?.State);
    }

    [Fact]
    public void A_new_activation_does_not_continue_a_record_it_was_not_asked_to()
    {
        _state.Put(new CallRecord { Epoch = 1, Snapshot = Snapshot(CallState.Ended, [new TranscriptLine(_h.Now, "caller", "bye")]) });
        var recorder = Recorder();

        Assert.Empty(recorder.Transcript);
        Assert.Equal(CallState.Ended, recorder.Saved?.State);
    }

    [Fact]
    public async Task Claiming_writes_the_epoch_and_a_second_claim_on_a_stale_read_is_fenced()
    {
        var first = Recorder(epoch: 2);
        var second = Recorder(epoch: 3);
        var start = new CallStartRequest(AudioFormat.Slin8, "gw", null, TimeSpan.FromMilliseconds(20));

        Assert.True(await second.ClaimAsync(start, Snapshot(CallState.Active, [])));
        Assert.False(await first.ClaimAsync(start, Snapshot(CallState.Active, [])));

        Assert.Equal(3, _state.Stored?.Epoch);
        Assert.True(first.IsFenced);
        Assert.Equal(3, first.Record?.Epoch); // it re-read: it knows who carries the call
    }

    [Fact]
    public async Task A_write_after_another_activation_took_the_call_is_refused_once_and_nothing_more_is_written()
    {
        var recorder = Recorder(epoch: 1);
        await recorder.ClaimAsync(new CallStartRequest(AudioFormat.Slin8, "gw", null, TimeSpan.FromMilliseconds(20)), Snapshot(CallState.Active, []));
        var fenced = 0;
        recorder.Fenced += () => fenced++;
        _state.Put(new CallRecord { Epoch = 2, Snapshot = Snapshot(CallState.Active, [new TranscriptLine(_h.Now, "agent", "epoch 2")]) });

        await recorder.SaveAsync(Snapshot(CallState.Active, [new TranscriptLine(_h.Now, "agent", "epoch 1 late")]));
        await recorder.SaveAsync(Snapshot(CallState.Ended, []));

        Assert.Equal(1, fenced);
        Assert.True(recorder.IsFenced);
        Assert.Equal(2, _state.Stored?.Epoch);
        Assert.Equal("epoch 2", _state.Stored?.Snapshot?.Transcript[^1].Text);
        Assert.Contains(2030, _h.EventIds());
    }

    [Fact]
    public void Nothing_saved_means_no_record()
    {
        Assert.Null(Recorder().Saved);
    }

    [Fact]
    public async Task Saves_run_in_the_background_one_at_a_time_and_coalesce_to_the_newest()
    {
        var recorder = Recorder();
        _state.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        recorder.Save(Snapshot(CallState.Active, [new TranscriptLine(_h.Now, "agent", "turn 1")]));
        recorder.Save(Snapshot(CallState.Active, [new TranscriptLine(_h.Now, "agent", "turn 2")]));
        recorder.Save(Snapshot(CallState.Active, [new TranscriptLine(_h.Now, "agent", "turn 3")]));
        Assert.Empty(_state.Writes); // Save returned while the first write is still held by storage
        Assert.Equal(1, _state.InFlight);

        var last = recorder.SaveAsync(Snapshot(CallState.Ended, [new TranscriptLine(_h.Now, "agent", "turn 4")]));
        _state.Gate.SetResult();
        await last.WaitAsync(Waits.Long);

        Assert.Equal(["turn 1", "turn 4"], _state.Writes.Select(w => w.Snapshot!.Transcript[^1].Text));
        Assert.Equal(1, _state.MaxInFlight);
        Assert.Equal(CallState.Ended, recorder.Saved?.State);
    }

    [Fact]
    public async Task SaveAsync_returns_once_the_record_is_written()
    {
        var recorder = Recorder();

        await recorder.SaveAsync(Snapshot(CallState.Active, []));

        Assert.Single(_state.Writes);
        Assert.True(_state.RecordExists);
        Assert.Equal(1, _state.Stored?.Epoch);
    }

    [Fact]
    public async Task A_failed_write_is_logged_and_the_next_save_writes_again()
    {
        var recorder = Recorder();
        _state.Failure = new InvalidOperationException("storage down");

        await recorder.SaveAsync(Snapshot(CallState.Active, []));
        _state.Failure = null;
        await recorder.SaveAsync(Snapshot(CallState.Ended, []));

        Assert.Equal([2016], _h.EventIds());
        Assert.Equal(CallState.Ended, Assert.Single(_state.Writes).Snapshot!.State);
    }
}
