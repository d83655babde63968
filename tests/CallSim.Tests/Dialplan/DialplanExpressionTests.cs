using AiAgent.CallSim.Dialplan;

namespace AiAgent.CallSim.Tests.Dialplan;

public sealed class DialplanExpressionTests
{
    [Theory]
    [InlineData("\"hangup\" = \"hangup\"", "1")]
    [InlineData("\"hangup\" = \"transfer:sales\"", "0")]
    [InlineData("\"\" = \"hangup\"", "0")]
    [InlineData("\"a\" != \"b\"", "1")]
    [InlineData("\"a\" != \"a\"", "0")]
    [InlineData("hangup == hangup", "1")]
    [InlineData("10 = 10.0", "1")] // both numbers: compared as numbers
    [InlineData("9 < 10", "1")]
    [InlineData("\"9\" < \"10\"", "1")] // quotes only delimit; still numbers
    [InlineData("abc < abd", "1")]
    [InlineData("2 >= 3", "0")]
    [InlineData("0 + 1", "1")]
    [InlineData("2 * 3 + 1", "7")]
    [InlineData("2 * (3 + 1)", "8")]
    [InlineData("7 / 2", "3")]
    [InlineData("7 % 4", "3")]
    [InlineData("-3 + 1", "-2")]
    [InlineData("\"reconnect\" = \"reconnect\" & 0 < 3", "1")] // comparison binds tighter than &
    [InlineData("\"reconnect\" = \"reconnect\" & 3 < 3", "0")]
    [InlineData("\"x\" = \"reconnect\" & 0 < 3", "0")]
    [InlineData("0 | \"fallback\"", "fallback")]
    [InlineData("\"first\" | \"second\"", "first")]
    [InlineData("\"\" | 0", "0")]
    [InlineData("!0", "1")]
    [InlineData("!\"text\"", "0")]
    [InlineData("1=1", "1")] // no spaces needed around operators
    public void Evaluates_as_Asterisk_does(string expression, string expected)
    {
        Assert.True(DialplanExpression.TryEvaluate(expression, out var result, out var error), error);
        Assert.Equal(expected, result);
    }

    [Theory]
    [InlineData(" = hangup", "operand is missing")] // an unquoted empty variable
    [InlineData("hangup = ", "operand is missing")]
    [InlineData("", "empty expression")]
    [InlineData("transfer:sales = x", "':' is not supported")]
    [InlineData("a =~ b", "'=~' is not supported")]
    [InlineData("1 ? 2 :: 3", "'?' is not supported")]
    [InlineData("\"open", "unterminated")]
    [InlineData("(1 = 1", "missing ')'")]
    [InlineData("a + 1", "non-numeric")]
    [InlineData("1 / 0", "divide by zero")]
    [InlineData("1 2", "syntax error")]
    public void Rejects_what_it_cannot_evaluate_with_a_reason(string expression, string reason)
    {
        Assert.False(DialplanExpression.TryEvaluate(expression, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("0", false)]
    [InlineData("00", false)]
    [InlineData("1", true)]
    [InlineData("10", true)]
    [InlineData("0abc", false)] // atoi("0abc") = 0
    [InlineData("2abc", true)]
    [InlineData("abc", true)]
    [InlineData("-1", true)] // not a digit first: true
    [InlineData(" 0", true)]
    public void Truth_follows_pbx_checkcondition(string value, bool expected) =>
        Assert.Equal(expected, DialplanExpression.IsTrue(value));
}
