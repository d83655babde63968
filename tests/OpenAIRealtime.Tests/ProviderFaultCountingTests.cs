using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>Evidence for the lead (issue 13): a platform behaviour the provider-fault run shows as a FAIL.</summary>
public sealed class ProviderFaultCountingTests
{
    /// <summary>
    /// Issue 13 asks that every provider fault be counted. A 429 refused upgrade that the retry then gets past is
    /// reported nowhere but the logs: RealtimeTransportObserver.OnFault drops a failed attempt (epoch 0) unless the
    /// session ends, so ai_agent_provider_errors_total{kind="RateLimited"} never moves. FAILS on main (evidence).
    /// </summary>
    [Fact]
    public async Task A_429_at_the_upgrade_that_the_retry_gets_past_is_still_reported_as_a_rate_limit()
    {
        await using var h = await Harness.StartAsync(e => ProviderUpgradeFaultTests.FirstUpgradeOnly(e, UpgradeFaultKind.RateLimited));
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudioDone>();
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();

        Assert.Equal(1, h.Emulator.FaultCounts.RateLimited);
        var error = Assert.Single(events.Seen.OfType<ProviderError>());
        Assert.Equal((ProviderErrorKind.RateLimited, false), (error.Kind, error.Fatal));
    }
}
