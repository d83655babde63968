using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Deepgram.Tests.Transport;

/// <summary>
/// A minimal wire protocol for the transport's tests: sends <c>hello:{purpose}</c> on connect, becomes ready on the
/// server's <c>ready</c>, fails the connection on <c>error:{code}</c>, keeps everything else it receives.
/// </summary>
internal sealed class TestProtocol(Uri endpoint) : IProviderProtocol
{
    public static readonly byte[] KeepAlive = "ka"u8.ToArray();

    public ConcurrentQueue<string> Texts { get; } = new();

    public ConcurrentQueue<UpgradeFailure> UpgradeFailures { get; } = new();

    public Uri Endpoint { get; } = endpoint;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public string ReadyMessageName => "ready";

    public int PreReadyAudioBudgetBytes { get; init; } = 1_000;

    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(2);

    public ReadOnlyMemory<byte> KeepAliveMessage { get; init; } = KeepAlive;

    public TimeSpan ServerSilenceLimit { get; init; } = TimeSpan.Zero;

    private volatile bool _answerDue;

    public bool AnswerDue { get => _answerDue; set => _answerDue = value; }

    public void ConfigureHandshake(ClientWebSocketOptions options) => options.SetRequestHeader("X-Test", "transport");

    public ConnectionFault OnUpgradeFailed(UpgradeFailure failure)
    {
        UpgradeFailures.Enqueue(failure);
        return failure.StatusCode == 401
            ? new ConnectionFault(ProviderErrorKind.Authentication, "HTTP_401", "refused", Final: true)
            : new ConnectionFault(ProviderErrorKind.Disconnected, failure.TimedOut ? "CONNECT_TIMEOUT" : "CONNECT_FAILED", $"HTTP {failure.StatusCode}");
    }

    public ValueTask OnConnectedAsync(ProviderConnection connection, CancellationToken cancellationToken) =>
        connection.SendDirectAsync(Encoding.UTF8.GetBytes("hello:" + connection.Purpose), WebSocketMessageType.Text, cancellationToken);

    public async ValueTask<bool> OnTextAsync(ProviderConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        var text = Encoding.UTF8.GetString(utf8.Span);
        Texts.Enqueue(text);
        if (text == "created")
        {
            // A handshake that answers the server (OpenAI: session.created → session.update) before it is ready.
            await connection.SendDirectAsync("update"u8.ToArray(), WebSocketMessageType.Text, cancellationToken);
        }
        else if (text == "ready")
        {
            connection.MarkReady();
        }
        else if (text.StartsWith("error:", StringComparison.Ordinal))
        {
            connection.Fail(new ConnectionFault(ProviderErrorKind.Server, text[6..], "server error", Final: text.EndsWith("FINAL", StringComparison.Ordinal)));
            return false;
        }

        return true;
    }

    public void OnBinary(ProviderConnection connection, ReadOnlySpan<byte> data) => Texts.Enqueue($"binary:{data.Length}");

    public ReadOnlyMemory<byte> EncodeAudio(ReadOnlyMemory<byte> audio, ArrayBufferWriter<byte> scratch, out WebSocketMessageType messageType)
    {
        messageType = WebSocketMessageType.Binary;
        return audio;
    }
}

/// <summary>Records every transport callback as a line, in order.</summary>
internal sealed class RecordingObserver : ITransportObserver
{
    private readonly ConcurrentQueue<string> _calls = new();

    public IReadOnlyList<string> Calls => [.. _calls];

    public TaskCompletionSource<TransportEnd> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count(string prefix) => Calls.Count(c => c.StartsWith(prefix, StringComparison.Ordinal));

    public void OnConnecting(ConnectPurpose purpose, int attempt) => _calls.Enqueue($"connecting {purpose} {attempt}");

    public void OnConnectionLost(ProviderConnection? connection, ConnectionFault fault, Exception? exception) => _calls.Enqueue($"lost {fault.Code}");

    public void OnFault(ConnectionFault fault) => _calls.Enqueue($"fault {fault.Code}");

    public void OnHandover(ProviderConnection successor, string why) => _calls.Enqueue($"handover {why}");

    public void OnRolloverPlanned(ProviderConnection connection, RolloverSchedule schedule) => _calls.Enqueue("rollover planned");

    public void OnRolloverFailed(string reason) => _calls.Enqueue($"rollover failed {reason}");

    public void OnCallerAudioDropped(AudioDropReason reason, int bytes, bool first) => _calls.Enqueue($"dropped {reason} {bytes} {first}");

    public void OnKeepAliveSent() => _calls.Enqueue("keepalive");

    public void OnEnded(TransportEnd end)
    {
        _calls.Enqueue($"ended {end.Kind} {end.Fault?.Code}");
        Ended.TrySetResult(end);
    }
}
