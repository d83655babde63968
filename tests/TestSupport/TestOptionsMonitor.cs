using Microsoft.Extensions.Options;

namespace AiAgent.Tests.Support;

/// <summary>An <see cref="IOptionsMonitor{T}"/> whose value a test can replace (a config reload).</summary>
public sealed class TestOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    /// <inheritdoc/>
    public T CurrentValue { get; set; } = value;

    /// <inheritdoc/>
    public T Get(string? name) => CurrentValue;

    /// <inheritdoc/>
    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
