namespace AiAgent.CallSim.Dialplan;

/// <summary>A <c>[context]</c>: extensions, matched exactly first, then as patterns in the order written.</summary>
public sealed class DialplanContext(string name)
{
    private readonly List<DialplanExtension> _extensions = [];

    /// <summary>The context name.</summary>
    public string Name { get; } = name;

    /// <summary>The extensions in the order written.</summary>
    public IReadOnlyList<DialplanExtension> Extensions => _extensions;

    /// <summary>The extension written exactly so, creating it if new.</summary>
    public DialplanExtension GetOrAdd(string extension)
    {
        var existing = _extensions.Find(e => string.Equals(e.Name, extension, StringComparison.Ordinal));
        if (existing is not null)
        {
            return existing;
        }

        var created = new DialplanExtension(extension);
        _extensions.Add(created);
        return created;
    }

    /// <summary>The extension a dialled <paramref name="extension"/> runs: an exact match, else the first matching pattern.</summary>
    public DialplanExtension? Match(string extension) =>
        _extensions.Find(e => string.Equals(e.Name, extension, StringComparison.Ordinal))
        ?? _extensions.Find(e => ExtensionPattern.Matches(e.Name, extension));
}
