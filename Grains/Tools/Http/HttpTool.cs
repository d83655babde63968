using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AiAgent.Grains.Tools.Http;

/// <summary>
/// One configured HTTP tool: sends the request its spec and the model's arguments make (through the resilient
/// <see cref="HttpToolsServiceCollectionExtensions.ClientName"/> client) and gives the model the JSON answer, or the
/// <c>result_path</c> part of it. A non-2xx status, an unreachable host or a timeout is a short error the model can
/// speak about; the response body of an error is never passed on (it may echo the request's credentials).
/// </summary>
internal sealed class HttpTool(HttpToolSpec spec, IHttpClientFactory clients, ILogger logger) : IAgentTool, IToolTimeout
{
    /// <summary>The most response body read (1 MiB); a larger answer is an error, not a cut result.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    /// <inheritdoc/>
    public ToolDefinition Definition => spec.Definition;

    /// <summary>The spec this tool sends (for the source's cache and tests).</summary>
    public HttpToolSpec Spec => spec;

    /// <summary>Its <c>timeout_ms</c> (or <c>tools.timeout_ms</c>), which the runner enforces as well.</summary>
    public TimeSpan? Timeout => spec.Timeout;

    /// <inheritdoc/>
    public async ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        HttpRequestMessage request;
        try
        {
            request = HttpToolRequest.Build(spec, invocation.Arguments);
        }
        catch (ToolArgumentException ex)
        {
            return ToolResults.Error(ex.Message);
        }

        var name = spec.Definition.Name;
        var started = Stopwatch.GetTimestamp();
        using (request)
        using (var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // The pipeline's total timeout bounds the exchange up to the response headers; this bounds the body too.
            budget.CancelAfter(spec.Timeout);
            try
            {
                using var response = await clients.CreateClient(HttpToolsServiceCollectionExtensions.ClientName)
                    .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, budget.Token).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    HttpToolLog.ErrorStatus(logger, name, spec.Method.Method, spec.UrlTemplate, (int)response.StatusCode);
                    return ToolResults.Error($"the {name} service answered HTTP {(int)response.StatusCode} ({Describe(response.StatusCode)})");
                }

                var body = await ReadBodyAsync(response, budget.Token).ConfigureAwait(false);
                HttpToolLog.Answered(logger, name, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return body is null
                    ? ToolResults.Error($"the {name} service answered with more than {MaxResponseBytes / 1024} KB")
                    : Shape(body, (int)response.StatusCode);
            }
            catch (Exception ex) when (ex is TimeoutRejectedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                HttpToolLog.TimedOut(logger, name, spec.Method.Method, spec.UrlTemplate, spec.Timeout.TotalMilliseconds);
                return ToolResults.Error($"the {name} service did not answer within {spec.Timeout.TotalMilliseconds:0} ms", ToolCallOutcome.TimedOut);
            }
            catch (BrokenCircuitException)
            {
                HttpToolLog.Unreachable(logger, name, spec.Method.Method, spec.UrlTemplate, "circuit open");
                return ToolResults.Error($"the {name} service is failing and was not tried; try again later");
            }
            catch (HttpRequestException ex)
            {
                HttpToolLog.Unreachable(logger, name, spec.Method.Method, spec.UrlTemplate, ex.HttpRequestError.ToString());
                return ToolResults.Error($"the {name} service could not be reached");
            }
        }
    }

    private ToolResult Shape(byte[] body, int status)
    {
        if (body.Length == 0)
        {
            return ToolResults.Ok($$"""{"status":{{status}}}""");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return spec.ResultPath is null
                ? ToolResults.OkText(Encoding.UTF8.GetString(body))
                : ToolResults.Error($"the {spec.Definition.Name} service did not answer JSON, so its result_path cannot be read");
        }

        using (document)
        {
            if (spec.ResultPath is null)
            {
                return ToolResults.Ok(document.RootElement.GetRawText());
            }

            return JsonResultPath.TrySelect(document.RootElement, spec.ResultPath, out var selected)
                ? ToolResults.Ok(selected.GetRawText())
                : ToolResults.Error($"the {spec.Definition.Name} service's answer has no {spec.ResultPath}");
        }
    }

    // Null when the body is larger than MaxResponseBytes.
    private static async Task<byte[]?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string Describe(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => "the request was rejected",
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => "not authorised",
        HttpStatusCode.NotFound => "not found",
        HttpStatusCode.Conflict => "conflict",
        HttpStatusCode.TooManyRequests => "too many requests",
        >= HttpStatusCode.InternalServerError => "the service failed",
        _ => "unexpected status",
    };
}
