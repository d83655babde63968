using System.Text.Json;
using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// What each GA server event of the connection carrying the call means for the grain
/// (docs/protocols/openai-realtime.md, Server events): speech and transcripts, agent audio and its utterances, the
/// response's end, rate limits and errors.
/// </summary>
internal sealed class RealtimeServerEventHandler(RealtimeCall call)
{
    /// <summary>Handles one server event of connection <paramref name="epoch"/>; a fault when the connection must end.</summary>
    public ConnectionFault? Handle(RealtimeServerEvent e, int epoch)
    {
        switch (e.Type)
        {
            case ServerEventType.SpeechStarted:
                call.Conversation.SetUserSpeaking(true);
                call.Publish(new UserSpeechStarted());
                break;
            case ServerEventType.SpeechStopped:
                call.Conversation.SetUserSpeaking(false);
                call.Publish(new UserSpeechStopped());
                break;
            case ServerEventType.BufferCommitted when e.ItemId is not null:
                call.Conversation.UserItemCommitted(e.ItemId);
                break;
            case ServerEventType.TranscriptionDelta when e.ItemId is not null:
                call.Publish(new UserTranscript(call.Conversation.AppendUserTranscript(e.ItemId, e.DeltaText()), IsFinal: false));
                break;
            case ServerEventType.TranscriptionCompleted:
                var transcript = e.Transcript ?? string.Empty;
                call.Conversation.CompleteUserTranscript(e.ItemId, transcript);
                call.Publish(new UserTranscript(transcript, IsFinal: true));
                break;
            case ServerEventType.TranscriptionFailed:
                var failure = RealtimeErrors.Read(e, call.ApiKey);
                call.Publish(new ProviderError(ProviderErrorKind.Other, failure.Code, "input transcription failed: " + failure.Message, Fatal: false));
                break;
            case ServerEventType.ResponseCreated:
                var createdId = RealtimeJson.ReadId(e.Response.Span);
                call.Conversation.ResponseCreated(createdId);
                OpenAIRealtimeLog.ResponseCreated(call.Logger, createdId, call.CallId);
                // The grain reports a flush within moments of a barge-in; an answer still waiting for it by the next
                // response will not get it.
                call.FlushHeldTranscripts();
                break;
            case ServerEventType.OutputItemAdded:
                OnOutputItemAdded(e, epoch);
                break;
            case ServerEventType.AudioDelta:
                OnAudioDelta(e, epoch);
                break;
            case ServerEventType.AudioTranscriptDelta when e.ItemId is not null:
                call.Publish(new AgentTranscript(call.Conversation.AppendAgentTranscript(e.ItemId, e.ResponseId, epoch, e.DeltaText()), IsFinal: false));
                break;
            case ServerEventType.AudioTranscriptDone when e.ItemId is not null:
                OnAudioTranscriptDone(e, epoch);
                break;
            case ServerEventType.AudioDone when e.ItemId is not null:
                if (call.Conversation.AudioDone(e.ItemId, e.ResponseId, epoch) is { } utteranceId)
                {
                    call.Publish(new AgentAudioDone(utteranceId));
                }

                break;
            case ServerEventType.FunctionCallArgumentsDone when e.CallId is not null && e.Name is not null:
                StartFunctionCall(e.CallId, e.Name, e.Arguments, e.ResponseId, epoch);
                break;
            case ServerEventType.OutputItemDone when !e.Item.IsEmpty:
                using (var doc = JsonDocument.Parse(e.Item))
                {
                    StartIfFunctionCall(doc.RootElement, e.ResponseId, epoch);
                }

                break;
            case ServerEventType.ResponseDone:
                OnResponseDone(e, epoch);
                break;
            case ServerEventType.RateLimitsUpdated:
                OnRateLimits(e.RateLimits.Span);
                break;
            case ServerEventType.ItemTruncated:
                OpenAIRealtimeLog.Truncated(call.Logger, e.ItemId, e.AudioEndMs, call.CallId);
                break;
            case ServerEventType.Error:
                return OnError(e);
        }

        return null;
    }

    private void OnOutputItemAdded(RealtimeServerEvent e, int epoch)
    {
        if (e.Item.IsEmpty)
        {
            return;
        }

        using var doc = JsonDocument.Parse(e.Item);
        var item = doc.RootElement;
        if (item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String &&
            item.TryGetProperty("role", out var role) && role.ValueEquals("assistant"u8))
        {
            call.Conversation.AddAssistantItem(id.GetString()!, e.ResponseId, epoch);
        }
    }

    private void OnAudioDelta(RealtimeServerEvent e, int epoch)
    {
        if (e.ItemId is null || call.Conversation.AudioUtterance(e.ItemId, e.ResponseId, epoch) is not { } utteranceId)
        {
            return; // no item, or the caller barged in: the rest of this utterance is not played
        }

        var audio = e.DecodeAudioDelta();
        if (audio is null)
        {
            OpenAIRealtimeLog.BadServerEvent(call.Logger, call.CallId, "audio delta is not valid base64");
            return;
        }

        call.Conversation.AudioReceived(e.ItemId, audio.Length, call.Playout.OnAudio(utteranceId, call.Formats.Output, audio.Length));
        call.Publish(new AgentAudio(audio, call.Formats.Output, utteranceId));
    }

    /// <summary>
    /// The final agent transcript is what the caller heard: published now, or held until the item has played (see
    /// <see cref="RealtimeConversation.AgentTranscriptDone"/>), or left for the barge-in report of a cancelled item.
    /// </summary>
    private void OnAudioTranscriptDone(RealtimeServerEvent e, int epoch)
    {
        var decision = call.Conversation.AgentTranscriptDone(e.ItemId!, e.ResponseId, epoch, e.Transcript);
        if (decision.HoldFor is { } item)
        {
            _ = ReleaseTranscriptAfterPlayoutAsync(item, decision.HoldMs);
            return;
        }

        call.PublishHeard(decision.Final);
    }

    private async Task ReleaseTranscriptAfterPlayoutAsync(AssistantItem item, long waitMs)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(waitMs), call.Time, call.Ending).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // StopAsync publishes what is still held
        }

        call.PublishHeard(call.Conversation.TakeFinalTranscript(item));
    }

    /// <summary>A completed <c>function_call</c> item (of <c>response.output_item.done</c> or <c>response.done</c>) runs, once per <c>call_id</c>.</summary>
    private List<string> StartIfFunctionCall(JsonElement item, string? responseId, int epoch)
    {
        var callIds = new List<string>();
        if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type", out var type) && type.ValueEquals("function_call"u8) &&
            RealtimeJson.GetString(item, "call_id") is { } callId)
        {
            callIds.Add(callId);
            if (RealtimeJson.GetString(item, "status") is null or "completed" && RealtimeJson.GetString(item, "name") is { } name)
            {
                StartFunctionCall(callId, name, RealtimeJson.GetString(item, "arguments"), responseId, epoch);
            }
        }

        return callIds;
    }

    /// <summary>
    /// Runs a function call off the receive loop; its output goes to the connection it came on, followed (once every
    /// call of the response has its output) by one <c>response.create</c>.
    /// </summary>
    private void StartFunctionCall(string callId, string name, string? arguments, string? responseId, int epoch)
    {
        if (!call.FunctionCalls.Begin(callId, responseId, epoch))
        {
            return; // announced twice (arguments done, then the item done): it runs once
        }

        var received = call.Time.GetTimestamp();
        call.Tools.Start(new Tools.ToolCallRequest(callId, name, arguments, received), output =>
        {
            var item = new FunctionCallOutputItem(callId, output);
            var sent = call.Send(new FunctionCallOutputCreateEvent(call.EventIds.Next("conversation.item.create"), item), RealtimeJsonContext.Default.FunctionCallOutputCreateEvent, epoch);
            if (call.FunctionCalls.Answered(callId) is { } followUpEpoch)
            {
                AskForFollowUp(followUpEpoch);
            }

            return sent;
        });
    }

    /// <summary>The model speaks again with the function outputs in context: now, or after the response under way.</summary>
    private void AskForFollowUp(int epoch)
    {
        if (call.Conversation.AskForResponse())
        {
            call.Send(new ResponseCreateEvent(call.EventIds.Next("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent, epoch);
        }
    }

    private void OnResponseDone(RealtimeServerEvent e, int epoch)
    {
        var functionCalls = new List<string>();
        string? responseId = null;
        var status = "unknown";
        string? errorCode = null;
        string? errorMessage = null;
        string? reason = null;
        int input = 0, cached = 0, output = 0;
        if (!e.Response.IsEmpty)
        {
            using var doc = JsonDocument.Parse(e.Response);
            var r = doc.RootElement;
            responseId = r.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            status = r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : status;
            if (r.TryGetProperty("status_details", out var statusDetails) && statusDetails.ValueKind == JsonValueKind.Object)
            {
                // cancelled: turn_detected | client_cancelled; incomplete: max_output_tokens | content_filter.
                reason = RealtimeJson.GetString(statusDetails, "reason");
            }

            if (r.TryGetProperty("status_details", out var details) && details.ValueKind == JsonValueKind.Object &&
                details.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object)
            {
                errorCode = err.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                errorMessage = err.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                errorCode ??= err.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            }

            if (r.TryGetProperty("output", out var outputItems) && outputItems.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in outputItems.EnumerateArray())
                {
                    functionCalls.AddRange(StartIfFunctionCall(item, responseId, epoch));
                }
            }

            if (r.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                input = RealtimeJson.GetInt(usage, "input_tokens");
                output = RealtimeJson.GetInt(usage, "output_tokens");
                if (usage.TryGetProperty("input_token_details", out var inputDetails) && inputDetails.ValueKind == JsonValueKind.Object)
                {
                    cached = RealtimeJson.GetInt(inputDetails, "cached_tokens");
                }
            }
        }

        var (doneUtterances, createPending) = call.Conversation.ResponseDone(responseId);
        foreach (var u in doneUtterances)
        {
            call.Publish(new AgentAudioDone(u));
        }

        OpenAIRealtimeLog.ResponseDone(call.Logger, responseId ?? "?", call.CallId, status, input, cached, output);
        if (status is "cancelled" or "incomplete")
        {
            OpenAIRealtimeLog.ResponseEndedEarly(call.Logger, responseId ?? "?", call.CallId, status, reason ?? "(none)");
        }

        call.Publish(new ProviderUsage(input, cached, output, status));
        if (status == "incomplete" && reason is "content_filter" or "max_output_tokens")
        {
            // The answer was cut short by the service, not by the caller: count it (the call goes on).
            call.Publish(new ProviderError(ProviderErrorKind.Other, reason,
                reason == "content_filter" ? "the answer was stopped by the content filter" : "the answer hit max_output_tokens", Fatal: false));
        }
        if (status == "failed")
        {
            var code = errorCode ?? "response_failed";
            var kind = RealtimeErrors.IsRateLimit(code, null) ? ProviderErrorKind.RateLimited : ProviderErrorKind.Server;
            call.Publish(new ProviderError(kind, code, errorMessage ?? "the response failed", Fatal: false));
        }

        if (createPending)
        {
            call.Send(new ResponseCreateEvent(call.EventIds.Next("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent);
        }

        if (call.FunctionCalls.ResponseDone(responseId, functionCalls, status) is { } followUpEpoch)
        {
            AskForFollowUp(followUpEpoch);
        }
    }

    private void OnRateLimits(ReadOnlySpan<byte> rateLimits)
    {
        if (rateLimits.IsEmpty)
        {
            return;
        }

        using var doc = JsonDocument.Parse(rateLimits.ToArray());
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var limit in doc.RootElement.EnumerateArray())
        {
            if (limit.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var name = limit.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "?";
            var remaining = RealtimeJson.GetLong(limit, "remaining");
            var max = RealtimeJson.GetLong(limit, "limit");
            var reset = limit.TryGetProperty("reset_seconds", out var rs) && rs.TryGetDouble(out var d) ? d : 0;
            OpenAIRealtimeLog.RateLimit(call.Logger, call.CallId, name, remaining, max, reset);
        }
    }

    private ConnectionFault? OnError(RealtimeServerEvent e)
    {
        var error = RealtimeErrors.Read(e, call.ApiKey);
        var clientEventType = call.EventIds.TypeOf(error.EventId);
        call.Conversation.RequestRefused(
            responseRefused: clientEventType == "response.create" || RealtimeErrors.IsRateLimit(error.Code, error.Type),
            responseAlreadyActive: error.Code == "conversation_already_has_active_response");
        if (RealtimeErrors.IsBenign(error.Code))
        {
            // Benign races: the response ended (or started) while our event was in flight.
            OpenAIRealtimeLog.BenignError(call.Logger, call.CallId, error.Code);
            return null;
        }

        OpenAIRealtimeLog.ServerError(call.Logger, call.CallId, error.Type, error.Code, clientEventType, error.EventId, error.Param, error.Message);
        var providerError = RealtimeErrors.Classify(error);
        var message = error.EventId is null ? providerError.Message : $"{providerError.Message} (on {clientEventType} {error.EventId})";
        providerError = providerError with { Message = message };
        switch (providerError.Kind)
        {
            case ProviderErrorKind.Authentication:
                return new ConnectionFault(providerError.Kind, providerError.Code, providerError.Message, Final: true);
            case ProviderErrorKind.SessionExpired:
                // The session is dead even if the socket is not: end it now and reconnect, rather than wait for its close.
                return new ConnectionFault(providerError.Kind, providerError.Code, providerError.Message);
            default:
                call.Publish(providerError);
                return null;
        }
    }
}
