namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>The session could not start (or was refused); <see cref="Kind"/> says why. Never carries the API key.</summary>
public sealed class DeepgramSessionException(ProviderErrorKind kind, string code, string message) : Exception(message)
{
    /// <summary>The error kind.</summary>
    public ProviderErrorKind Kind { get; } = kind;

    /// <summary>The Deepgram error code, or ours (<c>HTTP_401</c>, <c>CONNECT_TIMEOUT</c>, <c>MISSING_API_KEY</c> ...).</summary>
    public string Code { get; } = code;
}
