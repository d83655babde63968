using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace AiAgent.Grains.Webhooks;

/// <summary>
/// POSTs each queued call record to <c>webhook.url</c>, signed afresh on every attempt (<see cref="WebhookSignature"/>).
/// Network errors, timeouts, 408, 429 and 5xx are retried with exponential backoff and jitter (a Retry-After header
/// sets the delay) up to <c>max_attempts</c>; any other status is final. Records go one at a time, oldest first. On
/// shutdown the queue is closed and what it holds is sent for up to <see cref="FlushTimeout"/>.
/// </summary>
public sealed class WebhookDeliveryService : IHostedService, IDisposable
{
    private readonly WebhookQueue _queue;
    private readonly IHttpClientFactory _clients;
    private readonly WebhookMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDeliveryService> _logger;
    private readonly Uri _url;
    private readonly byte[] _secret;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly CancellationTokenSource _abort = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Creates the service; the secret is read from <c>webhook.secret_env</c> now (the validator checked it is set).</summary>
    public WebhookDeliveryService(WebhookQueue queue, IHttpClientFactory clients, IOptions<WebhookOptions> options, WebhookMetrics metrics, TimeProvider time, ILogger<WebhookDeliveryService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _queue = queue;
        _clients = clients;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _url = new Uri(settings.Url, UriKind.Absolute);
        _secret = Encoding.UTF8.GetBytes(Environment.GetEnvironmentVariable(settings.SecretEnv)
            ?? throw new InvalidOperationException($"webhook.secret_env: environment variable {settings.SecretEnv} is not set"));
        _pipeline = BuildPipeline(settings, time);
    }

    /// <summary>How long a stopping host waits for the queue to be sent (default 5 s).</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        WebhookLog.Enabled(_logger, _url.GetLeftPart(UriPartial.Path));
        _loop = Task.Run(() => RunAsync(_abort.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Complete();
        _abort.CancelAfter(FlushTimeout);
        try
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's own shutdown timeout came first.
            await _abort.CancelAsync().ConfigureAwait(false);
        }

        if (_queue.Reader.Count > 0)
        {
            WebhookLog.Unflushed(_logger, _queue.Reader.Count);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _abort.Dispose();

    private async Task RunAsync(CancellationToken abort)
    {
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (!abort.IsCancellationRequested && _queue.Reader.TryRead(out var record))
            {
                await DeliverAsync(record, abort).ConfigureAwait(false);
            }

            if (abort.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task DeliverAsync(CallSnapshot record, CancellationToken abort)
    {
        var body = WebhookPayload.From(record).ToUtf8Json();
        var started = _time.GetTimestamp();
        var attempts = 0;
        var client = _clients.CreateClient(WebhookServiceCollectionExtensions.ClientName);
        var context = ResilienceContextPool.Shared.Get(abort);
        context.Properties.Set(CallIdKey, record.CallId);
        try
        {
            using var response = await _pipeline.ExecuteAsync(
                async (ctx, _) =>
                {
                    attempts++;
                    using var request = Sign(body, record.CallId);
                    try
                    {
                        var answer = await client.SendAsync(request, ctx.CancellationToken).ConfigureAwait(false);
                        _metrics.Attempt((int)answer.StatusCode);
                        return answer;
                    }
                    catch (Exception) when (!abort.IsCancellationRequested)
                    {
                        _metrics.Attempt(null);
                        throw;
                    }
                },
                context,
                0).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                _metrics.Delivery("delivered", _time.GetElapsedTime(started));
                WebhookLog.Delivered(_logger, record.CallId, (int)response.StatusCode, attempts);
            }
            else
            {
                _metrics.Delivery("failed", _time.GetElapsedTime(started));
                WebhookLog.Failed(_logger, record.CallId, attempts, $"HTTP {(int)response.StatusCode}");
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException)
        {
            _metrics.Delivery("failed", _time.GetElapsedTime(started));
            WebhookLog.Failed(_logger, record.CallId, attempts, abort.IsCancellationRequested ? "shutting down" : ex is TimeoutRejectedException ? "timed out" : $"network error ({ex.GetType().Name})");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private HttpRequestMessage Sign(byte[] body, Guid callId)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(_secret, timestamp, body));
        request.Headers.Add(WebhookSignature.DeliveryHeader, callId.ToString());
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("AiAgent.Orleans-webhook", "1"));
        return request;
    }

    private static readonly ResiliencePropertyKey<Guid> CallIdKey = new("AiAgent.Webhook.CallId");

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline(WebhookOptions settings, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (settings.MaxAttempts > 1)
        {
            // Network errors, Polly timeouts, 408, 429 and 5xx; Retry-After (seconds or a date) sets the delay.
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                Delay = TimeSpan.FromMilliseconds(settings.RetryDelayMs),
                MaxDelay = TimeSpan.FromSeconds(60),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                OnRetry = args =>
                {
                    var status = args.Outcome.Result is { } failed ? ((int)failed.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "?";
                    args.Context.Properties.TryGetValue(CallIdKey, out var callId);
                    WebhookLog.Retrying(_logger, callId, args.AttemptNumber + 1, status, args.RetryDelay.TotalMilliseconds);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }

        return builder.AddTimeout(TimeSpan.FromMilliseconds(settings.TimeoutMs)).Build();
    }
}
