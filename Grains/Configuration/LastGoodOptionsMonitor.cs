using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace AiAgent.Grains.Configuration;

/// <summary>
/// An <see cref="IOptionsMonitor{TOptions}"/> that only ever serves validated options. At start-up an invalid
/// value throws (start-up fails, naming the key); on a live reload an invalid edit is logged and the last good
/// options stay in force. The stock monitor would instead throw from every later read.
/// </summary>
public sealed partial class LastGoodOptionsMonitor<TOptions> : IOptionsMonitor<TOptions>, IDisposable
    where TOptions : class
{
    private readonly IOptionsFactory<TOptions> _factory;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _registrations = [];
    private readonly List<Action<TOptions, string?>> _listeners = [];
    private readonly Lock _lock = new();
    private volatile TOptions _current;

    /// <summary>Creates the monitor and validates the initial options (throws <see cref="OptionsValidationException"/>).</summary>
    public LastGoodOptionsMonitor(IOptionsFactory<TOptions> factory, IEnumerable<IOptionsChangeTokenSource<TOptions>> sources, ILogger<LastGoodOptionsMonitor<TOptions>> logger)
    {
        _factory = factory;
        _logger = logger;
        _current = factory.Create(Options.DefaultName);
        foreach (var source in sources)
        {
            _registrations.Add(ChangeToken.OnChange(source.GetChangeToken, Reload));
        }
    }

    /// <summary>How many reloads were rejected (for tests and diagnostics).</summary>
    public int RejectedReloads { get; private set; }

    /// <inheritdoc/>
    public TOptions CurrentValue => _current;

    /// <inheritdoc/>
    public TOptions Get(string? name) => _current;

    /// <inheritdoc/>
    public IDisposable? OnChange(Action<TOptions, string?> listener)
    {
        lock (_lock)
        {
            _listeners.Add(listener);
        }

        return new Unsubscriber(this, listener);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private void Reload()
    {
        TOptions next;
        try
        {
            next = _factory.Create(Options.DefaultName);
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException or FormatException)
        {
            RejectedReloads++;
            LogRejected(_logger, typeof(TOptions).Name, ex.Message);
            return;
        }

        _current = next;
        LogReloaded(_logger, typeof(TOptions).Name);
        Action<TOptions, string?>[] listeners;
        lock (_lock)
        {
            listeners = [.. _listeners];
        }

        foreach (var listener in listeners)
        {
            listener(next, Options.DefaultName);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Configuration reloaded: new {OptionsType} apply to the next call")]
    private static partial void LogReloaded(ILogger logger, string optionsType);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Configuration edit rejected, the last good {OptionsType} stay in force: {Reason}")]
    private static partial void LogRejected(ILogger logger, string optionsType, string reason);

    private sealed class Unsubscriber(LastGoodOptionsMonitor<TOptions> monitor, Action<TOptions, string?> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (monitor._lock)
            {
                monitor._listeners.Remove(listener);
            }
        }
    }
}
