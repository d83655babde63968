namespace AiAgent.CallSim.Dialplan;

/// <summary>What substitution reads: variables and dialplan functions of one channel.</summary>
public interface IDialplanScope
{
    /// <summary>The value of <c>${name}</c>, or null when unset (it expands to nothing).</summary>
    string? GetVariable(string name);

    /// <summary>The value of <c>${NAME(arguments)}</c>; an unknown function or a failure expands to nothing.</summary>
    ValueTask<string> CallFunctionAsync(string name, string arguments, CancellationToken cancellationToken);

    /// <summary>A WARNING Asterisk would log (bad expression, unknown function, unclosed brace).</summary>
    void Warn(string message);
}
