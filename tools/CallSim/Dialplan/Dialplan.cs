namespace AiAgent.CallSim.Dialplan;

/// <summary>A loaded <c>extensions.conf</c>: its contexts and its <c>[globals]</c>.</summary>
public sealed class Dialplan
{
    private readonly Dictionary<string, DialplanContext> _contexts = new(StringComparer.Ordinal);

    /// <summary>Variables from <c>[globals]</c>, visible to every channel.</summary>
    public Dictionary<string, string> Globals { get; } = new(StringComparer.Ordinal);

    /// <summary>The contexts in the order first written.</summary>
    public IEnumerable<DialplanContext> Contexts => _contexts.Values;

    /// <summary>The context, if it exists.</summary>
    public DialplanContext? Find(string context) => _contexts.GetValueOrDefault(context);

    /// <summary>The context written so; a context written twice is one context, as Asterisk merges them.</summary>
    public DialplanContext GetOrAdd(string context)
    {
        if (!_contexts.TryGetValue(context, out var existing))
        {
            existing = new DialplanContext(context);
            _contexts.Add(context, existing);
        }

        return existing;
    }

    /// <summary>Parses <c>extensions.conf</c> text (see <see cref="DialplanParser"/>).</summary>
    public static Dialplan Parse(string text) => DialplanParser.Parse(text);
}
