using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers.Transport;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// What every part of one Deepgram session shares: the call, its options and formats, the event stream the grain
/// reads, the conversation kept for re-seeding, the playout estimate and the current request id.
/// </summary>
internal sealed class DeepgramCall
{
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>(new() { SingleReader = true });
    private readonly List<HistoryItem> _history = [];
    private volatile string? _requestId;

    public DeepgramCall(DeepgramOptions options, AgentSessionContext context, ILogger logger, DeepgramMetrics metrics, TimeProvider time, Tools.ToolMetrics toolMetrics)
    {
        Options = options;
        CallId = context.CallId;
        Logger = logger;
        Metrics = metrics;
        Time = time;
        Formats = DeepgramSettingsBuilder.ResolveFormats(options, context.CallFormat);
        Playout = new AgentPlayout(time);
        Resumed = context.Resumed;
        Tools = new Tools.ToolRunner(DeepgramOptions.Name, context.CallId, context.Tools, toolMetrics, logger, time, Emit);
        foreach (var line in context.PriorConversation)
        {
            if (PriorHistoryItem(line) is { } item)
            {
                _history.Add(item);
            }
        }
    }

    /// <summary>The call resumes after its silo was lost: the first <c>Settings</c> carries the prior conversation and no greeting.</summary>
    public bool Resumed { get; }

    /// <summary>What a live key press tells the agent (<c>InjectUserMessage</c>), and how a prior one is re-seeded.</summary>
    public static string DtmfNote(string key) => $"The caller pressed the telephone key {key}.";

    /// <summary>A platform instruction as an injected user message (not the caller's words).</summary>
    public static string InstructionNote(string instruction) => $"[Instruction from the phone system, not the caller] {instruction}";

    public DeepgramOptions Options { get; }

    /// <summary>Runs the agent's client-side function calls off the receive loop.</summary>
    public Tools.ToolRunner Tools { get; }

    public Guid CallId { get; }

    public ILogger Logger { get; }

    public DeepgramMetrics Metrics { get; }

    public TimeProvider Time { get; }

    public ProviderAudioFormats Formats { get; }

    /// <summary>When the agent's audio has played out to the caller.</summary>
    public AgentPlayout Playout { get; }

    public ChannelReader<ProviderEvent> Events => _events.Reader;

    /// <summary>The request id of the connection carrying the call (from its <c>Welcome</c>); in every log and error.</summary>
    public string? RequestId
    {
        get => _requestId;
        set => _requestId = value;
    }

    /// <summary>True once a connection reached <c>SettingsApplied</c>: later connections are reconnects.</summary>
    public bool EverReady { get; set; }

    public void Emit(ProviderEvent providerEvent) => _events.Writer.TryWrite(providerEvent);

    /// <summary>No more events: the session has ended.</summary>
    public void CompleteEvents()
    {
        _ = Tools.StopAsync(); // a session that ended by itself leaves no tool running
        _events.Writer.TryComplete();
    }

    /// <summary>Reports an error to the grain (every error of a connection ends that connection, so each is fatal to it).</summary>
    public void Fail(ProviderErrorKind kind, string code, string description)
    {
        Metrics.Error(kind, code);
        var requestId = RequestId;
        Emit(new ProviderError(kind, code, requestId is null ? description : $"{description} (request_id {requestId})", Fatal: true));
    }

    /// <summary>A finished transcript line, kept for re-seeding a new connection.</summary>
    public void Remember(string role, string content)
    {
        lock (_history)
        {
            _history.Add(new HistoryItem(role, content));
        }
    }

    /// <summary>A persisted transcript line as a <c>History</c> item: caller → user, agent → assistant, a key → the DTMF note.</summary>
    private static HistoryItem? PriorHistoryItem(TranscriptLine line) => string.IsNullOrWhiteSpace(line.Text) ? null : line.Role switch
    {
        "caller" => new HistoryItem("user", line.Text),
        "agent" => new HistoryItem("assistant", line.Text),
        "dtmf" => new HistoryItem("user", DtmfNote(line.Text)),
        _ => null,
    };

    /// <summary>The conversation so far.</summary>
    public HistoryItem[] History()
    {
        lock (_history)
        {
            return [.. _history];
        }
    }
}
