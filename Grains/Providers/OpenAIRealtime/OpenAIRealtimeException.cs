namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>The OpenAI Realtime session could not start; the message never contains the API key.</summary>
public sealed class OpenAIRealtimeException(ProviderErrorKind kind, string code, string message) : Exception(message)
{
    /// <summary>The error kind.</summary>
    public ProviderErrorKind Kind { get; } = kind;

    /// <summary>The error code (<c>invalid_api_key</c>, <c>connect_failed</c>, ...).</summary>
    public string Code { get; } = code;
}
