using System.Globalization;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// The part of Asterisk's <c>$[ … ]</c> expression language the documented dialplans use: string and number
/// comparison (<c>= == != &lt; &gt; &lt;= &gt;=</c>, numeric when both sides are numbers), <c>&amp;</c>, <c>|</c>,
/// <c>!</c>, <c>+ - * / %</c> and parentheses, with Asterisk's precedence (unary, multiplicative, additive,
/// comparison, <c>&amp;</c>, <c>|</c>). Double quotes delimit a string and are stripped. Results are strings:
/// <c>1</c>/<c>0</c> for comparisons. An empty operand is a syntax error, as in Asterisk (<c>$[ = hangup]</c>), which
/// is why the documented dialplans quote <c>"${NEXT}"</c>. The regex (<c>:</c>, <c>=~</c>) and conditional (<c>? ::</c>)
/// operators are not supported and are reported as such.
/// </summary>
public static class DialplanExpression
{
    /// <summary>Evaluates <paramref name="text"/> (already substituted).</summary>
    public static bool TryEvaluate(string text, out string result, out string? error)
    {
        result = "";
        error = null;
        try
        {
            var parser = new Parser(Tokenize(text));
            result = parser.ParseAll();
            return true;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Asterisk's truth for <c>GotoIf</c> and <c>&amp;</c>/<c>|</c>: empty is false; text starting with a digit is its leading integer; other text is true.</summary>
    public static bool IsTrue(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        if (!char.IsAsciiDigit(value[0]))
        {
            return true;
        }

        var end = 0;
        while (end < value.Length && char.IsAsciiDigit(value[end]))
        {
            end++;
        }

        return value.AsSpan(0, end).ContainsAnyExcept('0');
    }

    private readonly record struct Token(string Text, bool IsOperator);

    private static readonly string[] s_operators = ["==", "!=", "<=", ">=", "=~", "::", "=", "<", ">", "&", "|", "!", "+", "-", "*", "/", "%", "(", ")", ":", "?", "~"];

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            if (text[i] == '"')
            {
                var close = text.IndexOf('"', i + 1);
                if (close < 0)
                {
                    throw new FormatException("syntax error: unterminated string");
                }

                tokens.Add(new Token(text[(i + 1)..close], false));
                i = close + 1;
                continue;
            }

            var op = Array.Find(s_operators, o => string.CompareOrdinal(text, i, o, 0, o.Length) == 0);
            if (op is not null)
            {
                if (op is "=~" or "::" or ":" or "?" or "~")
                {
                    throw new FormatException($"operator '{op}' is not supported by this interpreter");
                }

                tokens.Add(new Token(op, true));
                i += op.Length;
                continue;
            }

            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '"'
                   && Array.Find(s_operators, o => o[0] == text[i]) is null)
            {
                i++;
            }

            tokens.Add(new Token(text[start..i], false));
        }

        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _next;

        public string ParseAll()
        {
            if (tokens.Count == 0)
            {
                throw new FormatException("syntax error: empty expression");
            }

            var value = Or();
            if (_next < tokens.Count)
            {
                throw new FormatException($"syntax error at '{tokens[_next].Text}'");
            }

            return value;
        }

        private string Or()
        {
            var left = And();
            while (Accept("|"))
            {
                var right = And();
                left = IsTrue(left) ? left : right;
            }

            return left;
        }

        private string And()
        {
            var left = Comparison();
            while (Accept("&"))
            {
                var right = Comparison();
                left = IsTrue(left) && IsTrue(right) ? left : "0";
            }

            return left;
        }

        private string Comparison()
        {
            var left = Additive();
            while (Peek() is "=" or "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                var op = tokens[_next++].Text;
                var right = Additive();
                var order = TryNumber(left, out var a) && TryNumber(right, out var b)
                    ? a.CompareTo(b)
                    : string.CompareOrdinal(left, right);
                var result = op switch
                {
                    "=" or "==" => order == 0,
                    "!=" => order != 0,
                    "<" => order < 0,
                    ">" => order > 0,
                    "<=" => order <= 0,
                    _ => order >= 0,
                };
                left = result ? "1" : "0";
            }

            return left;
        }

        private string Additive()
        {
            var left = Multiplicative();
            while (Peek() is "+" or "-")
            {
                var op = tokens[_next++].Text;
                var right = Multiplicative();
                left = Arithmetic(left, right, op);
            }

            return left;
        }

        private string Multiplicative()
        {
            var left = Unary();
            while (Peek() is "*" or "/" or "%")
            {
                var op = tokens[_next++].Text;
                var right = Unary();
                left = Arithmetic(left, right, op);
            }

            return left;
        }

        private string Unary()
        {
            if (Accept("!"))
            {
                return IsTrue(Unary()) ? "0" : "1";
            }

            if (Accept("-"))
            {
                return Arithmetic("0", Unary(), "-");
            }

            if (Accept("("))
            {
                var inner = Or();
                return Accept(")") ? inner : throw new FormatException("syntax error: missing ')'");
            }

            if (_next >= tokens.Count || tokens[_next].IsOperator)
            {
                throw new FormatException(_next >= tokens.Count
                    ? "syntax error: an operand is missing at the end (an empty value? quote it: \"${VAR}\")"
                    : $"syntax error: an operand is missing before '{tokens[_next].Text}' (an empty value? quote it: \"${{VAR}}\")");
            }

            return tokens[_next++].Text;
        }

        private static string Arithmetic(string left, string right, string op)
        {
            if (!TryNumber(left, out var a) || !TryNumber(right, out var b))
            {
                throw new FormatException($"non-numeric argument to '{op}' ('{left}', '{right}')");
            }

            if (op is "/" or "%" && b == 0)
            {
                throw new FormatException("divide by zero");
            }

            var value = op switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" => Math.Truncate(a / b),
                _ => a % b,
            };
            return value.ToString(CultureInfo.InvariantCulture);
        }

        private static bool TryNumber(string text, out decimal value) =>
            decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

        private string? Peek() => _next < tokens.Count && tokens[_next].IsOperator ? tokens[_next].Text : null;

        private bool Accept(string op)
        {
            if (Peek() == op)
            {
                _next++;
                return true;
            }

            return false;
        }
    }
}
