using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// The configuration keys a host reads, derived from the options types it binds: each public settable property
/// (named by its <see cref="ConfigurationKeyNameAttribute"/> or its own name) is a key, a nested options class is a
/// section, and a dictionary or list accepts any key below it. Keys compare ignoring case, as .NET configuration does.
/// </summary>
public sealed class ConfigurationSchema
{
    private const int MaxDepth = 8;

    private readonly Node _root = new(string.Empty);

    /// <summary>Adds every key <paramref name="optionsType"/> binds when bound at <paramref name="sectionPath"/> (empty: the root).</summary>
    /// <remarks>
    /// Binding a type below a dictionary (<c>providers:deepgram</c> under <c>providers</c>) closes the dictionary:
    /// it then accepts only the entries added this way, so a misspelt entry name is caught too.
    /// </remarks>
    public ConfigurationSchema Bind(string sectionPath, Type optionsType)
    {
        ArgumentNullException.ThrowIfNull(optionsType);
        AddProperties(NodeAt(sectionPath), optionsType, 0);
        return this;
    }

    /// <summary>Adds one key read directly (<c>configuration.GetValue(...)</c>) rather than through an options type.</summary>
    public ConfigurationSchema Key(string path)
    {
        NodeAt(path).IsValue = true;
        return this;
    }

    /// <summary>Accepts <paramref name="path"/> and any key below it (a section the framework reads, such as <c>Logging</c>).</summary>
    public ConfigurationSchema Open(string path)
    {
        NodeAt(path).IsOpen = true;
        return this;
    }

    /// <summary>Whether some options type or framework section reads <paramref name="key"/> (sections joined by <c>:</c>).</summary>
    public bool IsKnown(string key)
    {
        var node = _root;
        foreach (var segment in Segments(key))
        {
            if (node.IsOpen)
            {
                return true;
            }

            if (!node.Children.TryGetValue(segment, out var child))
            {
                return false;
            }

            node = child;
        }

        return node.IsOpen || node.IsValue;
    }

    /// <summary>Whether a host reads anything under the top-level key <paramref name="root"/>.</summary>
    public bool HasRoot(string root) => _root.Children.ContainsKey(root);

    /// <summary>Every concrete key (open sections as their path), in the spelling of the options types.</summary>
    public IEnumerable<string> Keys => Flatten(_root, prefix: null);

    /// <summary>
    /// The known key nearest to <paramref name="key"/> by edit distance (a transposition counts one), when it is close
    /// enough to be a likely misspelling; else null.
    /// </summary>
    public string? Closest(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var limit = Math.Max(1, Math.Min(3, key.Length / 5));
        var best = Keys
            .Select(k => (Key: k, Distance: EditDistance.Between(key.ToUpperInvariant(), k.ToUpperInvariant())))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Key;
    }

    private Node NodeAt(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var node = _root;
        foreach (var segment in Segments(path))
        {
            // An entry added explicitly below a dictionary closes it (see Bind).
            node.IsOpen = false;
            node = node.Child(segment);
        }

        return node;
    }

    private static void AddProperties(Node node, Type type, int depth)
    {
        if (depth > MaxDepth)
        {
            node.IsOpen = true;
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !IsBound(property))
            {
                continue;
            }

            // Lower case as the YAML spells a one-word key (the binder matches names ignoring case).
            var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name.ToLowerInvariant();
            var child = node.Child(name);
            var kind = KindOf(property.PropertyType);
            if (kind == ValueKind.Scalar)
            {
                child.IsValue = true;
            }
            else if (kind == ValueKind.Collection)
            {
                // Unless entries were added explicitly (Bind below it), which closes it.
                child.IsOpen = child.Children.Count == 0;
            }
            else
            {
                AddProperties(child, property.PropertyType, depth + 1);
            }
        }
    }

    // The binder sets settable properties and binds into the object a get-only complex property returns.
    private static bool IsBound(PropertyInfo property) =>
        property.SetMethod is { IsPublic: true } || (property.GetMethod is { IsPublic: true } && KindOf(property.PropertyType) != ValueKind.Scalar);

    private static ValueKind KindOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(object))
        {
            return ValueKind.Scalar;
        }

        if (typeof(IEnumerable).IsAssignableFrom(type))
        {
            return ValueKind.Collection;
        }

        return TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)) || typeof(Delegate).IsAssignableFrom(type)
            ? ValueKind.Scalar
            : ValueKind.Section;
    }

    private static IEnumerable<string> Flatten(Node node, string? prefix)
    {
        if (prefix is not null && (node.IsValue || node.IsOpen))
        {
            yield return prefix;
        }

        foreach (var child in node.Children.Values)
        {
            foreach (var key in Flatten(child, prefix is null ? child.Name : ConfigurationPath.Combine(prefix, child.Name)))
            {
                yield return key;
            }
        }
    }

    private static string[] Segments(string path) =>
        path.Length == 0 ? [] : path.Split(ConfigurationPath.KeyDelimiter);

    private enum ValueKind
    {
        Scalar,
        Collection,
        Section,
    }

    private sealed class Node(string name)
    {
        public string Name { get; } = name;

        public Dictionary<string, Node> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>A key that holds a value.</summary>
        public bool IsValue { get; set; }

        /// <summary>Any key at or below this one is accepted.</summary>
        public bool IsOpen { get; set; }

        public Node Child(string segment)
        {
            if (!Children.TryGetValue(segment, out var child))
            {
                child = new Node(segment);
                Children.Add(segment, child);
            }

            return child;
        }
    }
}
