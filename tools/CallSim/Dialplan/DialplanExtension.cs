namespace AiAgent.CallSim.Dialplan;

/// <summary>An extension of a context: its priorities and labels.</summary>
public sealed class DialplanExtension(string name)
{
    private readonly SortedDictionary<int, DialplanPriority> _priorities = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);

    /// <summary>The extension as written: <c>100</c>, <c>s</c>, <c>sales</c> or a pattern such as <c>_X.</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The highest priority so far (what <c>n</c> follows).</summary>
    public int LastPriority => _priorities.Count == 0 ? 0 : _priorities.Keys.Max();

    /// <summary>The priorities in order.</summary>
    public IEnumerable<DialplanPriority> Priorities => _priorities.Values;

    /// <summary>Adds a priority; a number or label used twice is an error, as Asterisk refuses to register it.</summary>
    public void Add(DialplanPriority priority)
    {
        if (!_priorities.TryAdd(priority.Number, priority))
        {
            throw new DialplanException($"line {priority.Line}: extension {Name} already has priority {priority.Number}");
        }

        if (priority.Label is { } label && !_labels.TryAdd(label, priority.Number))
        {
            throw new DialplanException($"line {priority.Line}: extension {Name} already has a priority labelled '{label}'");
        }
    }

    /// <summary>The priority with this number, if any.</summary>
    public DialplanPriority? Find(int number) => _priorities.GetValueOrDefault(number);

    /// <summary>The number of the priority with this label, if any.</summary>
    public int? FindLabel(string label) => _labels.TryGetValue(label, out var number) ? number : null;
}
