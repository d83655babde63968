using System.Text.Json;
using System.Text.RegularExpressions;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>Reading and classifying the server's errors (docs/protocols/openai-realtime.md, Errors); never a key in the result.</summary>
internal static class RealtimeErrors
{
    private static readonly Regex s_keyPattern = new(@"\b(sk|ek|rk)-[A-Za-z0-9_*\-.]{2,}", RegexOptions.CultureInvariant);
    private static readonly string[] s_authCodes = ["invalid_api_key", "invalid_authentication", "unauthorized", "authentication_error", "invalid_auth"];

    /// <summary>The error of <paramref name="e"/>, with <paramref name="apiKey"/> and anything shaped like a key scrubbed from its message.</summary>
    public static ServerError Read(RealtimeServerEvent e, string? apiKey)
    {
        if (e.Error.IsEmpty)
        {
            return new ServerError("server_error", "unknown", "the server reported an error without details", null, null);
        }

        using var doc = JsonDocument.Parse(e.Error);
        var err = doc.RootElement;
        return new ServerError(
            RealtimeJson.GetString(err, "type") ?? "server_error",
            RealtimeJson.GetString(err, "code") ?? RealtimeJson.GetString(err, "type") ?? "unknown",
            Redact(RealtimeJson.GetString(err, "message") ?? string.Empty, apiKey),
            RealtimeJson.GetString(err, "param"),
            RealtimeJson.GetString(err, "event_id"));
    }

    /// <summary>
    /// Server messages can quote the key (the real API echoes a masked form, "Incorrect API key provided: sk-ab***yz"):
    /// strip the key and anything shaped like one before a message reaches a log line or an event.
    /// </summary>
    public static string Redact(string message, string? apiKey)
    {
        if (!string.IsNullOrEmpty(apiKey))
        {
            message = message.Replace(apiKey, "[redacted]", StringComparison.Ordinal);
        }

        return s_keyPattern.Replace(message, "[redacted]");
    }

    /// <summary>The provider error an error stands for (not fatal: the caller decides).</summary>
    public static ProviderError Classify(ServerError error)
    {
        var kind = error switch
        {
            _ when s_authCodes.Contains(error.Code) || error.Type == "authentication_error" => ProviderErrorKind.Authentication,
            _ when error.Code == "session_expired" => ProviderErrorKind.SessionExpired,
            _ when IsRateLimit(error.Code, error.Type) => ProviderErrorKind.RateLimited,
            _ when error.Type == "server_error" => ProviderErrorKind.Server,
            _ => ProviderErrorKind.InvalidRequest,
        };
        return new ProviderError(kind, error.Code, error.Message, Fatal: false);
    }

    /// <summary>A rate limit or an exhausted quota.</summary>
    public static bool IsRateLimit(string? code, string? type) =>
        code is "rate_limit_exceeded" or "insufficient_quota" || type is "rate_limit_error";

    /// <summary>Races that are no fault: the response ended (or started) while our cancel or create was in flight.</summary>
    public static bool IsBenign(string code) => code is "response_cancel_not_active" or "conversation_already_has_active_response";
}
