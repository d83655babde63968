using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Configuration;

/// <summary>
/// <c>providers</c>: one block per provider, keyed by the provider's name, typed by the provider that reads it
/// (<see cref="Get{TOptions}"/>; each provider adds a property for its own block, e.g. <c>Providers.Deepgram</c>).
/// Nothing here names a provider, so a new one is an addition.
/// </summary>
/// <remarks>
/// The configuration binder fills it as a dictionary of sections (the explicit <see cref="IDictionary{TKey,TValue}"/>
/// members are for the binder only). Each section is copied when bound, so the options keep the values of the
/// moment they were built, as the typed properties they replace did: a later reload (even one that is rejected)
/// never shows through. A block is bound into its type on first read and that object is kept.
/// </remarks>
public sealed class ProvidersOptions : IDictionary<string, IConfigurationSection>
{
    private readonly ConcurrentDictionary<string, object> _typed = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IConfiguration> _sections = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The names of the blocks present in the configuration.</summary>
    public IEnumerable<string> Names => _sections.Keys.Union(_typed.Keys, StringComparer.OrdinalIgnoreCase);

    /// <summary>The block <c>providers.<paramref name="name"/></c> as <typeparamref name="TOptions"/> (its defaults when the file has none).</summary>
    /// <exception cref="InvalidOperationException">A value does not convert (the message names the key), or the block was read as another type.</exception>
    public TOptions Get<TOptions>(string name) where TOptions : class, new() =>
        _typed.GetOrAdd(name, Bind<TOptions>) as TOptions
        ?? throw new InvalidOperationException($"providers.{name} is read as {_typed[name].GetType().Name}, not {typeof(TOptions).Name}");

    /// <summary>Replaces the block <c>providers.<paramref name="name"/></c> (tests and code that build options by hand).</summary>
    public void Set<TOptions>(string name, TOptions options) where TOptions : class =>
        _typed[name] = options ?? throw new ArgumentNullException(nameof(options));

    private TOptions Bind<TOptions>(string name) where TOptions : class, new() =>
        _sections.TryGetValue(name, out var section) ? section.Get<TOptions>() ?? new TOptions() : new TOptions();

    private static IConfiguration Snapshot(IConfiguration section) =>
        new ConfigurationBuilder().AddInMemoryCollection(section.AsEnumerable(makePathsRelative: true)).Build();

    IConfigurationSection IDictionary<string, IConfigurationSection>.this[string key]
    {
        get => throw new KeyNotFoundException(key);
        set
        {
            _sections[key] = Snapshot(value);
            _typed.TryRemove(key, out _);
        }
    }

    ICollection<string> IDictionary<string, IConfigurationSection>.Keys => _sections.Keys;

    ICollection<IConfigurationSection> IDictionary<string, IConfigurationSection>.Values => [];

    int ICollection<KeyValuePair<string, IConfigurationSection>>.Count => _sections.Count;

    bool ICollection<KeyValuePair<string, IConfigurationSection>>.IsReadOnly => false;

    void IDictionary<string, IConfigurationSection>.Add(string key, IConfigurationSection value) => ((IDictionary<string, IConfigurationSection>)this)[key] = value;

    void ICollection<KeyValuePair<string, IConfigurationSection>>.Add(KeyValuePair<string, IConfigurationSection> item) => ((IDictionary<string, IConfigurationSection>)this)[item.Key] = item.Value;

    void ICollection<KeyValuePair<string, IConfigurationSection>>.Clear()
    {
        _sections.Clear();
        _typed.Clear();
    }

    bool ICollection<KeyValuePair<string, IConfigurationSection>>.Contains(KeyValuePair<string, IConfigurationSection> item) => false;

    bool IDictionary<string, IConfigurationSection>.ContainsKey(string key) => _sections.ContainsKey(key);

    void ICollection<KeyValuePair<string, IConfigurationSection>>.CopyTo(KeyValuePair<string, IConfigurationSection>[] array, int arrayIndex)
    {
    }

    IEnumerator<KeyValuePair<string, IConfigurationSection>> IEnumerable<KeyValuePair<string, IConfigurationSection>>.GetEnumerator() =>
        Enumerable.Empty<KeyValuePair<string, IConfigurationSection>>().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => Enumerable.Empty<object>().GetEnumerator();

    bool IDictionary<string, IConfigurationSection>.Remove(string key) => _sections.Remove(key) | _typed.TryRemove(key, out _);

    bool ICollection<KeyValuePair<string, IConfigurationSection>>.Remove(KeyValuePair<string, IConfigurationSection> item) => false;

    bool IDictionary<string, IConfigurationSection>.TryGetValue(string key, [MaybeNullWhen(false)] out IConfigurationSection value)
    {
        // The binder asks for the current value before binding a key; a fresh section is always bound.
        value = null;
        return false;
    }
}
