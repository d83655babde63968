using Polly;
using Polly.Retry;

namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// The one reconnect policy of every provider transport (docs/decisions.md, "Provider transport"): after a ready
/// connection is lost the first reconnect is immediate; every further attempt waits a jittered exponential delay
/// from <see cref="FirstDelay"/> doubling to <see cref="MaxDelay"/>. Built on Polly's retry strategy over the
/// transport's <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
internal static class ReconnectBackoff
{
    /// <summary>The median delay before the first retry that waits.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest delay between attempts.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);

    /// <summary>
    /// A pipeline that runs a connection attempt and retries it up to <paramref name="retries"/> times while
    /// <paramref name="shouldRetry"/> holds for its outcome (0 retries: the attempt runs once).
    /// </summary>
    public static ResiliencePipeline<T> Create<T>(int retries, Func<T, bool> shouldRetry, TimeProvider time, Func<double>? randomizer)
    {
        if (retries <= 0)
        {
            return ResiliencePipeline<T>.Empty;
        }

        var retry = new RetryStrategyOptions<T>
        {
            MaxRetryAttempts = retries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = FirstDelay,
            MaxDelay = MaxDelay,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && shouldRetry(args.Outcome.Result!)),
        };
        if (randomizer is not null)
        {
            retry.Randomizer = randomizer;
        }

        return new ResiliencePipelineBuilder<T> { TimeProvider = time }.AddRetry(retry).Build();
    }
}
