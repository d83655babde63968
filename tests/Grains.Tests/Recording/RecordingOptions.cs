namespace AiAgent.Grains.Tests.Recording;

/// <summary><c>providers.recording</c>: the recording provider has nothing to configure.</summary>
internal sealed class RecordingOptions;
