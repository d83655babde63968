namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// The response side of the conversation: the response in progress, the one we cancelled, and a
/// <c>response.create</c> asked for or owed (a second one while one is active is an API error).
/// </summary>
/// <remarks>Not thread-safe: <see cref="RealtimeConversation"/> calls it under its lock.</remarks>
internal sealed class ResponseState
{
    private bool _requested;
    private bool _pending;
    private bool _resumeAfterReconnect;
    private bool _answerOwedAtStart;

    // Server VAD ended a caller turn: with create_response on, the server creates the answer itself. Until its
    // response.created (or a response.done) the answer is under way even though we asked for nothing.
    private bool _serverResponding;

    /// <summary>Between <c>response.created</c> and <c>response.done</c>.</summary>
    public string? Active { get; private set; }

    /// <summary>The response a barge-in cancelled (its later items are not played).</summary>
    public string? Cancelled { get; private set; }

    /// <summary>No response under way, asked for or owed.</summary>
    public bool IsIdle => Active is null && !_requested && !_pending && !_serverResponding;

    /// <summary>We sent a <c>response.create</c>.</summary>
    public void Requested() => _requested = true;

    /// <summary><c>input_audio_buffer.speech_stopped</c>: the server is about to create the answer to the caller's turn.</summary>
    public void ServerWillRespond() => _serverResponding = true;

    /// <summary>True when a <c>response.create</c> may go now (it is then asked for); else it is owed after the current one.</summary>
    public bool AskOrOwe()
    {
        var now = Active is null && !_requested && !_serverResponding;
        if (now)
        {
            _requested = true;
        }
        else
        {
            _pending = true;
        }

        return now;
    }

    /// <summary>The active response to cancel, once; null when none is active or it was cancelled already.</summary>
    public string? CancelActive()
    {
        if (Active is null || Active == Cancelled)
        {
            return null;
        }

        Cancelled = Active;
        return Active;
    }

    /// <summary>A barge-in cancels <paramref name="responseId"/>.</summary>
    public void MarkCancelled(string responseId) => Cancelled = responseId;

    /// <summary><c>response.created</c>.</summary>
    public void Created(string? responseId)
    {
        Active = responseId;
        _requested = false;
        _serverResponding = false;
    }

    /// <summary><c>response.done</c>; true when an owed <c>response.create</c> goes out now.</summary>
    public bool Done(string? responseId)
    {
        if (Active == responseId || responseId is null)
        {
            Active = null;
        }

        // A done before the server's own response.created (e.g. of the answer the caller talked over) ends the wait
        // too, so a turn the server never answers cannot hold the session busy for good.
        _serverResponding = false;
        var createPending = _pending && Active is null;
        if (createPending)
        {
            _pending = false;
            _requested = true;
        }

        return createPending;
    }

    /// <summary>See <see cref="RealtimeConversation.RequestRefused"/>.</summary>
    public void Refused(bool responseRefused, bool responseAlreadyActive)
    {
        if (responseRefused)
        {
            _requested = false;
        }

        if (responseAlreadyActive)
        {
            _pending = true;
            _requested = false;
        }
    }

    /// <summary>A resumed call whose caller spoke last: the first connection asks for the answer once seeded.</summary>
    public void OweAnswerAtStart() => _answerOwedAtStart = true;

    /// <summary>
    /// A new connection is configured; true when an answer a dropped connection cut off is asked for again, or (on the
    /// first connection of a resumed call, each try until one is ready) the answer the lost silo still owed.
    /// </summary>
    public bool BeginConnection(int attempt, bool rollover)
    {
        var resume = attempt > 0 ? _resumeAfterReconnect : !rollover && _answerOwedAtStart;
        if (!rollover)
        {
            _resumeAfterReconnect = false;
        }

        _requested |= resume;
        return resume;
    }

    /// <summary>A connection was replaced; true when an answer was under way or owed (see <see cref="RealtimeConversation.Settle"/>).</summary>
    public bool Settle(bool lost)
    {
        var resume = !IsIdle;
        Active = null;
        _serverResponding = false;
        _requested = !lost && resume;
        _pending = false;
        if (lost)
        {
            _resumeAfterReconnect = resume;
        }

        return resume;
    }
}
