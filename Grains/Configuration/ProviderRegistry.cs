namespace AiAgent.Grains.Configuration;

/// <summary>
/// The providers registered in this silo, in registration order (first registration of a name wins):
/// <c>default_provider</c> must name one of them, and each validates its own block.
/// </summary>
public sealed class ProviderRegistry
{
    private readonly IReadOnlyList<ProviderRegistration> _registrations;

    /// <summary>Creates the registry from the registrations in DI.</summary>
    public ProviderRegistry(IEnumerable<ProviderRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        _registrations = [.. registrations.DistinctBy(r => r.Name, StringComparer.Ordinal)];
        Names = [.. _registrations.Select(r => r.Name)];
    }

    /// <summary>The registered provider names.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Whether <paramref name="name"/> is registered (names compare exactly, as in <c>default_provider</c>).</summary>
    public bool Contains(string? name) => name is not null && Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Appends every provider's errors for its block of <paramref name="options"/>.</summary>
    public void Validate(AgentOptions options, List<string> errors)
    {
        foreach (var registration in _registrations)
        {
            registration.Validate(options, errors);
        }
    }
}
