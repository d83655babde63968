namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// Asterisk extension patterns: a leading <c>_</c>, then <c>X</c> (0-9), <c>Z</c> (1-9), <c>N</c> (2-9),
/// <c>[a-c1]</c> (a set), <c>.</c> (one or more of anything), <c>!</c> (zero or more), any other character literally.
/// </summary>
public static class ExtensionPattern
{
    /// <summary>True when <paramref name="pattern"/> is a pattern (starts with <c>_</c>) that matches <paramref name="extension"/>.</summary>
    public static bool Matches(string pattern, string extension) =>
        pattern.Length > 1 && pattern[0] == '_' && Match(pattern.AsSpan(1), extension.AsSpan());

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        if (pattern.IsEmpty)
        {
            return text.IsEmpty;
        }

        switch (char.ToUpperInvariant(pattern[0]))
        {
            case '.':
                return !text.IsEmpty;
            case '!':
                return true;
            case '[':
                var close = pattern.IndexOf(']');
                if (close < 0)
                {
                    return false;
                }

                return !text.IsEmpty && InSet(pattern[1..close], text[0]) && Match(pattern[(close + 1)..], text[1..]);
        }

        if (text.IsEmpty)
        {
            return false;
        }

        var ok = char.ToUpperInvariant(pattern[0]) switch
        {
            'X' => text[0] is >= '0' and <= '9',
            'Z' => text[0] is >= '1' and <= '9',
            'N' => text[0] is >= '2' and <= '9',
            _ => pattern[0] == text[0],
        };
        return ok && Match(pattern[1..], text[1..]);
    }

    private static bool InSet(ReadOnlySpan<char> set, char c)
    {
        for (var i = 0; i < set.Length; i++)
        {
            if (i + 2 < set.Length && set[i + 1] == '-')
            {
                if (c >= set[i] && c <= set[i + 2])
                {
                    return true;
                }

                i += 2;
            }
            else if (set[i] == c)
            {
                return true;
            }
        }

        return false;
    }
}
