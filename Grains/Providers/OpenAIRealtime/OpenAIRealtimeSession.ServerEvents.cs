using System.Text;
using System.Text.Json;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

// OpenAIRealtimeSession, part: Server events: what each GA event means for the grain, and error classification.
public sealed partial class OpenAIRealtimeSession
{
    /// <summary>Handles one server event; returns an outcome when the connection must end (or will be closed by the server).</summary>
    private Outcome? Handle(RealtimeServerEvent e, Connection connection)
    {
        switch (e.Type)
        {
            case ServerEventType.SpeechStarted:
                lock (_gate)
                {
                    _userSpeaking = true;
                }

                Publish(new UserSpeechStarted());
                break;
            case ServerEventType.SpeechStopped:
                lock (_gate)
                {
                    _userSpeaking = false;
                }

                Publish(new UserSpeechStopped());
                break;
            case ServerEventType.BufferCommitted when e.ItemId is not null:
                lock (_gate)
                {
                    AddHistory(new HistoryEntry("user", string.Empty) { ItemId = e.ItemId });
                }

                break;
            case ServerEventType.TranscriptionDelta when e.ItemId is not null:
                string partial;
                lock (_gate)
                {
                    if (!_userTranscripts.TryGetValue(e.ItemId, out var sb))
                    {
                        _userTranscripts[e.ItemId] = sb = new StringBuilder();
                    }

                    partial = sb.Append(e.DeltaText()).ToString();
                }

                Publish(new UserTranscript(partial, IsFinal: false));
                break;
            case ServerEventType.TranscriptionCompleted:
                var transcript = e.Transcript ?? string.Empty;
                lock (_gate)
                {
                    if (e.ItemId is not null)
                    {
                        _userTranscripts.Remove(e.ItemId);
                        var entry = _history.FindLast(h => h.ItemId == e.ItemId);
                        if (entry is not null)
                        {
                            entry.Text = transcript;
                        }
                    }
                }

                Publish(new UserTranscript(transcript, IsFinal: true));
                break;
            case ServerEventType.TranscriptionFailed:
                var failure = ReadError(e);
                Publish(new ProviderError(ProviderErrorKind.Other, failure.Code, "input transcription failed: " + failure.Message, Fatal: false));
                break;
            case ServerEventType.ResponseCreated:
                var createdId = ReadId(e.Response.Span);
                lock (_gate)
                {
                    _activeResponseId = createdId;
                    _responseRequested = false;
                }

                OpenAIRealtimeLog.ResponseCreated(_logger, createdId, _callId);

                // The grain reports a flush within moments of a barge-in; an answer still waiting for it by the next
                // response will not get it.
                FlushDeferredTranscripts();
                break;
            case ServerEventType.OutputItemAdded:
                OnOutputItemAdded(e, connection);
                break;
            case ServerEventType.AudioDelta:
                OnAudioDelta(e, connection);
                break;
            case ServerEventType.AudioTranscriptDelta when e.ItemId is not null:
                string agentPartial;
                lock (_gate)
                {
                    agentPartial = GetOrAddItem(e.ItemId, e.ResponseId, connection).Transcript.Append(e.DeltaText()).ToString();
                }

                Publish(new AgentTranscript(agentPartial, IsFinal: false));
                break;
            case ServerEventType.AudioTranscriptDone when e.ItemId is not null:
                OnAudioTranscriptDone(e, connection);
                break;
            case ServerEventType.AudioDone when e.ItemId is not null:
                int? done;
                lock (_gate)
                {
                    done = MarkAudioDone(GetOrAddItem(e.ItemId, e.ResponseId, connection));
                }

                if (done is { } utteranceId)
                {
                    Publish(new AgentAudioDone(utteranceId));
                }

                break;
            case ServerEventType.ResponseDone:
                OnResponseDone(e);
                break;
            case ServerEventType.RateLimitsUpdated:
                OnRateLimits(e.RateLimits.Span);
                break;
            case ServerEventType.ItemTruncated:
                OpenAIRealtimeLog.Truncated(_logger, e.ItemId, e.AudioEndMs, _callId);
                break;
            case ServerEventType.Error:
                return OnError(e);
        }

        return null;
    }

    private void OnOutputItemAdded(RealtimeServerEvent e, Connection connection)
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
            lock (_gate)
            {
                GetOrAddItem(id.GetString()!, e.ResponseId, connection);
            }
        }
    }

    private void OnAudioDelta(RealtimeServerEvent e, Connection connection)
    {
        if (e.ItemId is null)
        {
            return;
        }

        int utteranceId;
        lock (_gate)
        {
            var item = GetOrAddItem(e.ItemId, e.ResponseId, connection);
            if (item.Interrupted || item.Cancelled || item.AudioDone)
            {
                return; // the caller barged in: the rest of this utterance is not played
            }

            utteranceId = item.UtteranceId;
        }

        var audio = e.DecodeAudioDelta();
        if (audio is null)
        {
            OpenAIRealtimeLog.BadServerEvent(_logger, _callId, "audio delta is not valid base64");
            return;
        }

        lock (_gate)
        {
            if (_itemsById.TryGetValue(e.ItemId, out var item))
            {
                item.ReceivedBytes += audio.Length;
            }

            _playoutEndsAtMs = Math.Max(_playoutEndsAtMs, NowMs()) + Formats.Output.MillisecondsOf(audio.Length);
            if (item is not null)
            {
                item.PlayoutEndsAtMs = _playoutEndsAtMs;
            }
        }

        Publish(new AgentAudio(audio, Formats.Output, utteranceId));
    }

    /// <summary>
    /// The final agent transcript is what the caller heard. Audio arrives faster than real time, so when the text is
    /// complete the caller may still be listening and may yet barge in: the line is held until the item's audio has
    /// (by the session's estimate, plus a grace for the gateway's lag) finished playing, or until the played share is
    /// reported by a barge-in (<see cref="NotifyPlayoutInterruptedAsync"/>), whichever comes first.
    /// </summary>
    private void OnAudioTranscriptDone(RealtimeServerEvent e, Connection connection)
    {
        string? final;
        AssistantItem item;
        long waitMs;
        lock (_gate)
        {
            item = GetOrAddItem(e.ItemId!, e.ResponseId, connection);
            item.Transcript.Clear().Append(e.Transcript);
            item.TranscriptDone = true;
            waitMs = item.PlayoutEndsAtMs + TranscriptGraceMs - NowMs();
            if (item.Interrupted || item.ReceivedBytes == 0 || (!item.Cancelled && waitMs <= 0))
            {
                // Known already: the flush was reported, no audio of it reached the caller, or it has all played.
                final = TakeDeferredTranscript(item);
            }
            else if (item.Cancelled)
            {
                // Cancelled while its audio was playing: wait for the played share (NotifyPlayoutInterruptedAsync).
                return;
            }
            else
            {
                final = null;
            }
        }

        if (final is null)
        {
            _ = ReleaseTranscriptAfterPlayoutAsync(item, waitMs);
            return;
        }

        PublishHeard(final);
    }

    private async Task ReleaseTranscriptAfterPlayoutAsync(AssistantItem item, long waitMs)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(waitMs), _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // StopAsync publishes what is still held
        }

        string? final;
        lock (_gate)
        {
            final = TakeDeferredTranscript(item);
        }

        PublishHeard(final);
    }

    private void OnResponseDone(RealtimeServerEvent e)
    {
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
                reason = GetString(statusDetails, "reason");
            }

            if (r.TryGetProperty("status_details", out var details) && details.ValueKind == JsonValueKind.Object &&
                details.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object)
            {
                errorCode = err.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                errorMessage = err.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                errorCode ??= err.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            }

            if (r.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                input = GetInt(usage, "input_tokens");
                output = GetInt(usage, "output_tokens");
                if (usage.TryGetProperty("input_token_details", out var inputDetails) && inputDetails.ValueKind == JsonValueKind.Object)
                {
                    cached = GetInt(inputDetails, "cached_tokens");
                }
            }
        }

        var doneUtterances = new List<int>();
        bool createPending;
        lock (_gate)
        {
            foreach (var item in _itemsByUtterance.Values)
            {
                if (item.ResponseId is not null && item.ResponseId == responseId && MarkAudioDone(item) is { } u)
                {
                    doneUtterances.Add(u);
                }
            }

            if (_activeResponseId == responseId || responseId is null)
            {
                _activeResponseId = null;
            }

            createPending = _responsePending && _activeResponseId is null;
            if (createPending)
            {
                _responsePending = false;
                _responseRequested = true;
            }
        }

        foreach (var u in doneUtterances)
        {
            Publish(new AgentAudioDone(u));
        }

        OpenAIRealtimeLog.ResponseDone(_logger, responseId ?? "?", _callId, status, input, cached, output);
        if (status is "cancelled" or "incomplete")
        {
            OpenAIRealtimeLog.ResponseEndedEarly(_logger, responseId ?? "?", _callId, status, reason ?? "(none)");
        }

        Publish(new ProviderUsage(input, cached, output, status));
        if (status == "incomplete" && reason is "content_filter" or "max_output_tokens")
        {
            // The answer was cut short by the service, not by the caller: count it (the call goes on).
            Publish(new ProviderError(ProviderErrorKind.Other, reason,
                reason == "content_filter" ? "the answer was stopped by the content filter" : "the answer hit max_output_tokens", Fatal: false));
        }
        if (status == "failed")
        {
            var code = errorCode ?? "response_failed";
            var kind = IsRateLimit(code, null) ? ProviderErrorKind.RateLimited : ProviderErrorKind.Server;
            Publish(new ProviderError(kind, code, errorMessage ?? "the response failed", Fatal: false));
        }

        if (createPending)
        {
            EnqueueJson(new ResponseCreateEvent(NextEventId("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent, epoch: 0);
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
            var remaining = GetLong(limit, "remaining");
            var max = GetLong(limit, "limit");
            var reset = limit.TryGetProperty("reset_seconds", out var rs) && rs.TryGetDouble(out var d) ? d : 0;
            OpenAIRealtimeLog.RateLimit(_logger, _callId, name, remaining, max, reset);
        }
    }

    private Outcome? OnError(RealtimeServerEvent e)
    {
        var error = ReadError(e);
        string clientEventType;
        lock (_gate)
        {
            clientEventType = error.EventId is not null && _sentEventTypes.TryGetValue(error.EventId, out var t) ? t : "(unknown client event)";
            if (clientEventType == "response.create" || IsRateLimit(error.Code, error.Type))
            {
                // The response we asked for was refused: nothing is coming, so DTMF must not wait for it.
                _responseRequested = false;
            }

            if (error.Code == "conversation_already_has_active_response")
            {
                // A server-VAD response started between our check and our response.create: answer after it.
                _responsePending = true;
                _responseRequested = false;
            }
        }

        if (error.Code is "response_cancel_not_active" or "conversation_already_has_active_response")
        {
            // Benign races: the response ended (or started) while our event was in flight.
            OpenAIRealtimeLog.BenignError(_logger, _callId, error.Code);
            return null;
        }

        OpenAIRealtimeLog.ServerError(_logger, _callId, error.Type, error.Code, clientEventType, error.EventId, error.Param, error.Message);
        var providerError = ClassifyError(error);
        var message = error.EventId is null ? providerError.Message : $"{providerError.Message} (on {clientEventType} {error.EventId})";
        providerError = providerError with { Message = message };
        return providerError.Kind switch
        {
            ProviderErrorKind.Authentication => Outcome.FatalError(providerError with { Fatal = true }),
            ProviderErrorKind.SessionExpired => Outcome.Lost(ProviderErrorKind.SessionExpired, providerError.Code, providerError.Message),
            _ => PublishAndContinue(providerError),
        };

        Outcome? PublishAndContinue(ProviderError pe)
        {
            Publish(pe);
            return null;
        }
    }

    private ServerError ReadError(RealtimeServerEvent e)
    {
        if (e.Error.IsEmpty)
        {
            return new ServerError("server_error", "unknown", "the server reported an error without details", null, null);
        }

        using var doc = JsonDocument.Parse(e.Error);
        var err = doc.RootElement;
        return new ServerError(
            GetString(err, "type") ?? "server_error",
            GetString(err, "code") ?? GetString(err, "type") ?? "unknown",
            Redact(GetString(err, "message") ?? string.Empty),
            GetString(err, "param"),
            GetString(err, "event_id"));
    }

    /// <summary>
    /// Server messages can quote the key (the real API echoes a masked form, "Incorrect API key provided: sk-ab***yz"):
    /// strip the key and anything shaped like one before a message reaches a log line or an event.
    /// </summary>
    private string Redact(string message)
    {
        if (!string.IsNullOrEmpty(_apiKey))
        {
            message = message.Replace(_apiKey, "[redacted]", StringComparison.Ordinal);
        }

        return s_keyPattern.Replace(message, "[redacted]");
    }

    private static ProviderError ClassifyError(ServerError error)
    {
        var kind = error switch
        {
            _ when s_authCodes.Contains(error.Code) || error.Type == "authentication_error" => ProviderErrorKind.Authentication,
            _ when error.Code == "session_expired" => ProviderErrorKind.SessionExpired,
            _ when IsRateLimit(error.Code, error.Type) => ProviderErrorKind.RateLimited,
            _ when error.Type == "server_error" => ProviderErrorKind.Server,
            _ => ProviderErrorKind.InvalidRequest,
        };
        return new ProviderError(kind, error.Code, error.Message, Fatal: false);
    }

    private static bool IsRateLimit(string? code, string? type) =>
        code is "rate_limit_exceeded" or "insufficient_quota" || type is "rate_limit_error";
}
