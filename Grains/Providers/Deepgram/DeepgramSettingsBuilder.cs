using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// Pure functions from options and the call's format to the session's audio formats and its <c>Settings</c>
/// message, kept apart from the socket code so the wire shape is tested field by field.
/// </summary>
internal static class DeepgramSettingsBuilder
{
    /// <summary>Most history items re-seeded after a reconnect or for a resumed call (the newest are kept).</summary>
    public const int MaxHistoryItems = 50;

    /// <summary>
    /// Picks the formats. <c>auto</c> chooses what avoids conversion: linear16 at the call's rate for slin calls,
    /// mulaw/alaw 8 kHz for G.711 calls; rates Deepgram TTS cannot produce fall back to 24 kHz (the grain resamples).
    /// </summary>
    public static ProviderAudioFormats ResolveFormats(DeepgramOptions options, AudioFormat call) =>
        new(Resolve(options.InputEncoding, options.InputSampleRate, call, DeepgramOptions.Linear16InputRates, 16_000),
            Resolve(options.OutputEncoding, options.OutputSampleRate, call, DeepgramOptions.Linear16OutputRates, 24_000));

    /// <summary>Builds the <c>Settings</c> message.</summary>
    /// <param name="options">The options read when the session was created.</param>
    /// <param name="formats">The session's formats (declared exactly, never left to server defaults).</param>
    /// <param name="history">Conversation so far, re-seeded after a reconnect or for a resumed call; empty on a new call's first connection.</param>
    /// <param name="includeGreeting">False after a reconnect or for a resumed call: the caller has already been greeted.</param>
    /// <param name="tools">The call's tools, offered as client-side <c>agent.think.functions</c>; null or empty offers none.</param>
    public static SettingsMessage Build(DeepgramOptions options, ProviderAudioFormats formats, IReadOnlyList<HistoryItem> history, bool includeGreeting, Tools.ToolSet? tools = null)
    {
        var functions = tools is null || tools.IsEmpty
            ? null
            : tools.Tools.Select(t => new ThinkFunction(t.Definition.Name, t.Definition.Description, t.Definition.Parameters)).ToArray();
        var greeting = includeGreeting && !string.IsNullOrWhiteSpace(options.Greeting) ? options.Greeting : null;
        var context = history.Count == 0
            ? null
            : new AgentContext(history.Count <= MaxHistoryItems ? history : history.Skip(history.Count - MaxHistoryItems).ToArray());
        return new SettingsMessage(
            new AudioSettings(
                new AudioInputSettings(EncodingName(formats.Input.Encoding), formats.Input.SampleRate),
                new AudioOutputSettings(EncodingName(formats.Output.Encoding), formats.Output.SampleRate, "none")),
            new AgentSettings(
                new ListenSettings(new ListenProvider("deepgram", "v1", options.ListenModel, options.Language)),
                new ThinkSettings(new ThinkProvider(options.ThinkProvider, options.ThinkModel), options.Prompt, functions),
                new SpeakSettings(new SpeakProvider("deepgram", "v1", options.SpeakModel)),
                greeting,
                context));
    }

    /// <summary>Deepgram's name of an encoding.</summary>
    public static string EncodingName(AudioEncoding encoding) => encoding switch
    {
        AudioEncoding.Pcm16 => "linear16",
        AudioEncoding.Mulaw => "mulaw",
        AudioEncoding.Alaw => "alaw",
        _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "no Deepgram name"),
    };

    private static AudioFormat Resolve(string encodingKey, string rateKey, AudioFormat call, IReadOnlyList<int> linear16Rates, int fallbackRate)
    {
        // Validation has run at load; a value that still fails to parse counts as auto rather than throwing mid-call.
        DeepgramOptions.TryParseRate(rateKey, out var rate);
        AudioEncoding? encoding = encodingKey switch
        {
            "linear16" => AudioEncoding.Pcm16,
            "mulaw" => AudioEncoding.Mulaw,
            "alaw" => AudioEncoding.Alaw,
            _ => null,
        };

        encoding ??= call.Encoding != AudioEncoding.Pcm16 && rate is null or 8_000 ? call.Encoding : AudioEncoding.Pcm16;
        if (encoding != AudioEncoding.Pcm16)
        {
            return new AudioFormat(encoding.Value, 8_000);
        }

        rate ??= linear16Rates.Contains(call.SampleRate) ? call.SampleRate : fallbackRate;
        return new AudioFormat(AudioEncoding.Pcm16, rate.Value);
    }
}
