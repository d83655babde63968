using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Webhooks;

/// <summary>
/// The grain's side of the webhook: queues each ended call's record in a bounded channel and returns at once. A full
/// queue (the receiver down for long) drops its oldest record, counted and logged, so memory stays bounded.
/// </summary>
public sealed class WebhookQueue : IEndedCallSink
{
    private readonly Channel<CallSnapshot> _channel;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger<WebhookQueue> _logger;
    private readonly int _capacity;

    /// <summary>Creates the queue with <see cref="WebhookOptions.QueueCapacity"/> places.</summary>
    public WebhookQueue(IOptions<WebhookOptions> options, WebhookMetrics metrics, ILogger<WebhookQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _metrics = metrics;
        _logger = logger;
        _capacity = options.Value.QueueCapacity;
        _channel = Channel.CreateBounded<CallSnapshot>(
            new BoundedChannelOptions(_capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            OnDropped);
    }

    /// <summary>What the delivery service reads.</summary>
    public ChannelReader<CallSnapshot> Reader => _channel.Reader;

    /// <inheritdoc/>
    public void OnCallEnded(CallSnapshot record)
    {
        try
        {
            if (!_channel.Writer.TryWrite(record))
            {
                // Only after shutdown began (the writer completed).
                OnDropped(record);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            WebhookLog.NotQueued(_logger, ex, record?.CallId ?? Guid.Empty);
        }
    }

    /// <summary>Takes no more records (shutdown): the service sends what is queued, then stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private void OnDropped(CallSnapshot record)
    {
        _metrics.Dropped();
        WebhookLog.Dropped(_logger, _capacity, record.CallId);
    }
}
