using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Tools;

/// <summary>One function call as the provider asked for it.</summary>
/// <param name="FunctionCallId">The provider's id (OpenAI <c>call_id</c>, Deepgram <c>id</c>).</param>
/// <param name="Name">The function name the model used.</param>
/// <param name="Arguments">The arguments as the JSON text the model wrote.</param>
/// <param name="ReceivedTimestamp">When the provider event arrived (<see cref="TimeProvider.GetTimestamp"/>), for the overhead metric.</param>
public readonly record struct ToolCallRequest(string FunctionCallId, string Name, string? Arguments, long ReceivedTimestamp);

/// <summary>
/// Runs one session's tool calls, each on a task of its own: off the grain's event pump and off the provider's receive
/// loop, so audio and barge-in keep flowing while a tool works. Every call ends in a result for the model (an error
/// result when the arguments fail the schema, the tool is unknown, throws, times out or the session stops), handed to
/// the provider protocol's send, just after <see cref="ToolCallFinished"/> (and <see cref="CallActionRequested"/> for a
/// result with an action) goes to the session's events.
/// </summary>
public sealed class ToolRunner
{
    private readonly string _provider;
    private readonly Guid _callId;
    private readonly ToolSet _tools;
    private readonly ToolMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Action<ProviderEvent> _emit;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly HashSet<Task> _running = [];

    /// <summary>A runner for one session of <paramref name="provider"/> on call <paramref name="callId"/>.</summary>
    /// <param name="provider">The provider name (the metrics' <c>provider</c> label).</param>
    /// <param name="callId">The call.</param>
    /// <param name="tools">The call's tools; null offers none (every call gets an <c>UnknownTool</c> result).</param>
    /// <param name="metrics">Where calls are counted and timed.</param>
    /// <param name="logger">The session's logger.</param>
    /// <param name="time">The clock of timeouts and timings.</param>
    /// <param name="emit">Writes to the session's events.</param>
    public ToolRunner(string provider, Guid callId, ToolSet? tools, ToolMetrics metrics, ILogger logger, TimeProvider time, Action<ProviderEvent> emit)
    {
        _provider = provider;
        _callId = callId;
        _tools = tools ?? ToolSet.Empty;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _emit = emit;
    }

    /// <summary>The tools offered.</summary>
    public ToolSet Tools => _tools;

    /// <summary>Calls still running (a rollover waits for none).</summary>
    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>
    /// Starts <paramref name="request"/> and returns at once. <paramref name="send"/> gets the result's JSON text and
    /// hands it to the socket's send; it returns false when the connection the call came on is gone.
    /// </summary>
    public void Start(ToolCallRequest request, Func<string, bool> send)
    {
        ArgumentNullException.ThrowIfNull(send);
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            var task = Task.Run(() => RunAsync(request, send));
            _running.Add(task);
            _ = task.ContinueWith(t =>
            {
                lock (_gate)
                {
                    _running.Remove(t);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>The session stops (the call hung up): running tools are cancelled and their error results go out; returns once each has.</summary>
    public async Task StopAsync()
    {
        Task[] running;
        lock (_gate)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _stopping.Cancel();
            }

            running = [.. _running];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task RunAsync(ToolCallRequest request, Func<string, bool> send)
    {
        var startedAt = _time.GetUtcNow().UtcDateTime;
        ToolLog.Requested(_logger, request.FunctionCallId, _callId, request.Name, request.Arguments ?? string.Empty);
        var (result, toolTime, label) = await InvokeAsync(request).ConfigureAwait(false);
        var durationMs = Math.Round((toolTime ?? TimeSpan.Zero).TotalMilliseconds, 1);

        // The call hears of the result before the model does: the reply the output prompts (a farewell, say) must not
        // reach the call ahead of the action it belongs to.
        _emit(new ToolCallFinished(new ToolCallEntry(startedAt, request.Name, request.Arguments ?? string.Empty, result.Content, result.Outcome, durationMs)));
        if (result is { Outcome: ToolCallOutcome.Ok, Action: { } action })
        {
            _emit(new CallActionRequested(action));
        }

        bool delivered;
        try
        {
            delivered = send(result.Content);
        }
        catch (Exception ex)
        {
            // A send that throws is only logged: the call has its record already, and the connection is ending anyway.
            ToolLog.ToolThrewDetail(_logger, request.Name, _callId, ex);
            delivered = false;
        }

        var handed = _time.GetTimestamp();
        if (!delivered)
        {
            ToolLog.NotDelivered(_logger, request.FunctionCallId, label, _callId);
        }

        _metrics.Overhead(_provider, _time.GetElapsedTime(request.ReceivedTimestamp, handed) - (toolTime ?? TimeSpan.Zero));
        _metrics.Finished(_provider, label, result.Outcome, toolTime);
        ToolLog.Finished(_logger, label, _callId, _provider, ToolMetrics.OutcomeLabel(result.Outcome), durationMs);
        ToolLog.Answered(_logger, request.FunctionCallId, _callId, result.Content);
    }

    /// <summary>The result, the tool's own run time (null when it did not run) and the tool's metric label.</summary>
    private async Task<(ToolResult Result, TimeSpan? ToolTime, string Label)> InvokeAsync(ToolCallRequest request)
    {
        if (_tools.Find(request.Name) is not { } tool)
        {
            ToolLog.UnknownTool(_logger, _callId, _provider);
            var known = _tools.IsEmpty ? "this line offers no functions" : "the functions are: " + string.Join(", ", _tools.Tools.Select(t => t.Definition.Name));
            return (new ToolResult(ToolJson.Error($"unknown function '{request.Name}': {known}"), ToolCallOutcome.UnknownTool), null, "unknown");
        }

        var name = tool.Definition.Name;
        if (ToolSchema.ParseArguments(tool.Definition, request.Arguments, out var problems) is not { } arguments)
        {
            var message = $"invalid arguments for '{name}': {string.Join("; ", problems)}. Call it again with arguments that match its parameters.";
            return (new ToolResult(ToolJson.Error(message), ToolCallOutcome.InvalidArguments), null, name);
        }

        var timeout = _tools.TimeoutOf(tool);
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, _stopping.Token);
        var started = _time.GetTimestamp();
        try
        {
            // WaitAsync: a tool that ignores its token still cannot hold the call past its timeout or the session's end.
            var result = await tool.InvokeAsync(new ToolInvocation(_callId, request.FunctionCallId, arguments), linked.Token)
                .AsTask().WaitAsync(linked.Token).ConfigureAwait(false);
            return (result, _time.GetElapsedTime(started), name);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return (new ToolResult(ToolJson.Error($"'{name}' was cancelled: the call is ending"), ToolCallOutcome.Cancelled), _time.GetElapsedTime(started), name);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            var message = $"'{name}' did not answer within {timeout.TotalSeconds:0.###} s; tell the caller it is not available right now";
            return (new ToolResult(ToolJson.Error(message), ToolCallOutcome.TimedOut), _time.GetElapsedTime(started), name);
        }
        catch (Exception ex)
        {
            // The exception's text may carry what the tool was given (a URL, a token): logged at Debug only.
            ToolLog.ToolThrew(_logger, name, _callId, ex.GetType().Name);
            ToolLog.ToolThrewDetail(_logger, name, _callId, ex);
            return (new ToolResult(ToolJson.Error($"'{name}' failed; tell the caller it is not available right now"), ToolCallOutcome.Failed), _time.GetElapsedTime(started), name);
        }
    }
}
