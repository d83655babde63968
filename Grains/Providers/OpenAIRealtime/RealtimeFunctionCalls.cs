namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// The function calls of each response (docs/protocols/openai-realtime.md, Function call): each <c>call_id</c> runs
/// once, though both <c>response.function_call_arguments.done</c> and <c>response.output_item.done</c> announce it,
/// and the response that asked gets one follow-up <c>response.create</c>, once its <c>response.done</c> has listed its
/// calls and every one of them has its <c>function_call_output</c> (not one per call).
/// </summary>
/// <remarks>Touched by the receive loop and the tool tasks: every member takes the lock.</remarks>
internal sealed class RealtimeFunctionCalls
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Pending> _responses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _responseOf = new(StringComparer.Ordinal);

    /// <summary>No response is waiting for a function output or its follow-up (a rollover may switch sessions).</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _responses.Count == 0;
            }
        }
    }

    /// <summary>A function call of <paramref name="responseId"/> on connection <paramref name="epoch"/> is announced; true the first time only (run it then).</summary>
    public bool Begin(string callId, string? responseId, int epoch)
    {
        lock (_gate)
        {
            if (!_seen.Add(callId))
            {
                return false;
            }

            var key = responseId ?? callId;
            if (!_responses.TryGetValue(key, out var pending))
            {
                pending = new Pending(epoch);
                _responses.Add(key, pending);
            }

            // A call without a response id (never seen from the service) stands alone: its output alone is awaited.
            if (responseId is null)
            {
                pending.Listed = [callId];
                pending.Completed = true;
            }

            pending.Started.Add(callId);
            _responseOf[callId] = key;
            return true;
        }
    }

    /// <summary>
    /// The output of <paramref name="callId"/> went to the socket; the epoch to send the follow-up <c>response.create</c>
    /// on when it is due now, else null.
    /// </summary>
    public int? Answered(string callId)
    {
        lock (_gate)
        {
            if (!_responseOf.Remove(callId, out var key) || !_responses.TryGetValue(key, out var pending))
            {
                return null;
            }

            pending.Answered.Add(callId);
            return Settle(key, pending);
        }
    }

    /// <summary>
    /// <c>response.done</c> of <paramref name="responseId"/>, listing its function calls and its status: the epoch to send
    /// the follow-up <c>response.create</c> on when it is due now, else null. A response that did not complete (the
    /// caller barged in, it failed) gets no follow-up: the caller's own turn answers, with the outputs in context.
    /// </summary>
    public int? ResponseDone(string? responseId, IReadOnlyList<string> callIds, string status)
    {
        if (responseId is null)
        {
            return null;
        }

        lock (_gate)
        {
            if (!_responses.TryGetValue(responseId, out var pending))
            {
                return null;
            }

            pending.Completed = true;
            pending.FollowUp = status == "completed";
            pending.Listed = [.. callIds.Where(_seen.Contains)];
            return Settle(responseId, pending);
        }
    }

    private int? Settle(string key, Pending pending)
    {
        if (!pending.Completed || !pending.Listed!.All(pending.Answered.Contains))
        {
            return null;
        }

        _responses.Remove(key);
        return pending.FollowUp && pending.Listed!.Count > 0 ? pending.Epoch : null;
    }

    private sealed class Pending(int epoch)
    {
        public int Epoch { get; } = epoch;

        public HashSet<string> Started { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Answered { get; } = new(StringComparer.Ordinal);

        public List<string>? Listed { get; set; }

        public bool Completed { get; set; }

        public bool FollowUp { get; set; } = true;
    }
}
