using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.Deepgram;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The OpenAI Realtime emulator as the model, scripted to look an order up after the caller's first turn (an HTTP tool
/// on a loopback server) and to hang up after the second; a loopback receiver takes the post-call webhook.
/// </summary>
public sealed class OpenAIToolPlatformFixture : IAsyncLifetime
{
    public const string Key = "sk-e2e-tools-0123456789";
    public const string OrdersToken = "orders-token-5c1d";
    public const string WebhookSecret = "whsec-e2e-8f2a";
    public const string OrderId = "A-1734";

    public ConcurrentQueue<string> OrderRequests { get; } = new();

    public ConcurrentQueue<(string Timestamp, string Signature, string Body)> Webhooks { get; } = new();

    public OpenAIRealtimeEmulator Emulator { get; private set; } = null!;

    public LoopbackServer Backend { get; private set; } = null!;

    public PlatformProcess Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/orders/{id}", (string id, HttpContext context) =>
            {
                OrderRequests.Enqueue($"{id} {context.Request.Headers.Authorization}");
                return Results.Json(new { data = new { status = "shipped", id } });
            });
            app.MapPost("/hooks/calls", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                Webhooks.Enqueue((context.Request.Headers["X-AiAgent-Timestamp"].ToString(), context.Request.Headers["X-AiAgent-Signature"].ToString(),
                    await reader.ReadToEndAsync()));
                return Results.NoContent();
            });
        });
        Emulator = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions
        {
            ApiKey = Key,
            ToolCalls =
            [
                new ScriptedToolCall(1, "lookup_order", $$"""{"order_id":"{{OrderId}}"}"""),
                new ScriptedToolCall(2, "hangup_call", """{"reason":"the caller is done"}"""),
            ],
        });
        Platform = await PlatformProcess.StartAsync($"""
            default_provider: openai_realtime
            providers:
              openai_realtime:
                api_key_env: AIAGENT_E2E_OPENAI_KEY
                base_url: {Emulator.BaseUrl}
            tools:
              enabled: [hangup_call]
              http:
                - name: lookup_order
                  description: Looks up an order's status by its number.
                  parameters:
                    type: object
                    properties:
                      order_id:
                        type: string
                    required: [order_id]
                  method: GET
                  url: "{Backend.Url("orders/{order_id}")}"
                  headers:
                    Authorization: "Bearer ${"{"}AIAGENT_E2E_ORDERS_TOKEN{"}"}"
                  result_path: data.status
            webhook:
              url: "{Backend.Url("hooks/calls")}"
              secret_env: AIAGENT_E2E_WEBHOOK_SECRET
            Logging:
              LogLevel:
                Default: Information
                Orleans: Warning
                Microsoft: Warning
            """,
            new Dictionary<string, string>
            {
                ["AIAGENT_E2E_OPENAI_KEY"] = Key,
                ["AIAGENT_E2E_ORDERS_TOKEN"] = OrdersToken,
                ["AIAGENT_E2E_WEBHOOK_SECRET"] = WebhookSecret,
            });
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Emulator.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

/// <summary>
/// The Deepgram emulator as the model, scripted to open a ticket (an HTTP tool, POST to a loopback server) and transfer
/// the caller to <c>sales</c> after their first turn.
/// </summary>
public sealed class DeepgramTransferPlatformFixture : IAsyncLifetime
{
    public const string Key = "dg-e2e-tools-0123456789";

    public DeepgramEmulator Emulator { get; private set; } = null!;

    public LoopbackServer Backend { get; private set; } = null!;

    public PlatformProcess Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Backend = await LoopbackServer.StartAsync(app => app.MapPost("/tickets", (TicketRequest request) => Results.Json(new { ticket = $"T-{request.Topic.Length}" })));
        Emulator = await DeepgramEmulator.StartAsync(new DeepgramEmulatorOptions
        {
            ApiKey = Key,
            // Both after the first turn, asked for together: a ticket is opened, then the caller is put through.
            ToolCalls =
            [
                new ScriptedToolCall(1, "open_ticket", """{"topic":"new order"}"""),
                new ScriptedToolCall(1, "transfer_call", """{"destination":"sales"}"""),
            ],
        });
        Platform = await PlatformProcess.StartAsync($"""
            default_provider: deepgram
            providers:
              deepgram:
                api_key_env: AIAGENT_E2E_DEEPGRAM_KEY
                base_url: {Emulator.BaseUrl}
            tools:
              http:
                - name: open_ticket
                  description: Opens a ticket for the caller's request.
                  parameters:
                    type: object
                    properties:
                      topic:
                        type: string
                    required: [topic]
                  method: POST
                  url: "{Backend.Url("tickets")}"
                  result_path: ticket
            transfer:
              destinations:
                - name: sales
                  description: Sales team, for new orders and prices.
                  kind: queue
                - name: support
                  description: Technical support for existing customers.
                  kind: queue
            """,
            new Dictionary<string, string> { ["AIAGENT_E2E_DEEPGRAM_KEY"] = Key });
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Emulator.DisposeAsync();
        await Backend.DisposeAsync();
    }

    public sealed record TicketRequest(string Topic);
}

/// <summary>
/// The agent acts, end to end over real sockets: the emulated model calls tools in its provider's exact shape, the
/// platform runs them (an HTTP tool on a loopback server, the built-ins) and answers in that shape, and the call ends
/// as the tool asked only once the farewell has played: the hangup frame follows the farewell's last frame, measured
/// from the AudioSocket.
/// </summary>
[Collection(PlatformLanes.ProviderLane)]
public sealed class OpenAIToolCallTests(OpenAIToolPlatformFixture fixture) : IClassFixture<OpenAIToolPlatformFixture>
{
    /// <summary>The hangup frame may follow the farewell's last frame by this much in a test on a shared machine (the figure is 100 ms).</summary>
    private static readonly double HangupBoundMs = 500;

    [Fact]
    public async Task An_http_tool_answers_the_model_and_hangup_call_ends_the_call_after_the_farewell_played()
    {
        var callId = Guid.NewGuid();
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = fixture.Platform.AudioSocketPort,
            CallId = callId,
            Audio = CallAudio.FromWav(Audio.HelloWav, CallFormat.Slin),
            LeadingSilence = TimeSpan.FromSeconds(1),
            Tail = TimeSpan.FromSeconds(20),
            Conversation = new ConversationSettings { Cycles = 3, ReplyTimeout = TimeSpan.FromSeconds(8) },
        });

        var summary = result.Summary;
        Assert.Equal(CallOutcome.ServerHangupFrame, summary.Outcome);
        Assert.Equal(0, summary.WrongSizeFrames);
        Assert.InRange(summary.HangupAfterLastFrameMs ?? -1, 0, HangupBoundMs);
        Assert.True(summary.Conversation!.Answered >= 2, $"both turns answered, got {summary.Conversation.Answered}");
        await fixture.Platform.WaitForLogAsync(l => l.Contains($"Call {callId}: ending (hangup)", StringComparison.Ordinal) && l.Contains("PlayedOut", StringComparison.Ordinal));

        // The HTTP tool ran with its secret header; the model got the configured part of the response, in OpenAI's shape.
        Assert.Contains($"{OpenAIToolPlatformFixture.OrderId} Bearer {OpenAIToolPlatformFixture.OrdersToken}", fixture.OrderRequests);
        Assert.Empty(fixture.Emulator.ToolShapeErrors);
        var results = fixture.Emulator.ToolResults;
        Assert.Contains(results, r => r.Name == "lookup_order" && r.Output == "\"shipped\"");
        Assert.Contains(results, r => r.Name == "hangup_call" && r.Output.Contains("scheduled", StringComparison.Ordinal));

        // The record, the API and the webhook carry the tool calls; the log carries neither arguments nor secrets.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Platform.HttpPort}") };
        using var history = JsonDocument.Parse(await http.GetStringAsync($"/api/calls/{callId}/history"));
        Assert.Equal("hangup", history.RootElement.GetProperty("disposition").GetString());
        var tools = history.RootElement.GetProperty("toolCalls").EnumerateArray().Select(t => (Name: t.GetProperty("name").GetString(), Outcome: t.GetProperty("outcome").GetString())).ToList();
        Assert.Equal([("lookup_order", "Ok"), ("hangup_call", "Ok")], tools);

        var webhook = await WaitForWebhookAsync(callId);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(OpenAIToolPlatformFixture.WebhookSecret), Encoding.UTF8.GetBytes($"{webhook.Timestamp}.{webhook.Body}")));
        Assert.Equal(expected, webhook.Signature);
        Assert.Contains("lookup_order", webhook.Body, StringComparison.Ordinal);

        var log = fixture.Platform.Log;
        Assert.DoesNotContain(OpenAIToolPlatformFixture.OrderId, log, StringComparison.Ordinal);
        Assert.DoesNotContain(OpenAIToolPlatformFixture.OrdersToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain(OpenAIToolPlatformFixture.WebhookSecret, log, StringComparison.Ordinal);
    }

    private async Task<(string Timestamp, string Signature, string Body)> WaitForWebhookAsync(Guid callId)
    {
        bool IsThisCall((string Timestamp, string Signature, string Body) w) => w.Body.Contains(callId.ToString(), StringComparison.OrdinalIgnoreCase);
        await Waits.UntilAsync(() => fixture.Webhooks.Any(IsThisCall), Waits.Long, "the call's webhook");
        return fixture.Webhooks.First(IsThisCall);
    }
}

[Collection(PlatformLanes.ProviderLane)]
public sealed class DeepgramTransferCallTests(DeepgramTransferPlatformFixture fixture) : IClassFixture<DeepgramTransferPlatformFixture>
{
    private static readonly double CloseBoundMs = 500;

    [Fact]
    public async Task Transfer_call_in_dialplan_mode_closes_after_the_handoff_sentence_and_serves_the_destination()
    {
        var callId = Guid.NewGuid();
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = fixture.Platform.AudioSocketPort,
            CallId = callId,
            Audio = CallAudio.FromWav(Audio.HelloWav, CallFormat.Slin),
            LeadingSilence = TimeSpan.FromSeconds(4), // after the greeting
            Tail = TimeSpan.FromSeconds(15),
        });

        var summary = result.Summary;
        Assert.Equal(CallOutcome.ServerHangupFrame, summary.Outcome);
        Assert.InRange(summary.HangupAfterLastFrameMs ?? -1, 0, CloseBoundMs);
        Assert.False(summary.ServerCloseTimedOut, "the gateway closed the socket after the hangup frame");
        await fixture.Platform.WaitForLogAsync(l => l.Contains($"Call {callId}: ending (transfer:sales)", StringComparison.Ordinal) && l.Contains("PlayedOut", StringComparison.Ordinal));

        // Deepgram's shape: one FunctionCallResponse with the request's id and name (one call per fixture: one session).
        var session = Assert.Single(fixture.Emulator.Sessions);
        Assert.Empty(session.ToolShapeErrors);
        var results = session.ToolResults;
        Assert.Equal(["open_ticket", "transfer_call"], results.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal("\"T-9\"", results.Single(r => r.Name == "open_ticket").Output); // the HTTP tool's result_path
        Assert.Contains("\"sales\"", results.Single(r => r.Name == "transfer_call").Output, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Platform.HttpPort}") };
        Assert.Equal("transfer:sales", await http.GetStringAsync($"/api/calls/{callId}/disposition"));
    }
}
