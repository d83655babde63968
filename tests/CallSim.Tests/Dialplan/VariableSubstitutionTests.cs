using AiAgent.CallSim.Dialplan;

namespace AiAgent.CallSim.Tests.Dialplan;

public sealed class VariableSubstitutionTests
{
    private sealed class Scope : IDialplanScope
    {
        public Dictionary<string, string> Variables { get; } = new(StringComparer.Ordinal)
        {
            ["NEXT"] = "transfer:sales",
            ["CALLID"] = "40325ec2-5efd-4bd3-805f-53576e581d13",
            ["TRIES"] = "2",
            ["NAME"] = "NEXT",
        };

        public List<string> Warnings { get; } = [];

        public string? GetVariable(string name) => Variables.GetValueOrDefault(name);

        public ValueTask<string> CallFunctionAsync(string name, string arguments, CancellationToken cancellationToken) =>
            ValueTask.FromResult(name == "ECHO" ? $"<{arguments}>" : "");

        public void Warn(string message) => Warnings.Add(message);
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("${NEXT}", "transfer:sales")]
    [InlineData("a${NEXT}b", "atransfer:salesb")]
    [InlineData("${UUID}", "")] // an unset variable: empty (the function is ${UUID()})
    [InlineData("${next}", "")] // names are case-sensitive
    [InlineData("${NEXT:0:9}", "transfer:")]
    [InlineData("${NEXT:9}", "sales")]
    [InlineData("${NEXT:-5}", "sales")]
    [InlineData("${NEXT:-5:2}", "sa")]
    [InlineData("${NEXT:0:-6}", "transfer")]
    [InlineData("${NEXT:20}", "")]
    [InlineData("${NEXT:0:0}", "")]
    [InlineData("${${NAME}}", "transfer:sales")] // the name is substituted first
    [InlineData("${ECHO(http://h/${CALLID}/d)}", "<http://h/40325ec2-5efd-4bd3-805f-53576e581d13/d>")]
    [InlineData("${ECHO(a,b)}", "<a,b>")]
    [InlineData("${ECHO(a:b)}", "<a:b>")] // a colon inside the parentheses is not an offset
    [InlineData("$[${TRIES} + 1]", "3")]
    [InlineData("$[\"${NEXT:0:9}\" = \"transfer:\"]", "1")]
    [InlineData("$[\"${NEXT}\" = \"hangup\"]?done", "0?done")]
    [InlineData("$[$[1 + 1] * 2]", "4")]
    [InlineData("cost $5", "cost $5")]
    public async Task Substitutes_as_Asterisk_does(string text, string expected)
    {
        var scope = new Scope();
        Assert.Equal(expected, await VariableSubstitution.ExpandAsync(text, scope, CancellationToken.None));
        Assert.Empty(scope.Warnings);
    }

    [Theory]
    [InlineData("${NEXT", "missing '}'", "${NEXT")]
    [InlineData("$[ = hangup]", "operand is missing", "")]
    [InlineData("x$[\"${NEXT}\" = hangup", "missing ']'", "x$[\"${NEXT}\" = hangup")]
    public async Task Reports_what_Asterisk_warns_about(string text, string warning, string expected)
    {
        var scope = new Scope();
        Assert.Equal(expected, await VariableSubstitution.ExpandAsync(text, scope, CancellationToken.None));
        Assert.Contains(scope.Warnings, w => w.Contains(warning, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("hello", 0, int.MaxValue, "hello")]
    [InlineData("hello", 1, 3, "ell")]
    [InlineData("hello", -2, int.MaxValue, "lo")]
    [InlineData("hello", -9, 2, "he")]
    [InlineData("hello", 1, -1, "ell")]
    [InlineData("hello", 3, -5, "")]
    [InlineData("hello", 5, 1, "")]
    public void Cuts_substrings_like_Asterisk(string value, int offset, int length, string expected) =>
        Assert.Equal(expected, VariableSubstitution.Substring(value, offset, length));

    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("", new[] { "" })]
    [InlineData("AudioSocket/h:1/u/c(slin16),,g", new[] { "AudioSocket/h:1/u/c(slin16)", "", "g" })]
    [InlineData("f(a,b),c", new[] { "f(a,b)", "c" })]
    [InlineData("\"a,b\",c", new[] { "a,b", "c" })] // quotes group and are removed
    [InlineData("a\\,b,c", new[] { "a,b", "c" })] // a backslash escapes
    public void Splits_arguments_like_AST_STANDARD_APP_ARGS(string text, string[] expected) =>
        Assert.Equal(expected, ApplicationArguments.Split(text));

    [Theory]
    [InlineData("1,a, b, c", new[] { "1", "a, b, c" })]
    [InlineData("1", new[] { "1" })]
    [InlineData("1,\"x,y\",z", new[] { "1", "x,y,z" })]
    public void The_last_declared_argument_takes_the_rest(string text, string[] expected) =>
        Assert.Equal(expected, ApplicationArguments.Split(text, 2));
}
