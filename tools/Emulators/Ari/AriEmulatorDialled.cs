namespace AiAgent.Emulators.Ari;

/// <summary>
/// The far end of a channel the application originated (<c>POST /channels</c>), as a test sees and drives it: a person
/// at the endpoint who answers, rejects, presses keys or hangs up. Its script (<see cref="AriEndpointScript"/>) may
/// answer or reject by itself; the test can act at any time instead.
/// </summary>
public sealed class AriEmulatorDialled
{
    private readonly AriEmulatorCore _core;
    private int _hangups;
    private long _heardFrames;
    private int? _destroyedCause;

    internal AriEmulatorDialled(AriEmulatorCore core, string channelId, string endpoint, string app, IReadOnlyList<string> appArgs, int timeoutSeconds, string? callerId, string? originator)
    {
        _core = core;
        ChannelId = channelId;
        Endpoint = endpoint;
        Application = app;
        AppArgs = appArgs;
        TimeoutSeconds = timeoutSeconds;
        CallerId = callerId;
        Originator = originator;
    }

    /// <summary>The channel id (the originate's <c>channelId</c> when it gave one).</summary>
    public string ChannelId { get; }

    /// <summary>What was dialled, e.g. <c>PJSIP/sales-desk</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The Stasis application it enters once answered.</summary>
    public string Application { get; }

    /// <summary>The <c>appArgs</c>, split at commas as its <c>StasisStart</c> carries them.</summary>
    public IReadOnlyList<string> AppArgs { get; }

    /// <summary>The originate's <c>timeout</c> in seconds (-1: none).</summary>
    public int TimeoutSeconds { get; }

    /// <summary>The originate's <c>callerId</c>, if any.</summary>
    public string? CallerId { get; }

    /// <summary>The originate's <c>originator</c>, if any.</summary>
    public string? Originator { get; }

    /// <summary>Down, Ringing, Up; empty once gone.</summary>
    public string State => _core.Read(ChannelId, c => c?.State ?? string.Empty);

    /// <summary>True while it is in the Stasis application (answered, not hung up).</summary>
    public bool InStasis => _core.Read(ChannelId, c => c?.StasisApp is not null);

    /// <summary>True once the channel is gone.</summary>
    public bool IsGone => _core.Read(ChannelId, c => c is null);

    /// <summary>The bridge it is in, if any.</summary>
    public string? BridgeId => _core.Read(ChannelId, c => c?.Bridge?.Id);

    /// <summary>The cause its <c>ChannelDestroyed</c> carried; null while it lives.</summary>
    public int? DestroyedCause => _core.Read(ChannelId, _ => _destroyedCause);

    /// <summary><c>DELETE /channels/{id}</c> requests for it.</summary>
    public int HangupRequests => Volatile.Read(ref _hangups);

    /// <summary>Audio frames a gateway sent into a bridge while this channel was in it (what the person heard of the platform).</summary>
    public long HeardFrames => Interlocked.Read(ref _heardFrames);

    /// <summary>The person answers: <c>ChannelStateChange</c> Up, <c>Dial</c> ANSWER, <c>StasisStart</c> with the appArgs.</summary>
    public Task AnswerAsync()
    {
        _core.AnswerDialled(ChannelId);
        return Task.CompletedTask;
    }

    /// <summary>The endpoint refuses before answering (17 busy, 19 no answer, 21 rejected …).</summary>
    public Task RejectAsync(int cause = 17)
    {
        _core.RejectDialled(ChannelId, cause);
        return Task.CompletedTask;
    }

    /// <summary>The person presses <paramref name="digit"/>: <c>ChannelDtmfReceived</c>.</summary>
    public Task SendDtmfAsync(char digit, int durationMs = 100)
    {
        _core.SendDtmf(ChannelId, digit, durationMs);
        return Task.CompletedTask;
    }

    /// <summary>The person hangs up: <c>ChannelHangupRequest</c> cause 16, <c>ChannelLeftBridge</c>, <c>StasisEnd</c>, <c>ChannelDestroyed</c>.</summary>
    public Task HangUpAsync()
    {
        _core.CallerHangsUp(ChannelId);
        return Task.CompletedTask;
    }

    internal void CountHangup() => Interlocked.Increment(ref _hangups);

    internal void CountHeard() => Interlocked.Increment(ref _heardFrames);

    /// <summary>Under the emulator's lock.</summary>
    internal void Destroyed(int cause) => _destroyedCause = cause;
}
