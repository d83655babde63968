using AiAgent.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Deepgram.Tests.Transport;

/// <summary>Drives a <see cref="FakeTimeProvider"/> from tests.</summary>
internal static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> at a time until <paramref name="condition"/> holds
    /// (the code under test registers its timers asynchronously, so one big jump could land before them); returns
    /// the fake time advanced.
    /// </summary>
    public static async Task<TimeSpan> AdvanceUntilAsync(this FakeTimeProvider time, Func<bool> condition, TimeSpan step, string what)
    {
        var advanced = TimeSpan.Zero;
        await Waits.UntilAsync(() =>
        {
            if (condition())
            {
                return true;
            }

            time.Advance(step);
            advanced += step;
            return false;
        }, what: what);
        return advanced;
    }
}
