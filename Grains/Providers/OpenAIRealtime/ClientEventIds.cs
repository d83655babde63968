namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// Ids for the client events we send (<c>cli_1</c>, <c>cli_2</c>, …) and the type of each recent one, so a server
/// <c>error</c> that quotes an <c>event_id</c> can name the event it refused.
/// </summary>
internal sealed class ClientEventIds
{
    private const int Remembered = 256;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private long _counter;

    /// <summary>A fresh id for an event of <paramref name="type"/>.</summary>
    public string Next(string type)
    {
        var id = "cli_" + Interlocked.Increment(ref _counter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _types[id] = type;
            _order.Enqueue(id);
            if (_order.Count > Remembered)
            {
                _types.Remove(_order.Dequeue());
            }
        }

        return id;
    }

    /// <summary>The type of the event <paramref name="eventId"/> names, if it is one of ours and recent.</summary>
    public string TypeOf(string? eventId)
    {
        lock (_gate)
        {
            return eventId is not null && _types.TryGetValue(eventId, out var type) ? type : "(unknown client event)";
        }
    }
}
