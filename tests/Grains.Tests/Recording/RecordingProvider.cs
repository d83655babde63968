using AiAgent.Grains.Providers;
using System.Collections.Concurrent;

namespace AiAgent.Grains.Tests.Recording;

/// <summary>
/// A provider that exists only in this test project and keeps every session it opens, by call id, so a test can reach
/// the session a real call grain talks to (the silo runs in-process).
/// </summary>
internal sealed class RecordingProvider : IAgentProvider
{
    public const string ProviderName = "recording";

    private readonly ConcurrentDictionary<Guid, RecordingSession> _sessions = new();

    public string Name => ProviderName;

    public IAgentSession CreateSession(AgentSessionContext context) =>
        _sessions[context.CallId] = new RecordingSession(context.CallId);

    /// <summary>The session opened for <paramref name="callId"/>.</summary>
    public RecordingSession SessionOf(Guid callId) =>
        _sessions.TryGetValue(callId, out var session) ? session : throw new InvalidOperationException($"no recording session for call {callId}");
}
