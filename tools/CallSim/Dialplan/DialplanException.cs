namespace AiAgent.CallSim.Dialplan;

/// <summary>A dialplan this interpreter cannot load or run: the message names the line or the priority.</summary>
public sealed class DialplanException(string message) : Exception(message);
