using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Tests.Support;

namespace AiAgent.Grains.Tests.Parts;

public sealed class CallRecorderTests : IDisposable
{
    private readonly CallPartsHarness _h = new();
    private readonly FakePersistentState<CallRecord> _state = new(new CallRecord()) { Copy = r => new CallRecord { Snapshot = r.Snapshot } };

    public void Dispose() => _h.Dispose();

    private CallRecorder Recorder() => new(_state, _h.Time, _h.Logger, _h.CallId);

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
        _state.State.Snapshot = Snapshot(CallState.Active, [new TranscriptLine(_h.Now, "caller", "my order"), new TranscriptLine(_h.Now, "agent", "which one?")]);
        var state = new FakePersistentState<CallRecord>(_state.State, recordExists: true);

        var recorder = new CallRecorder(state, _h.Time, _h.Logger, _h.CallId);
        recorder.CallerSaid("the blue one");

        Assert.Equal(["my order", "which one?", "the blue one"], recorder.Transcript.Select(l => l.Text));
        Assert.Equal(CallState.Active, recorder.Saved?.State);
    }

    [Fact]
    public void An_ended_call_is_not_continued()
    {
        _state.State.Snapshot = Snapshot(CallState.Ended, [new TranscriptLine(_h.Now, "caller", "bye")]);
        var recorder = new CallRecorder(new FakePersistentState<CallRecord>(_state.State, recordExists: true), _h.Time, _h.Logger, _h.CallId);

        Assert.Empty(recorder.Transcript);
        Assert.Equal(CallState.Ended, recorder.Saved?.State);
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
