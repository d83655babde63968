using System.Text.Json;
using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// Handles the server's text messages (docs/protocols/deepgram.md): the handshake (<c>Welcome</c>,
/// <c>SettingsApplied</c>), the turn messages (to <see cref="DeepgramTurns"/>), function calls, warnings and errors.
/// </summary>
internal sealed class DeepgramMessageHandler(DeepgramCall call, DeepgramTurns turns)
{
    /// <summary>One text frame; false when it ends the connection (a server <c>Error</c>).</summary>
    public bool Handle(ProviderConnection connection, ReadOnlySpan<byte> json)
    {
        if (Parse(json) is not { } parsed)
        {
            return true;
        }

        var message = parsed.Message;
        var state = DeepgramConnectionState.Of(connection);
        if (!connection.IsCurrent)
        {
            return HandlePreparing(connection, state, message);
        }

        switch (message?.Type)
        {
            case "Welcome":
                state.RequestId = message.RequestId;
                call.RequestId = message.RequestId;
                DeepgramLog.Welcome(call.Logger, call.CallId, call.RequestId);
                break;
            case "SettingsApplied":
                OnSettingsApplied(connection, state);
                break;
            case "ConversationText" when message.Role == "user":
                turns.OnUserText(message.Content ?? string.Empty);
                break;
            case "ConversationText" when message.Role == "assistant":
                turns.OnAssistantText(message.Content ?? string.Empty);
                break;
            case "ConversationText":
                DeepgramLog.Ignored(call.Logger, call.CallId, "ConversationText/" + message.Role);
                break;
            case "UserStartedSpeaking":
                turns.OnUserStartedSpeaking();
                break;
            case "AgentThinking":
                turns.OnAgentThinking();
                break;
            case "AgentStartedSpeaking":
                turns.OnAgentStartedSpeaking(message);
                break;
            case "AgentAudioDone":
                turns.OnAgentAudioDone();
                break;
            case "FunctionCallRequest":
                OnFunctionCallRequest(connection, message.Functions);
                break;
            case "InjectionRefused":
                DeepgramLog.InjectionRefused(call.Logger, call.CallId, call.RequestId, message.Message);
                break;
            case "Warning":
                DeepgramLog.ServerWarning(call.Logger, call.CallId, call.RequestId, message.Code ?? "UNKNOWN", message.Description ?? string.Empty);
                call.Metrics.Warning(message.Code ?? "UNKNOWN");
                break;
            case "Error":
                OnError(connection, call.RequestId, message);
                return false;
            default:
                // History, LatencyReport, *Updated acks, server-side FunctionCallResponse and unknown types.
                DeepgramLog.Ignored(call.Logger, call.CallId, message?.Type);
                break;
        }

        return true;
    }

    /// <summary>A rollover's new connection before the handover: only its handshake matters.</summary>
    private bool HandlePreparing(ProviderConnection connection, DeepgramConnectionState state, ServerMessage? message)
    {
        switch (message?.Type)
        {
            case "Welcome":
                state.RequestId = message.RequestId;
                break;
            case "SettingsApplied":
                connection.MarkReady();
                break;
            case "Error":
                OnError(connection, state.RequestId, message);
                return false;
            default:
                DeepgramLog.Ignored(call.Logger, call.CallId, message?.Type);
                break;
        }

        return true;
    }

    private void OnError(ProviderConnection connection, string? requestId, ServerMessage message)
    {
        var code = message.Code ?? "UNKNOWN";
        var description = message.Description ?? string.Empty;
        DeepgramLog.ServerError(call.Logger, call.CallId, requestId, code, description);
        connection.Fail(new ConnectionFault(DeepgramErrors.Classify(code), code, description, DeepgramErrors.IsFinal(code)));
    }

    private void OnSettingsApplied(ProviderConnection connection, DeepgramConnectionState state)
    {
        if (connection.IsReady)
        {
            return;
        }

        if (!call.EverReady)
        {
            call.EverReady = true;
            DeepgramLog.SessionStarted(call.Logger, call.CallId, call.RequestId);
            if (call.Resumed)
            {
                DeepgramLog.Resumed(call.Logger, call.CallId, call.RequestId, state.HistorySeeded);
            }

            call.Emit(new SessionStarted(call.RequestId));
        }
        else
        {
            DeepgramLog.Reconnected(call.Logger, call.CallId, connection.Attempt, call.RequestId, state.HistorySeeded);
            call.Metrics.Reconnected(planned: false);
            call.Emit(new ProviderReconnected(connection.Attempt));
        }

        connection.MarkReady();
    }

    private void OnFunctionCallRequest(ProviderConnection connection, List<FunctionCall>? functions)
    {
        foreach (var function in functions ?? [])
        {
            call.Metrics.FunctionCall(function.ClientSide);
            DeepgramLog.FunctionCallRequested(call.Logger, call.CallId, function.Name, function.Id, function.ClientSide, function.ClientSide);
            if (!function.ClientSide)
            {
                continue;
            }

            // Every client-side request is answered (a request left unanswered stalls the agent's turn): with the
            // tool's result, or an error result. The tool runs off this receive loop; its answer belongs to this socket
            // only (a replaced connection's request is not the new one's to answer).
            var id = function.Id ?? string.Empty;
            var name = function.Name ?? string.Empty;
            var received = call.Time.GetTimestamp();
            call.Tools.Start(new Tools.ToolCallRequest(id, name, function.Arguments, received), content =>
            {
                var response = new FunctionCallResponseMessage(id, name, content);
                return connection.IsCurrent && connection.SendControl(JsonSerializer.SerializeToUtf8Bytes(response, DeepgramJsonContext.Default.FunctionCallResponseMessage));
            });
        }
    }

    /// <summary>The typed frame; on a field of unexpected JSON type the frame is read again field by field, kept only if it is an <c>Error</c> (which must still end the connection).</summary>
    private Parsed? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            return new Parsed(JsonSerializer.Deserialize(json, DeepgramJsonContext.Default.ServerMessage));
        }
        catch (JsonException ex)
        {
            DeepgramLog.UnparsableServerMessage(call.Logger, call.CallId, call.RequestId, ex);
            var lenient = ReadLeniently(json);
            return lenient?.Type == "Error" ? new Parsed(lenient) : null;
        }
    }

    /// <summary>The <c>type</c>, <c>code</c> and <c>description</c> of a frame whose other fields did not parse; null when it is not JSON.</summary>
    private static ServerMessage? ReadLeniently(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            string? Text(string name) =>
                root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return new ServerMessage { Type = Text("type"), Code = Text("code"), Description = Text("description") };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Parsed(ServerMessage? Message);
}
