namespace AiAgent.Emulators;

/// <summary>Entry point: <c>openai</c>, <c>deepgram</c> or <c>ari</c>, then the emulator's own options.</summary>
public static class Program
{
    /// <summary>Runs the chosen emulator until Ctrl+C.</summary>
    public static async Task<int> Main(string[] args)
    {
        var which = args.Length > 0 ? args[0] : string.Empty;
        var rest = args.Length > 0 ? args[1..] : [];
        switch (which)
        {
            case "openai":
                await OpenAIRealtime.OpenAIRealtimeEmulator.RunAsync(rest).ConfigureAwait(false);
                return 0;
            case "deepgram":
                await Deepgram.DeepgramEmulator.RunAsync(rest).ConfigureAwait(false);
                return 0;
            case "ari":
                await Ari.AriEmulator.RunAsync(rest).ConfigureAwait(false);
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: Emulators openai|deepgram [--port N] [--api-key KEY] | ari [--port N] [--user U]\n  openai faults: [--fault-ratio R --fault-mix drop,stall,429,401 [--fault-seed N] [--stall-ms MS] [--fault-after-deltas N]]").ConfigureAwait(false);
                return 2;
        }
    }
}
