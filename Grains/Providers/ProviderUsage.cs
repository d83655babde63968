namespace AiAgent.Grains.Providers;

/// <summary>
/// Token usage the provider reported for one agent response (OpenAI <c>response.done</c> usage), for cost metrics.
/// Providers that do not report usage never send it; consumers may ignore it.
/// </summary>
/// <param name="InputTokens">Input tokens billed for the response.</param>
/// <param name="CachedInputTokens">Of <paramref name="InputTokens"/>, those served from the prompt cache.</param>
/// <param name="OutputTokens">Output tokens (text and audio).</param>
/// <param name="Status">How the response ended (<c>completed</c>, <c>cancelled</c>, <c>incomplete</c>, <c>failed</c>).</param>
public sealed record ProviderUsage(int InputTokens, int CachedInputTokens, int OutputTokens, string Status) : ProviderEvent;
