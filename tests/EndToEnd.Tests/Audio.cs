using AiAgent.CallSim.Audio;

namespace AiAgent.EndToEnd.Tests;

/// <summary>Caller audio for the tests: the spoken asset CallSim ships, and silence.</summary>
public static class Audio
{
    public static string HelloWav
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "tools", "CallSim", "assets", "hello.wav");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            throw new FileNotFoundException("tools/CallSim/assets/hello.wav");
        }
    }

    /// <summary>Speech, then silence, then speech again (to talk over the agent's answer).</summary>
    public static CallAudio SpeechTwice(CallFormat format, TimeSpan gap)
    {
        var hello = CallAudio.FromWav(HelloWav, format).Bytes.ToArray();
        var silence = new byte[(int)(format.BytesPerSecond * gap.TotalSeconds) & ~1];
        var all = hello.Concat(silence).Concat(hello).ToArray();
        return CallAudio.FromSamples(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(all), format);
    }
}
