using NAudio.Wave;

namespace AiAgent.CallSim.Audio;

/// <summary>Writes what a call received as a WAV file in the call format.</summary>
public static class WavRecording
{
    /// <summary>Writes s16le mono <paramref name="pcm"/> at the call's rate to <paramref name="path"/>.</summary>
    public static void Write(string path, CallFormat format, ReadOnlySpan<byte> pcm)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        using var writer = new WaveFileWriter(path, new WaveFormat(format.SampleRate, 16, 1));
        writer.Write(pcm);
    }
}
