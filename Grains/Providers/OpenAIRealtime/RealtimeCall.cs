using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AiAgent.Grains.Providers.Transport;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// What every part of one OpenAI Realtime session shares: the call, its options and formats, the event stream the
/// grain reads, the conversation, the playout estimate, the client event ids, and where client events go.
/// </summary>
internal sealed class RealtimeCall
{
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _ending = new();
    private readonly Lock _gate = new();
    private ProviderConnection? _latest;
    private int _latestEpoch;

    public RealtimeCall(OpenAIRealtimeOptions options, string? apiKey, AgentSessionContext context, ILogger logger, TimeProvider time, Tools.ToolMetrics toolMetrics)
    {
        Options = options;
        ApiKey = apiKey;
        CallId = context.CallId;
        Logger = logger;
        Time = time;
        Formats = options.ResolveFormats(context.CallFormat);
        Playout = new AgentPlayout(time);
        Conversation = new RealtimeConversation(Formats.Output, time);
        Tools = new Tools.ToolRunner(OpenAIRealtimeOptions.Name, context.CallId, context.Tools, toolMetrics, logger, time, Publish);
        Resumed = context.Resumed;
        if (Resumed)
        {
            Conversation.Resume(context.PriorConversation);
        }
    }

    /// <summary>The call resumes after its silo was lost: the first connection is seeded and never greets.</summary>
    public bool Resumed { get; }

    public OpenAIRealtimeOptions Options { get; }

    /// <summary>The API key (only ever in the upgrade's Authorization header, and scrubbed from server messages).</summary>
    public string? ApiKey { get; }

    public Guid CallId { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public ProviderAudioFormats Formats { get; }

    /// <summary>When the agent's audio has played out to the caller (fed by the grain's playout reports).</summary>
    public AgentPlayout Playout { get; }

    public RealtimeConversation Conversation { get; }

    public ClientEventIds EventIds { get; } = new();

    /// <summary>Runs the model's function calls off the receive loop.</summary>
    public Tools.ToolRunner Tools { get; }

    /// <summary>Which function calls of which response have their output, and when the follow-up <c>response.create</c> goes.</summary>
    public RealtimeFunctionCalls FunctionCalls { get; } = new();

    /// <summary>Where client events for any connection go; set once the transport exists.</summary>
    public ProviderTransport? Transport { get; set; }

    public ChannelReader<ProviderEvent> Events => _events.Reader;

    /// <summary>Cancelled when the session ends: held transcripts stop waiting (the end publishes them).</summary>
    public CancellationToken Ending => _ending.Token;

    public void Publish(ProviderEvent e) => _events.Writer.TryWrite(e);

    /// <summary>Publishes a final agent line (what the caller heard), if there is one.</summary>
    public void PublishHeard(string? heard)
    {
        if (!string.IsNullOrEmpty(heard))
        {
            Publish(new AgentTranscript(heard, IsFinal: true));
        }
    }

    /// <summary>
    /// Publishes held-back final transcripts whose played share will not be reported any more (a new answer started,
    /// the connection was lost, the session stops): with what is known of what was heard.
    /// </summary>
    public void FlushHeldTranscripts()
    {
        foreach (var text in Conversation.TakeHeldTranscripts())
        {
            Publish(new AgentTranscript(text, IsFinal: true));
        }
    }

    /// <summary>
    /// Ends what a replaced connection left open: its utterances end and held transcripts go out (see
    /// <see cref="RealtimeConversation.Settle"/>). Returns whether an answer was under way.
    /// </summary>
    public bool Settle(int epoch, bool lost)
    {
        var (done, resume) = Conversation.Settle(epoch, lost);
        foreach (var u in done)
        {
            Publish(new AgentAudioDone(u));
        }

        FlushHeldTranscripts();
        return resume;
    }

    /// <summary>A newly configured connection with conversation epoch <paramref name="epoch"/>: epoch-bound events go to it.</summary>
    public void Configured(ProviderConnection connection, int epoch)
    {
        lock (_gate)
        {
            _latest = connection;
            _latestEpoch = epoch;
        }
    }

    /// <summary>
    /// Queues a client event: for whichever connection carries the call (<paramref name="epoch"/> 0), or only for the
    /// connection of that conversation epoch (a cancel or truncate of its items), dropped once it has been replaced.
    /// Returns whether it was queued.
    /// </summary>
    public bool Send<T>(T message, JsonTypeInfo<T> typeInfo, int epoch = 0)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        if (epoch == 0)
        {
            return Transport?.SendControl(bytes) ?? false;
        }

        ProviderConnection? target;
        lock (_gate)
        {
            target = epoch == _latestEpoch ? _latest : null;
        }

        return target?.SendControl(bytes) ?? false;
    }

    /// <summary>No more events: the session has ended (held transcript timers stop).</summary>
    public void CompleteEvents()
    {
        _ = Tools.StopAsync(); // a session that ended by itself leaves no tool running
        _ending.Cancel();
        _events.Writer.TryComplete();
    }
}
