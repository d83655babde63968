using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>What the provider does with the emulator's per-upgrade faults (tools/provider-faults: issue 13).</summary>
public sealed class ProviderUpgradeFaultTests
{
    [Fact]
    public async Task A_429_at_the_first_upgrade_is_retried_with_the_backoff_counted_as_a_non_fatal_rate_limit_and_the_call_starts()
    {
        await using var h = await Harness.StartAsync(e => FirstUpgradeOnly(e, UpgradeFaultKind.RateLimited));
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);

        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudioDone>(); // the greeting, over the second upgrade

        Assert.Equal(2, h.Emulator.Connections.Count);
        Assert.Equal(1, h.Emulator.FaultCounts.RateLimited);
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        Assert.False(Assert.Single(events.Seen.OfType<SessionEnded>()).HangUp);
        Assert.DoesNotContain(events.Seen.OfType<ProviderError>(), e => e.Fatal);
        // Counted even though the retry got past it.
        var error = Assert.Single(events.Seen.OfType<ProviderError>());
        Assert.Equal((ProviderErrorKind.RateLimited, "connect_failed", false), (error.Kind, error.Code, error.Fatal));
    }

    [Fact]
    public async Task A_401_fault_at_the_first_upgrade_is_fatal_and_a_clean_hang_up()
    {
        await using var h = await Harness.StartAsync(e => FirstUpgradeOnly(e, UpgradeFaultKind.Unauthorized));
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);

        await Assert.ThrowsAsync<AiAgent.Grains.Providers.OpenAIRealtime.OpenAIRealtimeException>(() => session.StartAsync(CancellationToken.None));
        await events.DrainAsync();
        var error = Assert.Single(events.Seen.OfType<ProviderError>());
        Assert.Equal((ProviderErrorKind.Authentication, true), (error.Kind, error.Fatal));
        Assert.True(Assert.Single(events.Seen.OfType<SessionEnded>()).HangUp);
        Assert.Single(h.Emulator.Connections); // never retried
    }

    [Fact]
    public async Task A_server_that_stalls_mid_answer_is_noticed_at_the_silence_timeout_and_the_answer_is_asked_again()
    {
        await using var h = await Harness.StartAsync(
            e =>
            {
                FirstUpgradeOnly(e, UpgradeFaultKind.Stall);
                e.StallMs = 60_000; // far past the keep-alive's 15-30 s: only the silence watch can end it in time
            },
            o => o.ServerSilenceTimeoutMs = 1_000);
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);

        var error = await events.NextAsync<ProviderError>();
        Assert.Equal((ProviderErrorKind.Disconnected, "SERVER_SILENT", false), (error.Kind, error.Code, error.Fatal));
        await events.NextAsync<ProviderReconnected>();
        await events.NextAsync<AgentAudioDone>(); // the greeting, asked again over the second connection

        Assert.Equal(1, h.Emulator.FaultCounts.Stall);
        Assert.Equal(2, h.Emulator.Connections.Count);
        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        Assert.DoesNotContain(events.Seen.OfType<ProviderError>(), e => e.Fatal);
    }

    /// <summary>Ratio 0.5 with a seed whose first draw is a fault and whose second is none: only the first upgrade is faulted.</summary>
    internal static void FirstUpgradeOnly(OpenAIRealtimeEmulatorOptions options, UpgradeFaultKind kind)
    {
        // Replays UpgradeFaultInjector's draw: NextDouble() < ratio, then Next(mix) picks the kind.
        options.FaultSeed = Enumerable.Range(0, 10_000).First(static seed =>
        {
            var random = new Random(seed);
            return random.NextDouble() < 0.5 && random.Next(1) == 0 && random.NextDouble() >= 0.5;
        });
        options.FaultRatio = 0.5;
        options.FaultMix = [kind];
    }
}
