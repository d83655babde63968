using AiAgent.Grains.Calls;
using AiAgent.Grains.Providers;

namespace AiAgent.Grains.Tests.Parts;

public sealed class ProviderEventTelemetryTests : IDisposable
{
    private readonly CallPartsHarness _h = new();
    private readonly ProviderEventTelemetry _telemetry;

    public ProviderEventTelemetryTests() => _telemetry = new ProviderEventTelemetry(_h.Call);

    public void Dispose() => _h.Dispose();

    [Fact]
    public void Errors_and_reconnects_are_counted_logged_and_measured()
    {
        using var errors = _h.Collect<long>("ai_agent_provider_errors");
        using var reconnects = _h.Collect<long>("ai_agent_provider_reconnects");

        _telemetry.Record(new ProviderError(ProviderErrorKind.Disconnected, "1006", "socket lost", Fatal: false));
        _telemetry.Record(new ProviderReconnected(2));

        Assert.Equal(1, _telemetry.Errors);
        Assert.Equal(1, _telemetry.Reconnects);
        Assert.Equal(ProviderErrorKind.Disconnected.ToString(), Assert.Single(errors.GetMeasurementSnapshot()).Tags["kind"]);
        Assert.Single(reconnects.GetMeasurementSnapshot());
        Assert.Equal([2006, 2007], _h.EventIds());
        Assert.Equal("1006", _h.Logger.Collector.GetSnapshot()[0].GetStructuredStateValue("Code"));
        Assert.Equal("2", _h.Logger.Collector.GetSnapshot()[1].GetStructuredStateValue("Attempt"));
    }

    [Fact]
    public void Provider_latency_is_recorded_per_stage_it_reports()
    {
        using var latency = _h.Collect<double>("ai_agent_provider_latency");

        _telemetry.Record(new ProviderLatency(1, TimeSpan.FromMilliseconds(900), TimeSpan.FromMilliseconds(600), null));

        Assert.Equal([("total", 0.9), ("think", 0.6)], latency.GetMeasurementSnapshot().Select(m => ((string)m.Tags["stage"]!, m.Value)));
    }

    [Fact]
    public void Usage_is_recorded_by_token_kind()
    {
        using var tokens = _h.Collect<long>("ai_agent_provider_tokens");
        using var responses = _h.Collect<long>("ai_agent_provider_responses");

        _telemetry.Record(new ProviderUsage(100, 40, 25, "completed"));

        Assert.Equal([("input", 100L), ("cached_input", 40L), ("output", 25L)], tokens.GetMeasurementSnapshot().Select(m => ((string)m.Tags["kind"]!, m.Value)));
        Assert.Equal("completed", Assert.Single(responses.GetMeasurementSnapshot()).Tags["status"]);
    }

    [Fact]
    public void Session_start_and_end_are_logged_with_their_details()
    {
        _telemetry.Record(new SessionStarted("sess_1"));
        _telemetry.Record(new SessionEnded("agent said goodbye", HangUp: true));

        var logs = _h.Logger.Collector.GetSnapshot();
        Assert.Equal([2004, 2005], logs.Select(l => l.Id.Id));
        Assert.Equal("sess_1", logs[0].GetStructuredStateValue("SessionId"));
        Assert.Equal("True", logs[1].GetStructuredStateValue("HangUp"));
    }

    [Fact]
    public void Events_the_call_acts_on_are_not_its_business()
    {
        _telemetry.Record(new UserSpeechStarted());
        _telemetry.Record(new AgentTranscript("secret", IsFinal: true));

        Assert.Empty(_h.EventIds());
        Assert.Equal(0, _telemetry.Errors);
    }
}
