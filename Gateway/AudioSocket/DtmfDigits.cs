namespace AiAgent.Gateway.AudioSocket;

/// <summary>The digits an AudioSocket DTMF frame may carry (docs/protocols/audiosocket.md).</summary>
internal static class DtmfDigits
{
    /// <summary>True for ASCII <c>0-9 * # A-D</c>.</summary>
    public static bool IsValid(char digit) => digit is (>= '0' and <= '9') or '*' or '#' or (>= 'A' and <= 'D');
}
