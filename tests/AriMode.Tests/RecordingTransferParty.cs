using System.Collections.Concurrent;
using AiAgent.Grains.Interfaces.Asterisk;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.AriMode.Tests;

/// <summary>The test-only call side of a warm transfer, with its own interface so the silo resolves it unambiguously.</summary>
public interface IRecordingTransferParty : ICallTransferParty;

/// <summary>What one warm transfer's call side was told, observable from the test without polling.</summary>
public sealed class TransferPartyRecord
{
    private int _answered;
    private int _ended;

    /// <summary>Completed at the first <see cref="ICallTransferParty.WarmTransferAnsweredAsync"/>.</summary>
    public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed with the first <see cref="ICallTransferParty.WarmTransferEndedAsync"/> outcome.</summary>
    public TaskCompletionSource<WarmTransferOutcome> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How many times the answer was told.</summary>
    public int AnsweredCount => Volatile.Read(ref _answered);

    /// <summary>How many times an outcome was told.</summary>
    public int EndedCount => Volatile.Read(ref _ended);

    /// <summary>On <see cref="WarmTransferOutcome.Accepted"/>, end the real call with <c>transfer:NAME</c> as the CallGrain does.</summary>
    public string? EndCallWithTransferTo { get; set; }

    internal void CountAnswered() => Interlocked.Increment(ref _answered);

    internal void CountEnded() => Interlocked.Increment(ref _ended);
}

/// <summary>
/// TEST-ONLY <see cref="ICallTransferParty"/> (key: the call id, extension "recording"): records what the ARI call grain
/// tells it and, on Accepted, ends the real call with <c>transfer:NAME</c> as the CallGrain's own implementation does
/// (the CallGrain only acts on a transfer it asked for itself, which the lead's tool path will do).
/// </summary>
public sealed class RecordingTransferParty : Grain, IRecordingTransferParty
{
    private static readonly ConcurrentDictionary<Guid, TransferPartyRecord> Records = new();

    /// <summary>The record of <paramref name="callId"/>'s party (created on first use).</summary>
    public static TransferPartyRecord RecordOf(Guid callId) => Records.GetOrAdd(callId, _ => new TransferPartyRecord());

    /// <summary>The party of <paramref name="callId"/>.</summary>
    public static IRecordingTransferParty For(IGrainFactory grains, Guid callId) => grains.GetGrain<IRecordingTransferParty>(callId, "recording", null);

    private TransferPartyRecord Record => RecordOf(this.GetPrimaryKey(out _));

    /// <inheritdoc/>
    public Task WarmTransferAnsweredAsync()
    {
        Record.CountAnswered();
        Record.Answered.TrySetResult();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task WarmTransferEndedAsync(WarmTransferOutcome outcome)
    {
        Record.CountEnded();
        if (outcome == WarmTransferOutcome.Accepted && Record.EndCallWithTransferTo is { } destination)
        {
            await GrainFactory.GetCallGrain(this.GetPrimaryKey(out _), CallGrainKeys.FirstEpoch).EndAsync(CallDisposition.TransferTo(destination));
        }

        Record.Ended.TrySetResult(outcome);
    }
}
