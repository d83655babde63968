namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// Whose turn it is and which agent utterance is open, from the server's turn messages: utterance ids, the end of
/// the caller's turn (Deepgram has no "speech stopped"), barge-in (agent audio dropped until the next
/// <c>AgentStartedSpeaking</c>, docs/protocols/deepgram.md) and whole PCM16 samples for the grain.
/// </summary>
/// <remarks>Driven by one receive loop at a time; the rollover planner only reads <see cref="IsQuiet"/>.</remarks>
internal sealed class DeepgramTurns(DeepgramCall call)
{
    private int _lastUtteranceId;
    private volatile int _openUtteranceId;
    private bool _dropAgentAudio;
    private bool _sawAgentStartedSpeaking;
    private volatile bool _userSpeaking;

    // An answer is owed: the caller's turn ended and the agent has not started speaking.
    private volatile bool _answerOwed;
    private byte? _oddByte;

    /// <summary>A moment to switch connections without cutting anything: caller not mid-turn, no answer owed, no agent audio arriving or left to play.</summary>
    public bool IsQuiet => !_userSpeaking && !_answerOwed && _openUtteranceId == 0 && !call.Playout.IsPlaying;

    public void OnUserStartedSpeaking()
    {
        _userSpeaking = true;
        _dropAgentAudio = true;
        // The gateway stops playout on barge-in: nothing of the old answer is still playing.
        call.Playout.Interrupted();
        _oddByte = null;
        call.Emit(new UserSpeechStarted());
        if (_openUtteranceId != 0)
        {
            DeepgramLog.BargeIn(call.Logger, call.CallId, _openUtteranceId);
            CloseUtterance();
        }
    }

    /// <summary>The first sign of the answer (transcript, thinking, speaking) ends the caller's turn.</summary>
    public void EndUserTurn()
    {
        if (_userSpeaking)
        {
            _userSpeaking = false;
            call.Emit(new UserSpeechStopped());
        }
    }

    public void OnAgentThinking()
    {
        EndUserTurn();
        _answerOwed = true;
    }

    public void OnAgentAudioDone()
    {
        _answerOwed = false;
        CloseUtterance();
    }

    public void OnUserText(string content)
    {
        EndUserTurn();
        _answerOwed = true;
        call.Remember("user", content);
        call.Emit(new UserTranscript(content, IsFinal: true));
    }

    public void OnAssistantText(string content)
    {
        if (_dropAgentAudio && !_sawAgentStartedSpeaking)
        {
            // A server that never sends AgentStartedSpeaking (some accounts need "experimental") would otherwise
            // mute every turn after a barge-in: the next agent text marks the new turn instead.
            _dropAgentAudio = false;
            CloseUtterance();
        }

        _answerOwed = false;
        call.Remember("assistant", content);
        call.Emit(new AgentTranscript(content, IsFinal: true));
    }

    public void OnAgentStartedSpeaking(ServerMessage message)
    {
        EndUserTurn();
        CloseUtterance();
        _dropAgentAudio = false;
        _answerOwed = false;
        _sawAgentStartedSpeaking = true;
        var id = OpenUtterance();
        var total = message.TotalLatency ?? 0;
        DeepgramLog.AgentStartedSpeaking(call.Logger, call.CallId, id, total, message.TttLatency, message.TtsLatency);
        call.Metrics.Latency(total, message.TttLatency, message.TtsLatency);
        call.Emit(new ProviderLatency(id, Seconds(total), message.TttLatency is { } ttt ? Seconds(ttt) : null, message.TtsLatency is { } tts ? Seconds(tts) : null));

        static TimeSpan Seconds(double value) => TimeSpan.FromSeconds(double.IsFinite(value) && value >= 0 ? value : 0);
    }

    /// <summary>One binary frame of agent audio.</summary>
    public void OnAgentAudio(ReadOnlySpan<byte> audio)
    {
        if (_dropAgentAudio)
        {
            call.Metrics.Dropped("agent", "barge_in", audio.Length);
            return;
        }

        var id = _openUtteranceId != 0 ? _openUtteranceId : OpenUtterance();
        var format = call.Formats.Output;
        call.Playout.OnAudio(id, format, audio.Length);
        if (format.BlockAlign == 1)
        {
            call.Emit(new AgentAudio(audio.ToArray(), format, id));
            return;
        }

        // Frames are not promised to hold whole samples: carry an odd byte so every chunk decodes as PCM16.
        var carried = _oddByte.HasValue ? 1 : 0;
        var whole = (carried + audio.Length) & ~1;
        if (whole > 0)
        {
            var bytes = new byte[whole];
            if (_oddByte is { } odd)
            {
                bytes[0] = odd;
            }

            audio[..(whole - carried)].CopyTo(bytes.AsSpan(carried));
            call.Emit(new AgentAudio(bytes, format, id));
        }

        _oddByte = (carried + audio.Length) % 2 == 1 ? audio[^1] : null;
    }

    /// <summary>Ends the open utterance: what arrived still plays out, and nothing more comes for it.</summary>
    public void CloseUtterance()
    {
        if (_openUtteranceId != 0)
        {
            call.Emit(new AgentAudioDone(_openUtteranceId));
            _openUtteranceId = 0;
        }

        _oddByte = null;
    }

    /// <summary>A forced switch to a new connection may cut a turn: settle what the old one left open; the new one starts fresh.</summary>
    public void SettleForHandover()
    {
        EndUserTurn();
        CloseUtterance();
        _dropAgentAudio = false;
        _answerOwed = false;
    }

    private int OpenUtterance()
    {
        _openUtteranceId = ++_lastUtteranceId;
        _oddByte = null;
        return _openUtteranceId;
    }
}
