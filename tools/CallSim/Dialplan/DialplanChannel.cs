using System.Globalization;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// The channel a dialplan runs on: its place in the dialplan, its variables, whether it is answered, and the log of
/// what ran. Variable names are case-sensitive; <c>EXTEN</c>, <c>CONTEXT</c>, <c>PRIORITY</c> and <c>CHANNEL</c> are
/// built in; <c>[globals]</c> are read after the channel's own.
/// </summary>
internal sealed class DialplanChannel(Dialplan dialplan, DialplanRunSettings settings, DialplanFunctions functions) : IDialplanScope
{
    private readonly Dictionary<string, string> _variables = new(StringComparer.Ordinal);
    private readonly List<string> _log = [];
    private readonly List<ExecutedStep> _steps = [];
    private readonly List<CallResult> _sessions = [];

    public Dialplan Dialplan { get; } = dialplan;

    public DialplanRunSettings Settings { get; } = settings;

    public string Context { get; set; } = settings.Context;

    public string Extension { get; set; } = settings.Extension;

    public int Priority { get; set; } = 1;

    public string? Label { get; set; }

    public bool Answered { get; set; }

    public string Name { get; } = $"Local/{settings.Extension}@{settings.Context}-{Random.Shared.Next(0x10000):x4};1";

    public DialplanLocation Location => new(Context, Extension, Priority, Label);

    public IReadOnlyList<string> Log => _log;

    public IReadOnlyList<ExecutedStep> Steps => _steps;

    public IReadOnlyList<CallResult> Sessions => _sessions;

    public IReadOnlyDictionary<string, string> Variables => _variables;

    public string? GetVariable(string name) => name switch
    {
        "EXTEN" => Extension,
        "CONTEXT" => Context,
        "PRIORITY" => Priority.ToString(CultureInfo.InvariantCulture),
        "CHANNEL" => Name,
        _ => _variables.TryGetValue(name, out var value) ? value : Dialplan.Globals.GetValueOrDefault(name),
    };

    /// <summary>pbx_builtin_setvar_helper: the inheritance prefixes <c>_</c> and <c>__</c> are not part of the name.</summary>
    public void SetVariable(string name, string value) => _variables[name.TrimStart('_')] = value;

    public ValueTask<string> CallFunctionAsync(string name, string arguments, CancellationToken cancellationToken) =>
        functions.CallAsync(this, name, arguments, cancellationToken);

    public void Warn(string message) => _log.Add($"WARNING {message}");

    public void Error(string message) => _log.Add($"ERROR {message}");

    public void Note(string message) => _log.Add(message);

    public void Record(ExecutedStep step)
    {
        _steps.Add(step);
        _log.Add($"-- Executing [{step.At.Extension}@{step.At.Context}:{step.At.Priority}] {step.Application}(\"{Name}\", \"{step.Arguments}\")");
    }

    public void AddSession(CallResult session) => _sessions.Add(session);

    public DialplanRunResult Finish(DialplanOutcome outcome) =>
        new(_steps.ToArray(), _log.ToArray(), outcome, new Dictionary<string, string>(_variables), _sessions.ToArray());
}
