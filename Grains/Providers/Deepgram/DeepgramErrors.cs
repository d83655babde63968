namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>How a Deepgram <c>Error</c> code is treated (docs/protocols/deepgram.md lists the known codes).</summary>
internal static class DeepgramErrors
{
    /// <summary>The error kind of <paramref name="code"/>; the cap's code is unknown, so session/limit words mean an expired session.</summary>
    public static ProviderErrorKind Classify(string code) => code switch
    {
        "UNPARSABLE_CLIENT_MESSAGE" or "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS" or "SETTINGS_ALREADY_APPLIED"
            or "INVALID_SETTINGS" or "USER_AUDIO_FORMAT" => ProviderErrorKind.InvalidRequest,
        "CLIENT_MESSAGE_TIMEOUT" => ProviderErrorKind.Disconnected,
        _ when code.Contains("RATE_LIMIT", StringComparison.Ordinal) || code.Contains("TOO_MANY", StringComparison.Ordinal) => ProviderErrorKind.RateLimited,
        _ when code.Contains("UNAUTHORI", StringComparison.Ordinal) || code.Contains("AUTH", StringComparison.Ordinal) => ProviderErrorKind.Authentication,
        _ when code.Contains("SESSION", StringComparison.Ordinal) &&
               (code.Contains("LIMIT", StringComparison.Ordinal) || code.Contains("EXPIRED", StringComparison.Ordinal) ||
                code.Contains("DURATION", StringComparison.Ordinal) || code.Contains("MAX", StringComparison.Ordinal)) => ProviderErrorKind.SessionExpired,
        _ => ProviderErrorKind.Server,
    };

    /// <summary>True when retrying the same settings cannot succeed: the call ends instead of reconnecting.</summary>
    public static bool IsFinal(string code) =>
        code is "INVALID_SETTINGS" or "USER_AUDIO_FORMAT" || Classify(code) == ProviderErrorKind.Authentication;
}
