using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Tests.Recording;
using AiAgent.Grains.Tools;
using AiAgent.Silo.Hosting;
using AiAgent.Tests.Support;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests;

/// <summary>
/// A call the agent asks to end (<c>hangup_call</c>) or hand over (<c>transfer_call</c>) ends only once the farewell has
/// played out at the gateway, by its playout report: not when the provider finished sending it, which is seconds
/// earlier for a long goodbye (the caller would lose its end), and not never, when no farewell comes or it never ends.
/// </summary>
public sealed class FarewellEndCallTests : IAsyncLifetime
{
    private const string Yaml = """
        default_provider: recording
        barge_in:
          enabled: true
          greeting_protection_ms: 0
          echo_guard_ms: 0
        """;

    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await RecordingCluster.DeployAsync(Yaml);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private RecordingProvider Provider => RecordingCluster.ProviderOf(_cluster);

    [Fact]
    public async Task A_hangup_waits_for_the_farewell_that_follows_the_tool_result_to_play_out()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        var session = Provider.SessionOf(call.CallId);

        session.Emit(new CallActionRequested(new HangupAction()));
        session.Speak(utteranceId: 7, milliseconds: 1200);
        var (farewell, _) = await call.NextUtteranceAsync(); // the provider has sent all of it
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(farewell, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.Zero));

        // Sent in full and playing, not played out: the call goes on.
        Assert.Equal(CallLiveness.Live, await call.Grain.PingAsync(call.Started.Attachment));

        await call.Grain.ReportPlayoutAsync(new PlayoutReport(farewell, PlayoutEvent.Completed, 1200, DateTime.UtcNow, TimeSpan.Zero));
        var ending = await call.NextAsync<CallEnding>();
        Assert.Equal(CallEndReason.AgentHangup, ending.Reason);
        Assert.True(ending.DrainPlayout);
        var record = await call.WaitForSnapshotAsync(s => s.State == CallState.Ended);
        Assert.Equal(CallDisposition.Hangup, record.Disposition);
    }

    [Fact]
    public async Task A_transfer_ends_with_its_destination_once_the_handoff_sentence_played()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        var session = Provider.SessionOf(call.CallId);

        // The model said the sentence and called the tool in one response: what is playing at the request is the farewell.
        session.Speak(utteranceId: 3, milliseconds: 800);
        var (sentence, _) = await call.NextUtteranceAsync();
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(sentence, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.Zero));
        session.Emit(new CallActionRequested(new TransferAction("sales")));
        session.Emit(new ToolCallFinished(new ToolCallEntry(DateTime.UtcNow, "transfer_call", "{}", "{}", ToolCallOutcome.Ok, 0.1)));
        await call.WaitForSnapshotAsync(s => s.ToolCalls.Count == 1); // events are taken in order: the request was too
        Assert.Equal(CallLiveness.Live, await call.Grain.PingAsync(call.Started.Attachment));

        await call.Grain.ReportPlayoutAsync(new PlayoutReport(sentence, PlayoutEvent.Completed, 800, DateTime.UtcNow, TimeSpan.Zero));
        await call.NextAsync<CallEnding>();
        var record = await call.WaitForSnapshotAsync(s => s.State == CallState.Ended);
        Assert.Equal(CallDisposition.TransferTo("sales"), record.Disposition);
        Assert.Equal("transfer:sales", record.Disposition!.ToString());
    }

    [Fact]
    public async Task Barge_in_on_the_farewell_flushes_it_and_the_call_still_ends()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        var session = Provider.SessionOf(call.CallId);
        session.Speak(utteranceId: 1, milliseconds: 200); // the greeting, heard in full
        var (greeting, _) = await call.NextUtteranceAsync();
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(greeting, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.Zero));
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(greeting, PlayoutEvent.Completed, 200, DateTime.UtcNow, TimeSpan.Zero));

        session.Emit(new CallActionRequested(new HangupAction()));
        session.Speak(utteranceId: 2, milliseconds: 3000);
        var (farewell, _) = await call.NextUtteranceAsync();
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(farewell, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.Zero));
        session.Emit(new UserSpeechStarted());

        var skipped = new List<AgentStreamEvent>();
        var ending = await call.NextAsync<CallEnding>(skipped);
        Assert.Contains(skipped, e => e is FlushPlayout flush && flush.UtteranceId == farewell);
        Assert.Equal(CallEndReason.AgentHangup, ending.Reason);
    }

    [Fact]
    public async Task With_no_farewell_the_call_ends_after_the_farewell_wait()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        var session = Provider.SessionOf(call.CallId);
        var requested = DateTime.UtcNow;

        session.Emit(new CallActionRequested(new HangupAction()));
        await call.NextAsync<CallEnding>();

        var waited = DateTime.UtcNow - requested;
        Assert.InRange(waited, TimeSpan.FromSeconds(3.9), TimeSpan.FromSeconds(4) + CallProbe.Timeout);
        var record = await call.WaitForSnapshotAsync(s => s.State == CallState.Ended);
        Assert.Equal(CallDisposition.Hangup, record.Disposition);
    }

    [Fact]
    public async Task A_tool_call_lands_in_the_record_and_the_transcript()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        var session = Provider.SessionOf(call.CallId);

        session.Emit(new ToolCallFinished(new ToolCallEntry(DateTime.UtcNow, "lookup_order", """{"order_id":"A1"}""", """{"status":"shipped"}""", ToolCallOutcome.Ok, 12.5)));

        var snapshot = await call.WaitForSnapshotAsync(s => s.ToolCalls.Count == 1);
        Assert.Equal("lookup_order", snapshot.ToolCalls[0].Name);
        Assert.Equal(ToolCallOutcome.Ok, snapshot.ToolCalls[0].Outcome);
        Assert.Contains(snapshot.Transcript, line => line.Role == "tool" && line.Text == "lookup_order: Ok");
    }
}
