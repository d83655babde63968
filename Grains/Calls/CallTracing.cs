using System.Diagnostics;
using AiAgent.Grains.Interfaces.Diagnostics;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Call traces (activity source <c>AiAgent.Calls</c>): one <c>call</c> activity per call, from start to end, and a
/// <c>turn</c> child per caller turn, from the end of the caller's speech to the first agent frame played. With no
/// listener (no exporter configured) every method here is a no-op.
/// </summary>
internal static class CallTracing
{
    /// <summary>The activity source name to export.</summary>
    public const string SourceName = TelemetryNames.CallsActivitySource;

    private static readonly ActivitySource Source = new(SourceName);

    /// <summary>Starts a call's activity without making it current: it outlives this grain turn.</summary>
    public static Activity? StartCall(Guid callId, string provider, string format)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity("call", ActivityKind.Server);
        Activity.Current = previous;
        activity?.SetTag("call.id", callId.ToString()).SetTag("provider", provider).SetTag("call.format", format);
        return activity;
    }

    /// <summary>Starts a turn under <paramref name="call"/> at the moment the caller stopped speaking.</summary>
    public static Activity? StartTurn(Activity? call, int turn, DateTime speechStoppedUtc)
    {
        if (call is null)
        {
            return null;
        }

        var previous = Activity.Current;
        var activity = Source.StartActivity("turn", ActivityKind.Internal, call.Context, startTime: speechStoppedUtc);
        Activity.Current = previous;
        activity?.SetTag("provider", call.GetTagItem("provider")).SetTag("turn", turn);
        return activity;
    }

    /// <summary>Ends an activity at <paramref name="endUtc"/> with an outcome tag, leaving the current activity alone.</summary>
    public static void Stop(Activity? activity, string outcome, DateTime? endUtc = null, ActivityStatusCode status = ActivityStatusCode.Ok)
    {
        if (activity is null)
        {
            return;
        }

        var previous = Activity.Current;
        activity.SetTag("outcome", outcome).SetStatus(status);
        if (endUtc is { } end && end > activity.StartTimeUtc)
        {
            activity.SetEndTime(end);
        }

        activity.Stop();
        Activity.Current = previous;
    }
}
