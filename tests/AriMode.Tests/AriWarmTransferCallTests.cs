using AiAgent.Emulators.Ari;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.AriMode.Tests;

/// <summary>
/// Warm transfer as the agent asks for it, with nothing stood in: the OpenAI Realtime emulator as the model calls
/// <c>transfer_call</c> after the caller's first turn, the real call grain waits for the handoff sentence to play, then
/// hands the caller to the ARI call, which holds it on music and dials the human; once the human answers the agent is
/// told to brief them (a system item at the model), and the human's DTMF 1 ends the call as <c>transfer:sales</c>.
/// </summary>
public sealed class AriWarmTransferCallTests : IAsyncLifetime
{
    private const string Key = "sk-ari-warm-0123456789";
    private const string KeyVariable = "AIAGENT_ARIMODE_TEST_OPENAI_KEY";
    private const string Endpoint = "PJSIP/sales-desk";
    private OpenAIRealtimeEmulator _model = null!;
    private AriCluster _ari = null!;

    public async Task InitializeAsync()
    {
        _model = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions
        {
            ApiKey = Key,
            ToolCalls = [new ScriptedToolCall(1, "transfer_call", """{"destination":"sales"}""")],
        });
        Environment.SetEnvironmentVariable(KeyVariable, Key);
        _ari = await AriCluster.StartAsync(silos: 1, realGateways: 1, settings: new Dictionary<string, string?>
        {
            ["default_provider"] = "openai_realtime",
            ["providers:openai_realtime:api_key_env"] = KeyVariable,
            ["providers:openai_realtime:base_url"] = _model.BaseUrl,
            ["transfer:destinations:1:name"] = "sales",
            ["transfer:destinations:1:description"] = "Sales team, for new orders and prices.",
            ["transfer:destinations:1:warm"] = "true",
            ["transfer:destinations:1:endpoint"] = Endpoint,
            ["transfer:destinations:1:ring_timeout_s"] = "10",
            ["transfer:destinations:1:accept_timeout_s"] = "10",
        });
        await Waits.UntilAsync(() => _ari.Emulator.IsRegistered(AriCluster.App), what: "the lease holder's events connection");
    }

    public async Task DisposeAsync()
    {
        await _ari.DisposeAsync();
        await _model.DisposeAsync();
    }

    [Fact]
    public async Task The_agents_transfer_call_holds_the_caller_dials_and_briefs_the_human_and_dtmf_1_hands_the_caller_over()
    {
        _ari.Emulator.ScriptEndpoint(Endpoint, AriEndpointScript.AnswerAfter(TimeSpan.FromMilliseconds(300)));
        var caller = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callId = _ari.CallIdOf(caller);
        var callGrain = _ari.Cluster.Client.GetCallGrain(callId, CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => caller.HeardAudio().Any(b => b != 0), what: "the agent's greeting at the caller");

        caller.Say(MediaSignals.Tone(TimeSpan.FromSeconds(1)));
        caller.Say(new byte[32_000 * 2]); // two seconds of silence end the turn

        await Waits.UntilAsync(() => caller.OnHold && _ari.Emulator.Dialled.Count == 1, what: "the caller on hold music and the human dialled");
        var briefing = await _model.WaitForClientEventAsync(e => e.Type == "conversation.item.create" && e.Json.Contains("\"system\"", StringComparison.Ordinal), Waits.Long);
        using (var item = briefing.Parse())
        {
            Assert.Contains("'sales'", item.RootElement.GetProperty("item").GetProperty("content")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(CallState.Active, (await callGrain.GetSnapshotAsync()).State); // the agent stays on to brief

        var human = Assert.Single(_ari.Emulator.Dialled);
        await human.SendDtmfAsync('1');

        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.State == CallState.Ended, what: "the call ended on the platform");
        var record = await callGrain.GetSnapshotAsync();
        Assert.Equal("transfer:sales", record.Disposition?.ToString());
        Assert.Contains(record.ToolCalls, t => t.Name == "transfer_call" && t.Outcome == ToolCallOutcome.Ok);
        await Waits.UntilAsync(() => !caller.OnHold && _ari.MediaLegsOf(callId).Count == 0, what: "hold music off and the agent's leg gone");
        Assert.Null(caller.ContinuedTo); // handed to the human, not also blind-transferred
        Assert.Empty(caller.DeadAir);

        await human.HangUpAsync();
        await Waits.UntilAsync(() => caller.IsGone && _ari.NothingLeft, what: "the caller hung up after the human, the bridge destroyed");
    }
}
