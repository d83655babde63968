namespace AiAgent.Emulators.OpenAIRealtime;

/// <summary>Loopback emulator of the OpenAI Realtime GA WebSocket API. (To be written by the OpenAI provider work.)</summary>
public static class OpenAIRealtimeEmulator
{
    /// <summary>Runs the emulator from command-line arguments until cancelled.</summary>
    public static Task RunAsync(string[] args) => throw new NotImplementedException($"openai emulator ({args.Length} args)");
}
