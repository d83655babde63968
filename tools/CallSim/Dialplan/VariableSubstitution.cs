using System.Globalization;
using System.Text;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// Asterisk's substitution of <c>${VAR}</c>, <c>${VAR:offset[:length]}</c>, <c>${FUNC(args)}</c> and <c>$[expression]</c>
/// in application arguments, innermost first, as pbx_substitute_variables_helper does: the text between the
/// braces is substituted before it is looked up, so <c>${CURL(http://h/${CALLID})}</c> works.
/// </summary>
public static class VariableSubstitution
{
    /// <summary>Substitutes everything in <paramref name="text"/>.</summary>
    public static async ValueTask<string> ExpandAsync(string text, IDialplanScope scope, CancellationToken cancellationToken)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var start = NextReference(text, i);
            if (start < 0)
            {
                result.Append(text, i, text.Length - i);
                break;
            }

            result.Append(text, i, start - i);
            var isExpression = text[start + 1] == '[';
            var end = MatchingClose(text, start + 2, isExpression ? '[' : '{', isExpression ? ']' : '}');
            if (end < 0)
            {
                scope.Warn($"Error in extension logic (missing '{(isExpression ? ']' : '}')}') in '{text}'");
                result.Append(text, start, text.Length - start);
                break;
            }

            var inner = await ExpandAsync(text[(start + 2)..end], scope, cancellationToken).ConfigureAwait(false);
            if (isExpression)
            {
                if (DialplanExpression.TryEvaluate(inner, out var value, out var error))
                {
                    result.Append(value);
                }
                else
                {
                    scope.Warn($"expression '$[{inner}]': {error}");
                }
            }
            else
            {
                result.Append(await ReferenceAsync(inner, scope, cancellationToken).ConfigureAwait(false));
            }

            i = end + 1;
        }

        return result.ToString();
    }

    /// <summary>
    /// <c>${VAR:offset:length}</c> as Asterisk cuts it: a negative offset counts from the end, a negative length
    /// leaves that many characters off the end, an offset past the end gives nothing.
    /// </summary>
    public static string Substring(string value, int offset, int length)
    {
        var total = value.Length;
        if (offset == 0 && length >= total)
        {
            return value;
        }

        if (offset < 0)
        {
            offset = Math.Max(0, total + offset);
        }

        if (offset >= total)
        {
            return "";
        }

        var remaining = total - offset;
        if (length >= 0)
        {
            return value.Substring(offset, Math.Min(length, remaining));
        }

        return remaining + length > 0 ? value.Substring(offset, remaining + length) : "";
    }

    private static async ValueTask<string> ReferenceAsync(string reference, IDialplanScope scope, CancellationToken cancellationToken)
    {
        var (name, offset, length) = SplitOffsets(reference);
        string value;
        var open = name.IndexOf('(', StringComparison.Ordinal);
        if (open > 0 && name.EndsWith(')'))
        {
            value = await scope.CallFunctionAsync(name[..open], name[(open + 1)..^1], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            value = scope.GetVariable(name) ?? "";
        }

        return offset is null ? value : Substring(value, offset.Value, length);
    }

    /// <summary>Splits <c>NAME:offset:length</c> at the first colon outside parentheses.</summary>
    private static (string Name, int? Offset, int Length) SplitOffsets(string reference)
    {
        var depth = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            switch (reference[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ':' when depth == 0:
                    var parts = reference[(i + 1)..].Split(':', 2);
                    var offset = LeadingInt(parts[0]);
                    var length = parts.Length > 1 ? LeadingInt(parts[1]) : int.MaxValue;
                    return (reference[..i], offset, length);
            }
        }

        return (reference, null, int.MaxValue);
    }

    /// <summary>sscanf's <c>%d</c>: the leading integer, 0 if there is none.</summary>
    private static int LeadingInt(string text)
    {
        text = text.TrimStart();
        var end = 0;
        if (end < text.Length && text[end] is '-' or '+')
        {
            end++;
        }

        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return int.TryParse(text.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    private static int NextReference(string text, int from)
    {
        for (var i = text.IndexOf('$', from); i >= 0 && i + 1 < text.Length; i = text.IndexOf('$', i + 1))
        {
            if (text[i + 1] is '{' or '[')
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The index of the bracket closing the one before <paramref name="from"/>, counting nested pairs.</summary>
    private static int MatchingClose(string text, int from, char open, char close)
    {
        var depth = 1;
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == open)
            {
                depth++;
            }
            else if (text[i] == close && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }
}
