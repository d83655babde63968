using System.Globalization;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// Parses the subset of <c>extensions.conf</c> the documented dialplans use: <c>[context]</c>,
/// <c>exten => ext,priority,App(args)</c>, <c>same => n(label),App(args)</c>, priorities as numbers or <c>n</c> with
/// an optional <c>(label)</c>, comments from <c>;</c> (<c>\;</c> is a literal semicolon), <c>[globals]</c>
/// (<c>NAME=value</c>) and <c>[general]</c> (ignored). Anything else is an error naming the line, never a guess.
/// </summary>
public static class DialplanParser
{
    /// <summary>Parses the text.</summary>
    /// <exception cref="DialplanException">A line this subset does not cover, or a duplicate priority or label.</exception>
    public static Dialplan Parse(string text)
    {
        var dialplan = new Dialplan();
        string? section = null;
        DialplanExtension? current = null;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var number = i + 1;
            var line = StripComment(lines[i]).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '[')
            {
                var close = line.IndexOf(']', StringComparison.Ordinal);
                if (close < 2 || close != line.Length - 1)
                {
                    throw new DialplanException($"line {number}: '{line}' is not a [context] header");
                }

                section = line[1..close].Trim();
                current = null;
                continue;
            }

            if (section is null)
            {
                throw new DialplanException($"line {number}: '{line}' comes before any [context]");
            }

            if (section is "general")
            {
                continue;
            }

            var (key, value) = SplitAssignment(line, number);
            if (section is "globals")
            {
                dialplan.Globals[key] = value;
                continue;
            }

            current = key switch
            {
                "exten" => ParseExten(dialplan.GetOrAdd(section), value, number),
                "same" => ParseSame(current, value, number),
                _ => throw new DialplanException($"line {number}: '{key}' is not supported here (only exten and same)"),
            };
        }

        return dialplan;
    }

    /// <summary>The line without its comment; <c>\;</c> becomes a literal semicolon.</summary>
    public static string StripComment(string line)
    {
        var text = new System.Text.StringBuilder(line.Length);
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == ';')
            {
                text.Append(';');
                i++;
            }
            else if (line[i] == ';')
            {
                break;
            }
            else
            {
                text.Append(line[i]);
            }
        }

        return text.ToString();
    }

    private static (string Key, string Value) SplitAssignment(string line, int number)
    {
        var arrow = line.IndexOf("=>", StringComparison.Ordinal);
        var equals = line.IndexOf('=', StringComparison.Ordinal);
        var at = arrow >= 0 && arrow == equals ? arrow : equals;
        if (at <= 0)
        {
            throw new DialplanException($"line {number}: '{line}' is not 'key => value'");
        }

        var length = at == arrow ? 2 : 1;
        return (line[..at].Trim(), line[(at + length)..].Trim());
    }

    private static DialplanExtension ParseExten(DialplanContext context, string value, int number)
    {
        var comma = value.IndexOf(',', StringComparison.Ordinal);
        if (comma <= 0)
        {
            throw new DialplanException($"line {number}: exten needs 'extension,priority,application'");
        }

        var extension = context.GetOrAdd(value[..comma].Trim());
        AddPriority(extension, value[(comma + 1)..], number);
        return extension;
    }

    private static DialplanExtension ParseSame(DialplanExtension? current, string value, int number)
    {
        if (current is null)
        {
            throw new DialplanException($"line {number}: 'same' needs an exten line before it in the same context");
        }

        AddPriority(current, value, number);
        return current;
    }

    private static void AddPriority(DialplanExtension extension, string value, int number)
    {
        var comma = value.IndexOf(',', StringComparison.Ordinal);
        if (comma <= 0)
        {
            throw new DialplanException($"line {number}: needs 'priority,application'");
        }

        var (priority, label) = ParsePriority(extension, value[..comma].Trim(), number);
        var (application, arguments) = SplitApplication(value[(comma + 1)..].Trim(), number);
        extension.Add(new DialplanPriority(priority, label, application, arguments, number));
    }

    private static (int Priority, string? Label) ParsePriority(DialplanExtension extension, string text, int number)
    {
        string? label = null;
        var open = text.IndexOf('(', StringComparison.Ordinal);
        if (open >= 0)
        {
            if (!text.EndsWith(')'))
            {
                throw new DialplanException($"line {number}: priority '{text}' has an unclosed label");
            }

            label = text[(open + 1)..^1].Trim();
            text = text[..open].Trim();
        }

        if (text == "n")
        {
            return (extension.LastPriority + 1, label);
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var priority) && priority >= 1
            ? (priority, label)
            : throw new DialplanException($"line {number}: priority '{text}' is not a number >= 1 or n");
    }

    /// <summary><c>App(args)</c> into name and the text between the first <c>(</c> and the last <c>)</c>; <c>App</c> alone has no arguments.</summary>
    public static (string Application, string Arguments) SplitApplication(string text, int number)
    {
        var open = text.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
        {
            return (text, "");
        }

        if (!text.EndsWith(')') || open == 0)
        {
            throw new DialplanException($"line {number}: '{text}' is not App(arguments)");
        }

        return (text[..open].Trim(), text[(open + 1)..^1]);
    }
}
