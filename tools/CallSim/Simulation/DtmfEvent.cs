using System.Globalization;
using AiAgent.CallSim.Protocol;

namespace AiAgent.CallSim.Simulation;

/// <summary>A DTMF digit to send <paramref name="At"/> after the call starts streaming.</summary>
public readonly record struct DtmfEvent(char Digit, TimeSpan At)
{
    /// <summary>
    /// Parses <c>"1@2.5,#@4"</c>: comma-separated <c>digit@seconds</c>, digits <c>0-9 * # A-D</c> (a-d accepted).
    /// </summary>
    /// <exception cref="FormatException">With a message naming the bad item.</exception>
    public static IReadOnlyList<DtmfEvent> ParseList(string text)
    {
        var events = new List<DtmfEvent>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = item.IndexOf('@', StringComparison.Ordinal);
            if (at != 1)
            {
                throw new FormatException($"'{item}' is not digit@seconds (e.g. 5@2.5)");
            }

            var digit = char.ToUpperInvariant(item[0]);
            if (!AudioSocketCodec.IsDtmfDigit(digit))
            {
                throw new FormatException($"'{item[0]}' is not a DTMF digit (0-9, *, #, A-D)");
            }

            if (!double.TryParse(item.AsSpan(2), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
                || seconds < 0 || double.IsInfinity(seconds))
            {
                throw new FormatException($"'{item[2..]}' in '{item}' is not a time in seconds >= 0");
            }

            events.Add(new DtmfEvent(digit, TimeSpan.FromSeconds(seconds)));
        }

        events.Sort(static (a, b) => a.At.CompareTo(b.At));
        return events;
    }
}
