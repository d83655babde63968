namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// The one rule for which DTMF digits the platform accepts: ASCII <c>0-9 * # A-D</c>, what an AudioSocket DTMF
/// frame may carry (docs/protocols/audiosocket.md). The gateway checks DTMF frames with it; a provider session
/// drops a digit that fails it with a Warning, never throws.
/// </summary>
public static class DtmfDigit
{
    /// <summary>True for ASCII <c>0-9 * # A-D</c>.</summary>
    public static bool IsValid(char digit) => digit is (>= '0' and <= '9') or '*' or '#' or (>= 'A' and <= 'D');
}
