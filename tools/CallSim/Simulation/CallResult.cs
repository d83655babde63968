using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Simulation;

/// <summary>The outcome of one simulated call.</summary>
/// <param name="Summary">The figures.</param>
/// <param name="Format">The format of <paramref name="ReceivedAudio"/>: what Asterisk reads replies as (slin 8 kHz for 0x10-labelled calls).</param>
/// <param name="ReceivedAudio">Audio received (s16le mono), if the call was set to record; empty otherwise.</param>
/// <param name="GapsMs">Every gap between consecutive received audio frames, in arrival order.</param>
/// <param name="ReplyGapsMs">The gaps inside replies (<see cref="ConversationTimeline.LateFrames"/> counts the late ones), in arrival order.</param>
public sealed record CallResult(
    CallSummary Summary, CallFormat Format, ReadOnlyMemory<byte> ReceivedAudio, ReadOnlyMemory<double> GapsMs, ReadOnlyMemory<double> ReplyGapsMs);

/// <summary>The outcome of a run of one or more calls.</summary>
/// <param name="Calls">One result per call, in the order given.</param>
/// <param name="Load">Aggregate figures.</param>
public sealed record SimulationResult(IReadOnlyList<CallResult> Calls, LoadSummary Load);
