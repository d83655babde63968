using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Tests.Recording;
using AiAgent.Silo.Hosting;
using AiAgent.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests;

/// <summary>
/// When the agent ends a call, the call is over for everyone at once, not only after its provider session has closed
/// (a real provider's close can take seconds): the activation answers pings with <see cref="CallLiveness.Ended"/>, the
/// record says Ended (the disposition endpoint and a redial read it), and a restore at the next epoch finds the call
/// ended instead of carrying it on. Once it read "reconnect" there, and the dialplan looped three times into a call
/// that was over.
/// </summary>
public sealed class AgentHangupRecordTests : IAsyncLifetime
{
    private const string Yaml = """
        default_provider: recording
        """;

    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await RecordingCluster.DeployAsync(Yaml);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private RecordingProvider Provider => RecordingCluster.ProviderOf(_cluster);

    [Fact]
    public async Task The_call_reads_ended_everywhere_while_its_provider_session_is_still_closing()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        var session = Provider.SessionOf(call.CallId);
        session.HoldStop = true;

        session.HangUp();
        await session.StopStarted.Task.WaitAsync(Waits.Long);

        Assert.Equal(CallLiveness.Ended, await call.Grain.PingAsync(call.Started.Attachment));
        var locator = _cluster.Client.GetCallLocator();
        await Waits.UntilAsync(
            async () => (await locator.ReadSnapshotAsync(call.CallId))?.State == CallState.Ended, Waits.Long, "the record to say Ended");
        var recorded = await locator.ReadSnapshotAsync(call.CallId);
        Assert.Equal(CallEndReason.AgentHangup, recorded!.EndReason);
        Assert.Equal(CallDisposition.Hangup, recorded.Disposition);
        Assert.False(session.StopFinished.Task.IsCompleted, "the record said Ended only once the provider session had closed");

        // A gateway that took the ended activation for a lost one and restores the call finds it over.
        await using var restore = await CallProbe.AttachAsync(_cluster.Client, call.CallId, 2, call.Request, CallAttachReason.SiloLost);
        Assert.Equal(CallAttachOutcome.Ended, restore.Started.Outcome);
        Assert.Equal(CallLiveness.Ended, await restore.Grain.PingAsync(0));

        session.StopRelease.SetResult();
        await session.StopFinished.Task.WaitAsync(Waits.Long);
        Assert.Equal(CallState.Ended, (await _cluster.Client.ReadCallSnapshotAsync(call.CallId))!.State);
    }
}
