using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Webhooks;
using AiAgent.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiAgent.Tools.Tests;

/// <summary>The post-call webhook against a real loopback receiver that checks the signature as docs/webhook.md tells.</summary>
public sealed class WebhookTests : IAsyncLifetime
{
    private const string SecretVariable = "AIAGENT_TOOLS_TESTS_WEBHOOK_SECRET";
    private const string Secret = "whsec-test-key";

    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly CapturingLoggerProvider _logs = new();
    private LoopbackServer _receiver = null!;

    private sealed record Received(DateTime At, string Timestamp, string Signature, string Delivery, string Body);

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(SecretVariable, Secret);
        _receiver = await LoopbackServer.StartAsync(app => app.MapPost("/hooks/calls", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            _received.Writer.TryWrite(new Received(DateTime.UtcNow, context.Request.Headers["X-AiAgent-Timestamp"].ToString(),
                context.Request.Headers["X-AiAgent-Signature"].ToString(), context.Request.Headers["X-AiAgent-Delivery"].ToString(), body));
            if (_script.TryDequeue(out var respond))
            {
                await respond(context);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status204NoContent;
            }
        }));
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private ServiceProvider Services(string extra = "", int timeoutMs = 2000)
    {
        var yaml = $"""
            webhook:
              url: "{_receiver.Url("hooks/calls")}"
              secret_env: {SecretVariable}
              timeout_ms: {timeoutMs}
              max_attempts: 3
              retry_delay_ms: 1
            {extra}
            """;
        return TestConfig.Services(_logs).AddCallWebhook(TestConfig.FromYaml(yaml)).BuildServiceProvider();
    }

    private static async Task<IHostedService> StartAsync(ServiceProvider services)
    {
        var service = Assert.Single(services.GetServices<IHostedService>());
        await service.StartAsync(CancellationToken.None);
        return service;
    }

    private async Task<Received> NextAsync() => await _received.Reader.ReadAsync().AsTask().WaitAsync(Waits.Long);

    private static CallSnapshot EndedCall(Guid? id = null) => new(
        id ?? Guid.NewGuid(),
        CallState.Ended,
        "local",
        AudioFormat.Slin8,
        AudioFormat.Slin8,
        AudioFormat.Slin8,
        new DateTime(2025, 5, 1, 10, 0, 0, DateTimeKind.Utc),
        new DateTime(2025, 5, 1, 10, 1, 30, DateTimeKind.Utc),
        CallEndReason.AgentHangup,
        new CallCounters(4500, 0, 0, 0, 120, 96000, 1, 0, 0, 2),
        [412.5, 388.0],
        [new TranscriptLine(new DateTime(2025, 5, 1, 10, 0, 1, DateTimeKind.Utc), "agent", "Hello, how can I help?")],
        "gw-1",
        CallDisposition.TransferTo("sales"))
    {
        Silo = "silo-a",
        ToolCalls = [new ToolCallEntry(new DateTime(2025, 5, 1, 10, 0, 20, DateTimeKind.Utc), "lookup_order", """{"order_id":"7"}""", "\"shipped\"", ToolCallOutcome.Ok, 84.2)],
    };

    // What a receiver does (docs/webhook.md): HMAC-SHA256 of "<timestamp>.<body>" with the secret, compared in constant time.
    private static bool Verifies(Received received)
    {
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{received.Timestamp}.{received.Body}")));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(received.Signature));
    }

    [Fact]
    public async Task The_receiver_verifies_the_signature_and_gets_the_record()
    {
        await using var services = Services();
        using var deliveries = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "AiAgent.Calls", "ai_agent_webhook_deliveries");
        var service = await StartAsync(services);
        var call = EndedCall();

        services.GetRequiredService<IEndedCallSink>().OnCallEnded(call);
        var received = await NextAsync();

        Assert.True(Verifies(received));
        Assert.Equal(call.CallId.ToString(), received.Delivery);
        Assert.InRange(long.Parse(received.Timestamp), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal("call.ended", body.GetProperty("event").GetString());
        Assert.Equal(call.CallId, body.GetProperty("callId").GetGuid());
        Assert.Equal("transfer:sales", body.GetProperty("disposition").GetString());
        Assert.Equal("AgentHangup", body.GetProperty("endReason").GetString());
        Assert.Equal(90, body.GetProperty("durationSeconds").GetDouble());
        Assert.Equal("Hello, how can I help?", body.GetProperty("transcript")[0].GetProperty("text").GetString());
        Assert.Equal("lookup_order", body.GetProperty("toolCalls")[0].GetProperty("name").GetString());
        Assert.Equal("Ok", body.GetProperty("toolCalls")[0].GetProperty("outcome").GetString());
        Assert.Equal(2, body.GetProperty("turnLatenciesMs").GetArrayLength());
        Assert.Equal(4500, body.GetProperty("counters").GetProperty("framesIn").GetInt64());
        await Waits.UntilAsync(() => deliveries.GetMeasurementSnapshot().Any(m => (string?)m.Tags["outcome"] == "delivered"), what: "delivered counted");
        await service.StopAsync(CancellationToken.None);
        await Waits.UntilAsync(() => _logs.WithEventId(5240).Count == 1, what: "the delivery logged (just after it is counted)");
        Assert.DoesNotContain(Secret, _logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain("Hello, how can I help?", _logs.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_503_is_retried_and_signed_again()
    {
        _script.Enqueue(c => { c.Response.StatusCode = 503; return Task.CompletedTask; });
        await using var services = Services();
        using var attempts = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "AiAgent.Calls", "ai_agent_webhook_attempts");
        var service = await StartAsync(services);

        services.GetRequiredService<IEndedCallSink>().OnCallEnded(EndedCall());
        var first = await NextAsync();
        var second = await NextAsync();

        Assert.True(Verifies(first));
        Assert.True(Verifies(second));
        Assert.Equal(first.Delivery, second.Delivery);
        await Waits.UntilAsync(() => _logs.WithEventId(5240).Count == 1, what: "delivered after the retry");
        Assert.Equal(["5xx", "2xx"], attempts.GetMeasurementSnapshot().Select(m => (string)m.Tags["status"]!));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_400_is_given_up_at_once()
    {
        _script.Enqueue(c => { c.Response.StatusCode = 400; return Task.CompletedTask; });
        await using var services = Services();
        using var deliveries = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "AiAgent.Calls", "ai_agent_webhook_deliveries");
        var service = await StartAsync(services);

        services.GetRequiredService<IEndedCallSink>().OnCallEnded(EndedCall());
        await NextAsync();
        await Waits.UntilAsync(() => deliveries.GetMeasurementSnapshot().Count == 1, what: "an outcome counted");

        Assert.Equal("failed", deliveries.GetMeasurementSnapshot()[0].Tags["outcome"]);
        await Waits.UntilAsync(() => _logs.WithEventId(5241).Count > 0, what: "the failure logged (just after it is counted)");
        Assert.Contains("HTTP 400", Assert.Single(_logs.WithEventId(5241)).Message, StringComparison.Ordinal);
        await service.StopAsync(CancellationToken.None);
        Assert.False(_received.Reader.TryRead(out _)); // no second attempt
    }

    [Fact]
    public async Task A_429_Retry_After_sets_the_delay_before_the_next_attempt()
    {
        _script.Enqueue(c => { c.Response.StatusCode = 429; c.Response.Headers.RetryAfter = "1"; return Task.CompletedTask; });
        await using var services = Services();
        var service = await StartAsync(services);

        services.GetRequiredService<IEndedCallSink>().OnCallEnded(EndedCall());
        var first = await NextAsync();
        var second = await NextAsync();

        // retry_delay_ms is 1: only the header can make the gap about a second.
        Assert.InRange(second.At - first.At, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(10));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_sink_returns_at_once_while_the_receiver_stalls_and_a_full_queue_drops_the_oldest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _script.Enqueue(_ => release.Task);
        await using var services = Services("  queue_capacity: 2", timeoutMs: 20000);
        using var deliveries = new MetricCollector<long>(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "AiAgent.Calls", "ai_agent_webhook_deliveries");
        var service = await StartAsync(services);
        var sink = services.GetRequiredService<IEndedCallSink>();
        sink.OnCallEnded(EndedCall());
        await NextAsync(); // the first record is in flight, the receiver holds it

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            sink.OnCallEnded(EndedCall());
        }

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(8, deliveries.GetMeasurementSnapshot().Count(m => (string?)m.Tags["outcome"] == "dropped"));
        release.SetResult();
        await Waits.UntilAsync(() => deliveries.GetMeasurementSnapshot().Count(m => (string?)m.Tags["outcome"] == "delivered") == 3, what: "the in-flight record and the two kept");
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Stopping_sends_what_is_queued()
    {
        await using var services = Services();
        var service = await StartAsync(services);
        var call = EndedCall();

        services.GetRequiredService<IEndedCallSink>().OnCallEnded(call);
        await service.StopAsync(CancellationToken.None);

        Assert.True(_received.Reader.TryRead(out var received));
        Assert.Equal(call.CallId.ToString(), received.Delivery);
    }

    [Fact]
    public void No_url_adds_nothing_and_invalid_settings_are_named()
    {
        var none = new ServiceCollection().AddCallWebhook(TestConfig.FromYaml("webhook:\n  secret_env: X\n"));
        Assert.DoesNotContain(none, d => d.ServiceType == typeof(IEndedCallSink));

        var yaml = """
            webhook:
              url: "ftp://example.com/x"
              secret_env: AIAGENT_TOOLS_TESTS_UNSET_SECRET
              timeout_ms: 10
              max_attempts: 0
            """;
        using var services = TestConfig.Services(_logs).AddCallWebhook(TestConfig.FromYaml(yaml)).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WebhookOptions>>().Value);

        Assert.Equal(
            [
                "webhook.url: 'ftp://example.com/x' must be an absolute http:// or https:// URL",
                "webhook.secret_env: environment variable AIAGENT_TOOLS_TESTS_UNSET_SECRET is not set",
                "webhook.timeout_ms: 10 must be between 100 and 60000",
                "webhook.max_attempts: 0 must be between 1 and 20",
            ],
            error.Failures);
    }
}
