using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiAgent.Tests.Tools;

/// <summary>
/// A tool whose behaviour a test chooses: it reports when it started and whether its token was cancelled. Linked into
/// the provider and grain test projects (tests/Shared).
/// </summary>
internal sealed class TestTool(string name, Func<ToolInvocation, CancellationToken, Task<ToolResult>> run, TimeSpan? timeout = null) : IAgentTool, IToolTimeout
{
    private readonly TaskCompletionSource<ToolInvocation> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ToolDefinition Definition { get; } = new(name, $"Test tool {name}.", JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone());

    public TimeSpan? Timeout => timeout;

    /// <summary>Completes with the invocation when the tool starts.</summary>
    public Task<ToolInvocation> Started => _started.Task;

    /// <summary>Completes when the token the tool was given is cancelled.</summary>
    public Task Cancelled => _cancelled.Task;

    public async ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.Register(() => _cancelled.TrySetResult());
        _started.TrySetResult(invocation);
        return await run(invocation, cancellationToken);
    }

    /// <summary>Answers <c>{"ok":true}</c> at once.</summary>
    public static TestTool Answering(string name) =>
        new(name, (_, _) => Task.FromResult(new ToolResult("""{"ok":true}""", ToolCallOutcome.Ok)));

    /// <summary>Answers once <paramref name="release"/> completes.</summary>
    public static TestTool AnsweringAfter(string name, Task release) =>
        new(name, async (_, ct) =>
        {
            await release.WaitAsync(ct);
            return new ToolResult("""{"ok":"late"}""", ToolCallOutcome.Ok);
        });

    /// <summary>Never answers by itself: only its timeout or the session's end stops it.</summary>
    public static TestTool Hanging(string name, TimeSpan? timeout = null) =>
        new(name, async (_, ct) =>
        {
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct);
            return new ToolResult("{}", ToolCallOutcome.Ok);
        }, timeout);

    /// <summary>Throws, with a message that must never reach the model or an Information log.</summary>
    public static TestTool Throwing(string name, string secret) =>
        new(name, (_, _) => throw new InvalidOperationException($"backend refused token {secret}"));
}

/// <summary>A source offering a fixed list (the tests' stand-in for the HTTP and MCP sources).</summary>
internal sealed class FixedToolSource(params IAgentTool[] tools) : IToolSource
{
    public ValueTask<IReadOnlyList<IAgentTool>> GetToolsAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<IAgentTool>>(tools);
}

/// <summary>Builds a call's tool set the way the silo does: <c>AddAgentTools</c> over a configuration, plus extra sources.</summary>
internal static class TestToolSets
{
    /// <summary>The <c>tools</c>/<c>transfer</c> keys of a configuration with the given destinations (name → description).</summary>
    public static Dictionary<string, string?> Config(int? timeoutMs = null, params (string Name, string Description)[] destinations)
    {
        var config = new Dictionary<string, string?>();
        if (timeoutMs is { } t)
        {
            config["tools:timeout_ms"] = t.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < destinations.Length; i++)
        {
            config[$"transfer:destinations:{i}:name"] = destinations[i].Name;
            config[$"transfer:destinations:{i}:description"] = destinations[i].Description;
            config[$"transfer:destinations:{i}:kind"] = "queue";
        }

        return config;
    }

    /// <summary>A service provider with tool calling bound to <paramref name="configuration"/> and <paramref name="extra"/> as one more source.</summary>
    public static ServiceProvider Services(IConfiguration configuration, params IAgentTool[] extra) =>
        new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Debug))
            .AddAgentTools(configuration)
            .AddSingleton<IToolSource>(new FixedToolSource(extra))
            .BuildServiceProvider();

    /// <summary>The built-ins (with <paramref name="destinations"/>) and <paramref name="extra"/>, as one call's set.</summary>
    public static async Task<ToolSet> CreateAsync(IAgentTool[] extra, int? timeoutMs = null, params (string Name, string Description)[] destinations)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Config(timeoutMs, destinations)).Build();
        await using var services = Services(configuration, extra);
        return await services.GetRequiredService<ToolRegistry>().CreateToolSetAsync(Guid.NewGuid(), CancellationToken.None);
    }
}
