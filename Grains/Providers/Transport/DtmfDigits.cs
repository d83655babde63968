namespace AiAgent.Grains.Providers.Transport;

/// <summary>The one place that says which characters are telephone keys (0-9, *, #, A-D).</summary>
internal static class DtmfDigits
{
    /// <summary>True for a telephone key; a session drops anything else with a Warning, never throws.</summary>
    public static bool IsValid(char digit) => char.IsAsciiDigit(digit) || digit is '*' or '#' or (>= 'A' and <= 'D');
}
