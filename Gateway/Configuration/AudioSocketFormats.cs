using System.Diagnostics.CodeAnalysis;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Gateway.Configuration;

/// <summary>The <c>audiosocket.format</c> names (Asterisk's format names) and the <see cref="AudioFormat"/> each means.</summary>
public static class AudioSocketFormats
{
    /// <summary>The default: slin at 8 kHz, what the AudioSocket dialplan app always uses.</summary>
    public const string DefaultName = "slin";

    private static readonly Dictionary<string, AudioFormat> s_byName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["slin"] = AudioFormat.Slin8,
        ["slin12"] = new(AudioEncoding.Pcm16, 12_000),
        ["slin16"] = AudioFormat.Slin16,
        ["slin24"] = AudioFormat.Slin24,
        ["slin32"] = new(AudioEncoding.Pcm16, 32_000),
        ["slin44"] = new(AudioEncoding.Pcm16, 44_100),
        ["slin48"] = AudioFormat.Slin48,
        ["slin96"] = new(AudioEncoding.Pcm16, 96_000),
        ["slin192"] = new(AudioEncoding.Pcm16, 192_000),
        ["ulaw"] = AudioFormat.Mulaw8,
        ["alaw"] = AudioFormat.Alaw8,
    };

    /// <summary>Every allowed name, in a stable order for error messages.</summary>
    public static readonly IReadOnlyList<string> Names =
        ["slin", "slin12", "slin16", "slin24", "slin32", "slin44", "slin48", "slin96", "slin192", "ulaw", "alaw"];

    /// <summary>Parses a format name.</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out AudioFormat? format)
    {
        if (name is not null && s_byName.TryGetValue(name.Trim(), out var found))
        {
            format = found;
            return true;
        }

        format = null;
        return false;
    }

    /// <summary>Parses a format name that validation has already accepted.</summary>
    public static AudioFormat Parse(string name) =>
        TryParse(name, out var format) ? format.Value : throw new ArgumentException($"unknown audio format '{name}'", nameof(name));
}
