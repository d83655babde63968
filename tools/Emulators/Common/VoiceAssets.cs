namespace AiAgent.Emulators.Common;

/// <summary>Canned agent speech (espeak-ng, PCM16 24 kHz mono WAV) that the emulators send as the agent's voice.</summary>
public static class VoiceAssets
{
    private static readonly Lazy<short[]> s_greeting = new(() => LoadPcm("agent-greeting-24k.wav"));
    private static readonly Lazy<short[]> s_reply = new(() => LoadPcm("agent-reply-24k.wav"));
    private static readonly Lazy<short[]> s_farewell = new(() => FirstSentence(s_reply.Value));

    /// <summary>The sample rate of every asset.</summary>
    public const int SampleRate = 24_000;

    /// <summary>The greeting: "Hello, you are connected to the emulated agent."</summary>
    public static ReadOnlySpan<short> Greeting => s_greeting.Value;

    /// <summary>The reply to a caller turn.</summary>
    public static ReadOnlySpan<short> Reply => s_reply.Value;

    /// <summary>The farewell after <c>hangup_call</c>: the reply's first sentence, "Thanks for calling."</summary>
    public static ReadOnlySpan<short> Farewell => s_farewell.Value;

    /// <summary>The transcript of <see cref="Farewell"/>.</summary>
    public const string FarewellText = "Thanks for calling.";

    /// <summary>The transcript of <see cref="Greeting"/>.</summary>
    public const string GreetingText = "Hello, you are connected to the emulated agent.";

    /// <summary>The transcript of <see cref="Reply"/>.</summary>
    public const string ReplyText = "Thanks for calling. This is the offline emulator speaking. How can I help you today?";

    /// <summary>The audio up to the first pause of 150 ms or more after at least 400 ms of speech (the whole when there is none).</summary>
    private static short[] FirstSentence(short[] pcm)
    {
        const int window = SampleRate / 50; // 20 ms
        const double threshold = 0.01 * 32768; // -40 dBFS
        int speech = 0, quiet = 0;
        for (var offset = 0; offset + window <= pcm.Length; offset += window)
        {
            double sum = 0;
            for (var i = offset; i < offset + window; i++)
            {
                sum += (double)pcm[i] * pcm[i];
            }

            var loud = Math.Sqrt(sum / window) > threshold;
            if (loud)
            {
                speech += 20;
                quiet = 0;
            }
            else if (speech >= 400 && (quiet += 20) >= 150)
            {
                return pcm[..(offset + window)];
            }
        }

        return pcm;
    }

    private static short[] LoadPcm(string name)
    {
        using var stream = typeof(VoiceAssets).Assembly.GetManifestResourceStream($"AiAgent.Emulators.Assets.{name}")
            ?? throw new InvalidOperationException($"missing embedded asset {name}");
        using var reader = new BinaryReader(stream);
        // RIFF header: find the "data" chunk; the files are ours (sox, PCM16 mono), so only that chunk matters.
        reader.ReadBytes(12);
        while (true)
        {
            var id = new string(reader.ReadChars(4));
            var size = reader.ReadInt32();
            if (id == "data")
            {
                var bytes = reader.ReadBytes(size);
                var samples = new short[bytes.Length / 2];
                Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
                return samples;
            }

            reader.ReadBytes(size);
        }
    }
}
