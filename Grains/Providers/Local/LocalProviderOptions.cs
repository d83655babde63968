using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Providers.Local;

/// <summary><c>providers.local</c>: the offline provider (energy VAD, a greeting, echo of each caller turn).</summary>
public sealed class LocalProviderOptions
{
    /// <summary>The provider's config name.</summary>
    public const string Name = "local";

    /// <summary><c>greeting</c>: play the built-in greeting at call start.</summary>
    public bool Greeting { get; set; } = true;

    /// <summary><c>speech_threshold_dbfs</c>: frame energy above this counts as speech.</summary>
    [ConfigurationKeyName("speech_threshold_dbfs")]
    public double SpeechThresholdDbfs { get; set; } = -40;

    /// <summary><c>min_speech_ms</c>: speech shorter than this is noise, not a turn.</summary>
    [ConfigurationKeyName("min_speech_ms")]
    public int MinSpeechMs { get; set; } = 200;

    /// <summary><c>silence_ms</c>: this much silence after speech ends the caller's turn.</summary>
    [ConfigurationKeyName("silence_ms")]
    public int SilenceMs { get; set; } = 600;

    /// <summary><c>max_turn_ms</c>: a turn longer than this is cut and echoed.</summary>
    [ConfigurationKeyName("max_turn_ms")]
    public int MaxTurnMs { get; set; } = 15_000;

    /// <summary><c>chunk_ms</c>: agent audio is emitted in chunks of this length, faster than real time, like a real provider.</summary>
    [ConfigurationKeyName("chunk_ms")]
    public int ChunkMs { get; set; } = 200;

    /// <summary>
    /// <c>end_call_after_turns</c>: after answering this many caller turns the agent ends the call itself (the
    /// <c>hangup</c> disposition, after its last reply has played); 0 never does.
    /// </summary>
    [ConfigurationKeyName("end_call_after_turns")]
    public int EndCallAfterTurns { get; set; }

    /// <summary>Appends an error per invalid key to <paramref name="errors"/>.</summary>
    public void Validate(string path, List<string> errors)
    {
        if (SpeechThresholdDbfs is < -96 or > 0)
        {
            errors.Add($"{path}.speech_threshold_dbfs: {SpeechThresholdDbfs} must be between -96 and 0");
        }

        if (MinSpeechMs is < 20 or > 5_000)
        {
            errors.Add($"{path}.min_speech_ms: {MinSpeechMs} must be between 20 and 5000");
        }

        if (SilenceMs is < 100 or > 10_000)
        {
            errors.Add($"{path}.silence_ms: {SilenceMs} must be between 100 and 10000");
        }

        if (MaxTurnMs is < 1_000 or > 120_000)
        {
            errors.Add($"{path}.max_turn_ms: {MaxTurnMs} must be between 1000 and 120000");
        }

        if (EndCallAfterTurns is < 0 or > 10_000)
        {
            errors.Add($"{path}.end_call_after_turns: {EndCallAfterTurns} must be between 0 (never) and 10000");
        }

        if (ChunkMs is < 20 or > 2_000)
        {
            errors.Add($"{path}.chunk_ms: {ChunkMs} must be between 20 and 2000");
        }
    }
}
