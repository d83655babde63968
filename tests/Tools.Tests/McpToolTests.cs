using System.ComponentModel;
using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Tools;
using AiAgent.Grains.Tools.Mcp;
using AiAgent.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace AiAgent.Tools.Tests;

/// <summary>The tools of a real loopback MCP server (ModelContextProtocol.AspNetCore, Streamable HTTP).</summary>
public sealed class McpToolTests : IAsyncLifetime
{
    private const string TokenVariable = "AIAGENT_TOOLS_TESTS_CRM_TOKEN";
    private const string Token = "crm-bearer-secret";

    private readonly CapturingLoggerProvider _logs = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private LoopbackServer _server = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(TokenVariable, Token);
        _server = await LoopbackServer.StartAsync(
            app =>
            {
                // The configured header must reach the server: anything else is turned away.
                app.Use(async (context, next) =>
                {
                    if (context.Request.Headers.Authorization != "Bearer " + Token)
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return;
                    }

                    await next(context);
                });
                app.MapMcp("/mcp");
            },
            services => services.AddMcpServer().WithHttpTransport().WithTools<CrmTools>());
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(ServiceProvider Services, IToolSource Source)> SourceAsync(string url, string extra = "")
    {
        var yaml = $"""
            tools:
              mcp:
                - name: crm
                  url: "{url}"
                  headers: {"{"} Authorization: "Bearer ${"{"}{TokenVariable}{"}"}" {"}"}
            {extra}
            """;
        var services = TestConfig.Services(_logs);
        services.AddSingleton<TimeProvider>(_time);
        var provider = services.AddMcpTools(TestConfig.FromYaml(yaml)).BuildServiceProvider();
        await Task.CompletedTask;
        return (provider, Assert.Single(provider.GetServices<IToolSource>()));
    }

    private static ValueTask<ToolResult> Invoke(IAgentTool tool, string arguments) =>
        tool.InvokeAsync(new ToolInvocation(Guid.NewGuid(), "call_1", JsonDocument.Parse(arguments).RootElement), CancellationToken.None);

    [Fact]
    public async Task The_allow_listed_tools_are_offered_with_the_servers_schema_and_a_call_returns_the_text()
    {
        var (services, source) = await SourceAsync(_server.Url("mcp"), "      tools: [find_customer, close_ticket]\n      timeout_ms: 9000");
        await using var _ = services;

        var tools = await source.GetToolsAsync(CancellationToken.None);

        Assert.Equal(["close_ticket", "find_customer"], tools.Select(t => t.Definition.Name).Order());
        var find = tools.Single(t => t.Definition.Name == "find_customer");
        Assert.Equal(TimeSpan.FromSeconds(9), new ToolSet(tools, TimeSpan.FromSeconds(5)).TimeoutOf(find)); // the server's, not tools.timeout_ms
        Assert.Equal("Finds a customer by phone number.", find.Definition.Description);
        Assert.Equal("string", find.Definition.Parameters.GetProperty("properties").GetProperty("phone").GetProperty("type").GetString());

        var result = await Invoke(find, """{"phone":"+441234"}""");

        Assert.Equal(ToolCallOutcome.Ok, result.Outcome);
        var customer = JsonDocument.Parse(result.Content).RootElement;
        Assert.Equal("Ada", customer.GetProperty("name").GetString());
        Assert.Equal("+441234", customer.GetProperty("phone").GetString());
        Assert.DoesNotContain(Token, _logs.AllText(), StringComparison.Ordinal);
        Assert.DoesNotContain("+441234", string.Join('\n', _logs.Entries.Where(e => e.Level >= LogLevel.Information)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_allow_list_every_tool_is_offered_and_the_list_is_cached()
    {
        var (services, source) = await SourceAsync(_server.Url("mcp"));
        await using var _ = services;

        var first = await source.GetToolsAsync(CancellationToken.None);
        var second = await source.GetToolsAsync(CancellationToken.None);

        Assert.Equal(["close_ticket", "echo_text", "find_customer"], first.Select(t => t.Definition.Name).Order());
        Assert.Equal(first, second); // the same tool instances: the list came from the cache
    }

    [Fact]
    public async Task An_isError_answer_is_Failed_with_the_servers_text()
    {
        var (services, source) = await SourceAsync(_server.Url("mcp"));
        await using var _ = services;
        var close = (await source.GetToolsAsync(CancellationToken.None)).Single(t => t.Definition.Name == "close_ticket");

        var result = await Invoke(close, """{"ticket":"T-1"}""");

        Assert.Equal(ToolCallOutcome.Failed, result.Outcome);
        Assert.Equal("ticket T-1 is already closed", JsonDocument.Parse(result.Content).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Plain_text_comes_back_as_a_JSON_string()
    {
        var (services, source) = await SourceAsync(_server.Url("mcp"));
        await using var _ = services;
        var echo = (await source.GetToolsAsync(CancellationToken.None)).Single(t => t.Definition.Name == "echo_text");

        var result = await Invoke(echo, """{"text":"hello there"}""");

        Assert.Equal("\"hello there\"", result.Content);
    }

    [Fact]
    public async Task A_server_that_is_down_offers_no_tools_and_its_outage_is_logged_once()
    {
        var (services, source) = await SourceAsync($"http://127.0.0.1:{LoopbackServer.ClosedPort()}/mcp");
        await using var _ = services;

        var first = await source.GetToolsAsync(CancellationToken.None);
        var cached = await source.GetToolsAsync(CancellationToken.None);
        _time.Advance(McpServerTools.RetryDownAfter + TimeSpan.FromSeconds(1));
        var askedAgain = await source.GetToolsAsync(CancellationToken.None);

        Assert.Empty(first);
        Assert.Empty(cached);
        Assert.Empty(askedAgain);
        var warning = Assert.Single(_logs.WithEventId(5220));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("crm", warning.State["Server"]);
    }

    /// <summary>The test server's tools.</summary>
    [McpServerToolType]
    public sealed class CrmTools
    {
        [McpServerTool(Name = "find_customer"), Description("Finds a customer by phone number.")]
        public static string FindCustomer([Description("E.164 phone number")] string phone) =>
            JsonSerializer.Serialize(new { name = "Ada", phone });

        [McpServerTool(Name = "close_ticket"), Description("Closes a support ticket.")]
        public static CallToolResult CloseTicket(string ticket) =>
            new() { IsError = true, Content = [new TextContentBlock { Text = $"ticket {ticket} is already closed" }] };

        [McpServerTool(Name = "echo_text"), Description("Says the text back.")]
        public static string EchoText(string text) => text;
    }
}
