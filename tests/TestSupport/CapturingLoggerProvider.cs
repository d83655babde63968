using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AiAgent.Tests.Support;

/// <summary>
/// Captures every log entry of every category (level, event id, message, structured state, exception), for
/// assertions on event ids and for checks that no secret or personal data reaches any log.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();

    /// <summary>Everything logged so far, in order.</summary>
    public IReadOnlyList<CapturedLog> Entries => [.. _entries];

    /// <summary>Everything logged, as one string (messages, state values, exceptions), for "appears nowhere" checks.</summary>
    public string AllText() => string.Join('\n', _entries.Select(e => e.ToString()));

    /// <summary>The entries with <paramref name="eventId"/>.</summary>
    public IReadOnlyList<CapturedLog> WithEventId(int eventId) => [.. _entries.Where(e => e.EventId == eventId)];

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.Where(p => p.Key != "{OriginalFormat}").ToDictionary(p => p.Key, p => p.Value)
                : new Dictionary<string, object?>();
            owner._entries.Enqueue(new CapturedLog(logLevel, category, eventId.Id, formatter(state, exception), values, exception));
        }
    }
}

/// <summary>One captured log entry; <see cref="State"/> holds the structured values by name.</summary>
public sealed record CapturedLog(LogLevel Level, string Category, int EventId, string Message, IReadOnlyDictionary<string, object?> State, Exception? Exception)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Level} {Category} {EventId} {Message} [{string.Join(";", State.Select(p => $"{p.Key}={p.Value}"))}] {Exception}";
}
