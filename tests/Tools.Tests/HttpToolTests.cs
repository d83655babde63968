using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Tools;
using AiAgent.Grains.Tools.Http;
using AiAgent.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiAgent.Tools.Tests;

/// <summary>The configured HTTP tools against a real loopback REST service.</summary>
public sealed class HttpToolTests : IAsyncLifetime
{
    private const string TokenVariable = "AIAGENT_TOOLS_TESTS_ORDERS_TOKEN";
    private const string Token = "s3cr3t-token-value";

    private readonly ConcurrentQueue<(string Method, string PathAndQuery, string? Authorization, string Body)> _requests = new();
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly CapturingLoggerProvider _logs = new();
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(TokenVariable, Token);
        _server = await LoopbackServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                _requests.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization.FirstOrDefault(), body));
                _hits.AddOrUpdate(context.Request.Path, 1, (_, n) => n + 1);
                await next(context);
            });
            app.MapGet("/v1/orders/{id}", (string id) => Results.Json(new { data = new { status = "shipped", id }, items = new[] { new { name = "kettle" }, new { name = "mug" } } }));
            app.MapPost("/v1/orders/{id}/notes", async (string id, HttpRequest request) => Results.Json(new { id, saved = true }));
            app.MapGet("/slow", async (HttpContext context) =>
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
                return Results.Ok();
            });
            app.MapGet("/fail", () => Results.Json(new { error = "db password is hunter2" }, statusCode: 500));
            app.MapGet("/flaky", () => _hits["/flaky"] <= 2 ? Results.StatusCode(503) : Results.Json(new { ok = true }));
            app.MapPost("/flaky-post", () => Results.StatusCode(503));
            app.MapGet("/big", () => Results.Text(JsonSerializer.Serialize(new string('x', 40_000)), "application/json"));
            app.MapGet("/text", () => Results.Text("plain words", "text/plain"));
        });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Yaml(string tools) => $"""
        tools:
          timeout_ms: 3000
          http:
        {tools}
        """;

    private string OrdersTool(string extra = "") => $"""
            - name: lookup_order
              description: Looks up an order's status by its number.
              parameters:
                type: object
                properties:
                  order_id: {"{"} type: string {"}"}
                  verbose: {"{"} type: boolean {"}"}
                  limit: {"{"} type: integer, minimum: 1, maximum: 10 {"}"}
                required: [order_id]
              method: GET
              url: "{_server.Url("v1/orders/{order_id}")}"
              headers: {"{"} Authorization: "Bearer ${"{"}{TokenVariable}{"}"}" {"}"}
        {extra}
        """;

    private async Task<IReadOnlyList<IAgentTool>> ToolsAsync(string yaml)
    {
        var services = TestConfig.Services(_logs).AddHttpTools(TestConfig.FromYaml(yaml)).BuildServiceProvider();
        var tools = new List<IAgentTool>();
        foreach (var source in services.GetServices<IToolSource>())
        {
            tools.AddRange(await source.GetToolsAsync(CancellationToken.None));
        }

        return tools;
    }

    private static ValueTask<ToolResult> Invoke(IAgentTool tool, string arguments) =>
        tool.InvokeAsync(new ToolInvocation(Guid.NewGuid(), "call_1", JsonDocument.Parse(arguments).RootElement), CancellationToken.None);

    private static string Tool(string name, string method, string url, string extra = "") => $"""
            - name: {name}
              description: Test tool {name}.
              parameters: {"{"} type: object, properties: {"{"} id: {"{"} type: string {"}"} {"}"} {"}"}
              method: {method}
              url: "{url}"
        {extra}
        """;

    [Fact]
    public async Task A_GET_fills_the_URL_placeholder_escaped_sends_the_other_arguments_as_query_and_the_env_header_and_returns_the_result_path()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(OrdersTool("      result_path: data.status"))));

        var result = await Invoke(tool, """{"order_id":"A 1/2","verbose":true,"limit":3}""");

        Assert.Equal(ToolCallOutcome.Ok, result.Outcome);
        Assert.Equal("\"shipped\"", result.Content);
        var request = Assert.Single(_requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v1/orders/A%201%2F2?verbose=true&limit=3", request.PathAndQuery);
        Assert.Equal("Bearer " + Token, request.Authorization);
        Assert.DoesNotContain(Token, _logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain("A 1/2", _logs.AllText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_call_whose_arguments_fail_the_schema_is_InvalidArguments_naming_the_path_and_sends_no_request()
    {
        var tools = await ToolsAsync(Yaml(OrdersTool()));
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var finished = new TaskCompletionSource<ToolCallEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new ToolRunner("test", Guid.NewGuid(), new ToolSet(tools, TimeSpan.FromSeconds(3)),
            new ToolMetrics(services.GetRequiredService<IMeterFactory>()), NullLogger.Instance, TimeProvider.System,
            e => { if (e is ToolCallFinished f) { finished.TrySetResult(f.Entry); } });

        // The model passes the order number as a number and a limit over the schema's maximum.
        runner.Start(new ToolCallRequest("call_9", "lookup_order", """{"order_id":17,"limit":99}""", TimeProvider.System.GetTimestamp()), r => sent.TrySetResult(r));

        var entry = await finished.Task.WaitAsync(Waits.Long);
        Assert.Equal(ToolCallOutcome.InvalidArguments, entry.Outcome);
        var error = JsonDocument.Parse(await sent.Task.WaitAsync(Waits.Long)).RootElement.GetProperty("error").GetString()!;
        Assert.Contains("/order_id", error, StringComparison.Ordinal);
        Assert.Contains("/limit", error, StringComparison.Ordinal);
        await runner.StopAsync();
        Assert.Empty(_requests); // the service never saw the bad call
    }

    [Fact]
    public async Task A_result_path_reads_array_indices_and_no_path_gives_the_whole_body()
    {
        var tools = await ToolsAsync(Yaml(OrdersTool("      result_path: items.1.name") + "\n" + Tool("whole", "GET", _server.Url("v1/orders/{id}"))));

        Assert.Equal("\"mug\"", (await Invoke(tools[0], """{"order_id":"7"}""")).Content);
        var whole = JsonDocument.Parse((await Invoke(tools[1], """{"id":"7"}""")).Content).RootElement;
        Assert.Equal("7", whole.GetProperty("data").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_missing_result_path_is_a_failure_the_model_is_told()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(OrdersTool("      result_path: data.eta"))));

        var result = await Invoke(tool, """{"order_id":"7"}""");

        Assert.Equal(ToolCallOutcome.Failed, result.Outcome);
        Assert.Contains("data.eta", result.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_POST_sends_the_arguments_not_in_the_URL_as_a_JSON_body()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(Tool("add_note", "POST", _server.Url("v1/orders/{id}/notes")))));

        var result = await Invoke(tool, """{"id":"9","text":"leave at door","count":2}""");

        Assert.Equal(ToolCallOutcome.Ok, result.Outcome);
        Assert.True(JsonDocument.Parse(result.Content).RootElement.GetProperty("saved").GetBoolean());
        var request = Assert.Single(_requests);
        Assert.Equal("/v1/orders/9/notes", request.PathAndQuery);
        Assert.Equal("""{"text":"leave at door","count":2}""", request.Body);
    }

    [Fact]
    public async Task The_definition_carries_the_configured_schema_with_numbers_typed()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(OrdersTool())));

        Assert.Equal("lookup_order", tool.Definition.Name);
        Assert.Equal("Looks up an order's status by its number.", tool.Definition.Description);
        var schema = tool.Definition.Parameters;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Number, schema.GetProperty("properties").GetProperty("limit").GetProperty("minimum").ValueKind);
        Assert.Equal("integer", schema.GetProperty("properties").GetProperty("limit").GetProperty("type").GetString());
        Assert.Equal(["order_id"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()!));
    }

    [Fact]
    public async Task A_service_that_does_not_answer_within_the_timeout_is_TimedOut()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(Tool("slow", "GET", _server.Url("slow"), "      timeout_ms: 300"))));
        var clock = Stopwatch.StartNew();

        var result = await Invoke(tool, "{}");

        Assert.Equal(ToolCallOutcome.TimedOut, result.Outcome);
        Assert.Contains("300 ms", result.Content, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_tool_timeout_longer_than_the_default_is_the_one_the_runner_enforces()
    {
        var tools = await ToolsAsync(Yaml(Tool("patient", "GET", _server.Url("slow"), "      timeout_ms: 8000") + "\n" + Tool("plain", "GET", _server.Url("slow"))));
        var set = new ToolSet(tools, TimeSpan.FromMilliseconds(3000)); // tools.timeout_ms

        Assert.Equal(TimeSpan.FromSeconds(8), set.TimeoutOf(set.Find("patient")!));
        Assert.Equal(TimeSpan.FromSeconds(3), set.TimeoutOf(set.Find("plain")!));
    }

    [Fact]
    public async Task A_500_is_Failed_after_the_retries_with_the_status_and_without_the_body()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(Tool("fails", "GET", _server.Url("fail")))));

        var result = await Invoke(tool, "{}");

        Assert.Equal(ToolCallOutcome.Failed, result.Outcome);
        Assert.Contains("HTTP 500", result.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Content, StringComparison.Ordinal);
        Assert.Equal(3, _hits["/fail"]); // a GET: the first try and two retries
    }

    [Fact]
    public async Task A_GET_answered_503_is_retried_until_it_succeeds()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(Tool("flaky", "GET", _server.Url("flaky")))));

        var result = await Invoke(tool, "{}");

        Assert.Equal(ToolCallOutcome.Ok, result.Outcome);
        Assert.Equal(3, _hits["/flaky"]);
    }

    [Fact]
    public async Task A_POST_answered_503_is_not_sent_again()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(Tool("flaky_post", "POST", _server.Url("flaky-post")))));

        var result = await Invoke(tool, "{}");

        Assert.Equal(ToolCallOutcome.Failed, result.Outcome);
        Assert.Contains("HTTP 503", result.Content, StringComparison.Ordinal);
        Assert.Equal(1, _hits["/flaky-post"]);
    }

    [Fact]
    public async Task A_large_result_is_cut_with_a_note_and_plain_text_becomes_a_JSON_string()
    {
        var tools = await ToolsAsync(Yaml(Tool("big", "GET", _server.Url("big")) + "\n" + Tool("text", "GET", _server.Url("text"))));

        var big = await Invoke(tools[0], "{}");
        var text = await Invoke(tools[1], "{}");

        Assert.Equal(ToolCallOutcome.Ok, big.Outcome);
        Assert.InRange(big.Content.Length, 1000, ToolResults.MaxContentBytes);
        Assert.True(JsonDocument.Parse(big.Content).RootElement.GetProperty("truncated").GetBoolean());
        Assert.Equal("\"plain words\"", text.Content);
    }

    [Fact]
    public async Task A_missing_URL_argument_is_a_failure_without_a_request()
    {
        var tool = Assert.Single(await ToolsAsync(Yaml(OrdersTool())));

        var result = await Invoke(tool, """{"verbose":true}""");

        Assert.Equal(ToolCallOutcome.Failed, result.Outcome);
        Assert.Contains("order_id", result.Content, StringComparison.Ordinal);
        Assert.Empty(_requests);
    }

    [Fact]
    public void Invalid_entries_stop_the_start_up_with_an_error_per_key()
    {
        var yaml = Yaml($"""
                - name: bad name
                  parameters: {"{"} type: string {"}"}
                  method: FETCH
                  url: "/relative/{"{"}id{"}"}"
                  timeout_ms: 50
                - name: second
                  description: d
                  parameters: {"{"} type: object, properties: {"{"} a: {"{"} type: string {"}"} {"}"} {"}"}
                  url: "https://{"{"}a{"}"}.example.com/x/{"{"}b{"}"}"
                  headers: {"{"} X-Key: "${"{"}AIAGENT_TOOLS_TESTS_UNSET_VARIABLE{"}"}" {"}"}
                  result_path: "data..x"
            """);
        var services = TestConfig.Services(_logs).AddHttpTools(TestConfig.FromYaml(yaml)).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<HttpToolsOptions>>().CurrentValue);

        var failures = error.Failures.ToList();
        Assert.Contains("tools.http[0] (bad name).name: 'bad name' must be 1-64 of A-Z a-z 0-9 _ -", failures);
        Assert.Contains(failures, f => f.StartsWith("tools.http[0] (bad name).description: required", StringComparison.Ordinal));
        Assert.Contains("tools.http[0] (bad name).parameters.type: must be 'object' (the model's arguments are one JSON object)", failures);
        Assert.Contains("tools.http[0] (bad name).method: 'FETCH' must be one of GET, POST, PUT, PATCH, DELETE", failures);
        Assert.Contains("tools.http[0] (bad name).url: '/relative/{id}' must be an absolute http:// or https:// URL", failures);
        Assert.Contains("tools.http[0] (bad name).timeout_ms: 50 must be between 100 and 60000", failures);
        Assert.Contains("tools.http[1] (second).url: a placeholder may not be in the host or port; only in the path and query", failures);
        Assert.Contains("tools.http[1] (second).url: placeholder {b} is not declared in parameters.properties", failures);
        Assert.Contains("tools.http[1] (second).headers.X-Key: environment variable AIAGENT_TOOLS_TESTS_UNSET_VARIABLE is not set", failures);
        Assert.Contains(failures, f => f.StartsWith("tools.http[1] (second).result_path:", StringComparison.Ordinal));
    }
}
