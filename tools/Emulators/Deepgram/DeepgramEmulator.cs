namespace AiAgent.Emulators.Deepgram;

/// <summary>Loopback emulator of the Deepgram Voice Agent v1 WebSocket API. (To be written by the Deepgram provider work.)</summary>
public static class DeepgramEmulator
{
    /// <summary>Runs the emulator from command-line arguments until cancelled.</summary>
    public static Task RunAsync(string[] args) => throw new NotImplementedException($"deepgram emulator ({args.Length} args)");
}
