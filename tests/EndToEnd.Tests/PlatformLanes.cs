namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The test classes in three lanes that run side by side, each class with its own platform process. A call spends
/// its time waiting on real-time pacing (about a quarter of one core for the whole suite run one class at a time), so
/// three calls at once leave the 20 ms pacer its headroom; within a lane the classes run one after another. The lanes
/// are balanced by call time: the format matrix (8 calls) alone, the local-provider calls, the provider emulators.
/// </summary>
public static class PlatformLanes
{
    public const string FormatLane = "platform: format matrix";

    public const string CallerLane = "platform: local provider";

    public const string ProviderLane = "platform: provider emulators";

    /// <summary>One worker per lane (xunit's default is one per core, which would leave a lane waiting).</summary>
    public const int Count = 3;
}

[CollectionDefinition(PlatformLanes.FormatLane)]
public sealed class FormatLaneCollection;

[CollectionDefinition(PlatformLanes.CallerLane)]
public sealed class CallerLaneCollection;

[CollectionDefinition(PlatformLanes.ProviderLane)]
public sealed class ProviderLaneCollection;
