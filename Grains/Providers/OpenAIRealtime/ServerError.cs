namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>The <c>error</c> object of a server <c>error</c> event (or of a failed transcription), its message redacted.</summary>
internal sealed record ServerError(string Type, string Code, string Message, string? Param, string? EventId);
