using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Tests;

namespace AiAgent.Silo.Tests;

/// <summary>Drives a local-provider call the way a gateway would: greeting played, then caller turns answered and played.</summary>
public static class CallScript
{
    /// <summary>Waits for the greeting and reports it played (start and end) like the gateway's playout does.</summary>
    public static async Task PlayGreetingAsync(CallProbe call)
    {
        var (greetingId, _) = await call.NextUtteranceAsync();
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(greetingId, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.FromMilliseconds(1)));
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(greetingId, PlayoutEvent.Completed, 5800, DateTime.UtcNow, TimeSpan.Zero));
    }

    /// <summary>
    /// One caller turn (0.6 s of tone, then silence that ends it); the echo is reported played, which is when the turn
    /// latency is measured. 60 caller frames.
    /// </summary>
    public static async Task TakeTurnAsync(CallProbe call)
    {
        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(0.6));
        var (echoId, _) = await call.NextUtteranceAsync();
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(echoId, PlayoutEvent.Started, 0, DateTime.UtcNow, TimeSpan.FromMilliseconds(1)));
        await call.Grain.ReportPlayoutAsync(new PlayoutReport(echoId, PlayoutEvent.Completed, 600, DateTime.UtcNow, TimeSpan.Zero));
    }

    /// <summary>Caller frames one <see cref="TakeTurnAsync"/> sends.</summary>
    public const int FramesPerTurn = 60;
}
