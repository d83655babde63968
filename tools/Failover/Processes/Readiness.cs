using System.Net.Sockets;
using System.Text;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace AiAgent.Failover.Processes;

/// <summary>
/// Waits for a process to become ready by asking it (HTTP health, Redis PING) every 250 ms until it says yes, it dies,
/// or the deadline passes: Polly's retry inside its timeout.
/// </summary>
internal static class Readiness
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>Until <c>GET url</c> answers 2xx.</summary>
    public static Task WaitForHttpAsync(ChildProcess process, Uri url, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(process, async token =>
        {
            using var response = await s_http.GetAsync(url, token).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }, timeout, cancellationToken);

    /// <summary>Until Redis on <paramref name="port"/> answers PING with PONG (not LOADING).</summary>
    public static Task WaitForRedisAsync(ChildProcess process, int port, TimeSpan timeout, CancellationToken cancellationToken) =>
        WaitAsync(process, token => PingRedisAsync(port, token), timeout, cancellationToken);

    /// <summary>Asks Redis once: true when it answers +PONG.</summary>
    public static async Task<bool> PingRedisAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken).ConfigureAwait(false);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
    }

    private static async Task WaitAsync(ChildProcess process, Func<CancellationToken, Task<bool>> isReady, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pipeline = new ResiliencePipelineBuilder<bool>()
            .AddTimeout(timeout)
            .AddRetry(new RetryStrategyOptions<bool>
            {
                // Not ready yet, refused, timed out: ask again. A dead process never becomes ready: stop at once.
                ShouldHandle = static args => ValueTask.FromResult(
                    !args.Context.CancellationToken.IsCancellationRequested
                    && args.Outcome.Exception is not ProcessDiedException
                    && (args.Outcome.Exception is not null || !args.Outcome.Result)),
                BackoffType = DelayBackoffType.Constant,
                Delay = TimeSpan.FromMilliseconds(250),
                UseJitter = false,
                MaxRetryAttempts = int.MaxValue,
            })
            .Build();
        try
        {
            await pipeline.ExecuteAsync(async token =>
            {
                if (process.HasExited)
                {
                    throw new ProcessDiedException($"{process.Name} exited before it was ready (see its log)");
                }

                return await isReady(token).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new TimeoutException($"{process.Name} was not ready within {timeout.TotalSeconds:0} s (see its log)", ex);
        }
    }
}

/// <summary>A process the harness waits for has exited.</summary>
internal sealed class ProcessDiedException(string message) : Exception(message);
