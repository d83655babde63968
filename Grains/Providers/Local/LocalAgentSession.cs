using System.Buffers;
using System.Runtime.InteropServices;
using AiAgent.Grains.Audio;
using AiAgent.Grains.Interfaces.Audio;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.Local;

/// <summary>
/// One call's local session. It speaks the call's own format both ways (no conversion needed), records each
/// caller turn between VAD edges (with a little pre-roll) and answers with the recording, emitted in chunks
/// faster than real time, as a hosted provider would.
/// </summary>
internal sealed partial class LocalAgentSession : IAgentSession
{
    private const int PreRollMs = 200;

    private readonly AgentSessionContext _context;
    private readonly LocalProviderOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>(new() { SingleReader = true, SingleWriter = true });
    private readonly AudioConverter _toPcm;
    private readonly EnergyVad _vad;
    private readonly TurnRecording _turn;
    private readonly byte[] _preRoll;
    private readonly short[] _pcmScratch;
    private int _preRollFill;
    private int _nextUtteranceId;
    private int _turns;
    private bool _stopped;

    public LocalAgentSession(AgentSessionContext context, LocalProviderOptions options, ILogger<LocalAgentSession> logger)
    {
        _context = context;
        _options = options;
        _logger = logger;
        var format = context.CallFormat;
        Formats = new ProviderAudioFormats(format, format);
        _toPcm = AudioConverter.Create(format, format with { Encoding = AudioEncoding.Pcm16 });
        _vad = new EnergyVad(format.SampleRate, options.SpeechThresholdDbfs, options.MinSpeechMs, options.SilenceMs);
        // Recorded in echo-sized chunks up to max_turn_ms: a whole 15 s buffer per call (240 KB at 8 kHz) landed on the
        // large-object heap for every call, and at a few hundred calls those allocations alone set off full collections.
        _turn = new TurnRecording(
            format.BytesFor(TimeSpan.FromMilliseconds(options.ChunkMs)), format.BytesFor(TimeSpan.FromMilliseconds(options.MaxTurnMs)));
        _preRoll = new byte[format.BytesFor(TimeSpan.FromMilliseconds(PreRollMs))];
        _pcmScratch = new short[format.SampleRate / 10];
    }

    public string ProviderName => LocalProviderOptions.Name;

    public ProviderAudioFormats Formats { get; }

    public ChannelReader<ProviderEvent> Events => _events.Reader;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Emit(new SessionStarted($"local-{_context.CallId:N}"));
        // A call resumed on another silo was greeted before: it goes on with the next caller turn.
        if (_options.Greeting && !_context.Resumed)
        {
            var greeting = LocalGreeting.For(_context.CallFormat);
            Speak(greeting, LocalGreeting.Text);
        }

        LogSessionStarted(_logger, _context.CallId, _context.CallFormat);
        return Task.CompletedTask;
    }

    public ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        if (_stopped)
        {
            return ValueTask.CompletedTask;
        }

        // Walk the input in ≤ 20 ms steps so the VAD reports every edge at the right place.
        var step = Formats.Input.BytesFor(TimeSpan.FromMilliseconds(20));
        var span = audio.Span;
        for (var offset = 0; offset < span.Length; offset += step)
        {
            ProcessSlice(span.Slice(offset, Math.Min(step, span.Length - offset)));
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken)
    {
        Emit(new UserTranscript($"[DTMF {digit}]", IsFinal: true));
        return ValueTask.CompletedTask;
    }

    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken)
    {
        // The whole answer was handed over at once; the grain already dropped the rest. Nothing to cancel here.
        LogInterrupted(_logger, _context.CallId, utteranceId, playedMilliseconds);
        return ValueTask.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_stopped)
        {
            _stopped = true;
            Emit(new SessionEnded("stopped", HangUp: false));
            _events.Writer.TryComplete();
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    private void ProcessSlice(ReadOnlySpan<byte> slice)
    {
        var pcmBytes = MemoryMarshal.AsBytes(_pcmScratch.AsSpan());
        var written = _toPcm.Convert(slice, pcmBytes);
        var edge = _vad.Process(_pcmScratch.AsSpan(0, written / 2));

        if (_vad.InSpeech || edge == VadEdge.SpeechStopped)
        {
            if (edge == VadEdge.SpeechStarted)
            {
                // Start the turn with the pre-roll so the first syllable is not clipped.
                _turn.Clear();
                _turn.Append(_preRoll.AsSpan(0, _preRollFill));
                Emit(new UserSpeechStarted());
            }

            _turn.Append(slice);
        }
        else
        {
            KeepPreRoll(slice);
        }

        var tooLong = _vad.InSpeech && _turn.IsFull;
        if (edge == VadEdge.SpeechStopped || tooLong)
        {
            EndTurn();
            if (tooLong)
            {
                _vad.Reset();
            }
        }
    }

    private void EndTurn()
    {
        var turnMs = Formats.Input.MillisecondsOf(_turn.Length);
        _turns++;
        Emit(new UserSpeechStopped());
        Emit(new UserTranscript($"[caller turn {_turns}: {turnMs / 1000.0:0.0} s of speech]", IsFinal: true));
        Speak(_turn.TakeChunks(), $"(echo of your {turnMs / 1000.0:0.0} s turn)");
        if (_options.EndCallAfterTurns > 0 && _turns == _options.EndCallAfterTurns)
        {
            // The agent's last reply is queued ahead of this: the platform plays it out before hanging up.
            Emit(new SessionEnded($"the local agent ends the call after {_turns} turns", HangUp: true));
        }
    }

    private void KeepPreRoll(ReadOnlySpan<byte> audio)
    {
        if (audio.Length >= _preRoll.Length)
        {
            audio[^_preRoll.Length..].CopyTo(_preRoll);
            _preRollFill = _preRoll.Length;
            return;
        }

        var keep = Math.Min(_preRollFill, _preRoll.Length - audio.Length);
        _preRoll.AsSpan(_preRollFill - keep, keep).CopyTo(_preRoll);
        audio.CopyTo(_preRoll.AsSpan(keep));
        _preRollFill = keep + audio.Length;
    }

    /// <summary>Emits an utterance in chunks of <c>chunk_ms</c>, all at once (faster than real time).</summary>
    private void Speak(ReadOnlySpan<byte> audio, string transcript)
    {
        var chunk = Formats.Output.BytesFor(TimeSpan.FromMilliseconds(_options.ChunkMs));
        var chunks = new ReadOnlyMemory<byte>[(audio.Length + chunk - 1) / chunk];
        for (var i = 0; i < chunks.Length; i++)
        {
            // Each event owns its bytes: the grain may hold them after this call returns.
            chunks[i] = audio.Slice(i * chunk, Math.Min(chunk, audio.Length - i * chunk)).ToArray();
        }

        Speak(chunks, transcript);
    }

    /// <summary>Emits an utterance of <paramref name="chunks"/>, which the events own from now on.</summary>
    private void Speak(ReadOnlyMemory<byte>[] chunks, string transcript)
    {
        var utteranceId = ++_nextUtteranceId;
        Emit(new AgentTranscript(transcript, IsFinal: true));
        foreach (var chunk in chunks)
        {
            Emit(new AgentAudio(chunk, Formats.Output, utteranceId));
        }

        Emit(new AgentAudioDone(utteranceId));
    }

    private void Emit(ProviderEvent e) => _events.Writer.TryWrite(e);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Local session started for call {CallId} ({Format})")]
    private static partial void LogSessionStarted(ILogger logger, Guid callId, AudioFormat format);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Local session for call {CallId}: utterance {UtteranceId} interrupted after {PlayedMs} ms")]
    private static partial void LogInterrupted(ILogger logger, Guid callId, int utteranceId, long playedMs);
}

/// <summary>The built-in greeting (espeak-ng, 8 kHz slin), converted once per call format.</summary>
internal static class LocalGreeting
{
    public const string Text = "Hello. This is the local echo agent. Say something, and I will play it back to you.";

    private static readonly Lazy<byte[]> s_slin8 = new(LoadSlin8);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<AudioFormat, byte[]> s_byFormat = new();

    public static byte[] For(AudioFormat format) => s_byFormat.GetOrAdd(format, static f =>
    {
        var source = s_slin8.Value;
        var converter = AudioConverter.Create(AudioFormat.Slin8, f);
        var output = new byte[converter.GetMaxOutputBytes(source.Length)];
        var written = converter.Convert(source, output);
        return output.AsSpan(0, written).ToArray();
    });

    private static byte[] LoadSlin8()
    {
        using var stream = typeof(LocalGreeting).Assembly.GetManifestResourceStream("AiAgent.Grains.Providers.Local.greeting-8k.wav")
            ?? throw new InvalidOperationException("the local greeting asset is missing from the assembly");
        return WavData.ReadPcm16(stream);
    }
}
