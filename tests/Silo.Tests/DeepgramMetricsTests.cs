using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Diagnostics;
using AiAgent.Grains.Tests;
using AiAgent.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiAgent.Silo.Tests;

/// <summary>The Deepgram provider's own meter reaches the silo's <c>/metrics</c> (a call through the Deepgram emulator).</summary>
[Collection(SiloCollection.Name)]
public sealed class DeepgramMetricsTests(SiloHostFixture silo)
{
    [Fact]
    public async Task A_deepgram_call_leaves_a_deepgram_provider_series_in_metrics()
    {
        var options = silo.App.Services.GetRequiredService<IOptionsMonitor<AgentOptions>>();
        var original = await File.ReadAllTextAsync(silo.ConfigPath);
        try
        {
            await File.WriteAllTextAsync(silo.ConfigPath, original.Replace("default_provider: local", "default_provider: deepgram", StringComparison.Ordinal));
            await Waits.UntilAsync(() => options.CurrentValue.DefaultProvider == "deepgram", what: "default_provider switched to deepgram");

            await using var call = await CallProbe.StartAsync(silo.Client);
            Assert.Equal("deepgram", call.Started.Provider);
            var (_, greeting) = await call.NextUtteranceAsync();
            Assert.NotEmpty(greeting);
            await call.Grain.HangupAsync(CallEndReason.CallerHangup);
        }
        finally
        {
            await File.WriteAllTextAsync(silo.ConfigPath, original);
            await Waits.UntilAsync(() => options.CurrentValue.DefaultProvider == "local", what: "default_provider switched back to local");
        }

        var scrape = await PrometheusScrape.ReadUntilAsync(silo.Http, s => s.Has("aiagent_deepgram_sessions_total", ("provider", "deepgram")));
        var series = scrape.Samples.First(s => s.Name == "aiagent_deepgram_sessions_total" && s.Labels.GetValueOrDefault("provider") == "deepgram");
        Assert.NotNull(series.Labels.GetValueOrDefault("outcome"));
        Assert.Equal(TelemetryNames.DeepgramMeter, series.Labels.GetValueOrDefault("otel_scope_name"));
        Assert.True(series.Value >= 1);
    }
}
