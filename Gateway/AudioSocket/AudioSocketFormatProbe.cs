using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Learns a call's format before it starts: current Asterisk labels audio frames with their sample rate
/// (0x10-0x18), so the kind of the first frame after the UUID tells what the caller sends (docs/protocols/audiosocket.md).
/// </summary>
internal static class AudioSocketFormatProbe
{
    /// <summary>
    /// Peeks (without consuming) at the kind of the first frame after the UUID, waiting at most
    /// <paramref name="window"/>. Null when the first frame is not audio or none came in time.
    /// </summary>
    /// <remarks>
    /// The dialplan app streams at once; with <c>Dial(AudioSocket/...)</c> or ARI the UUID comes when the call is
    /// placed and audio once the channel is bridged, hence a window rather than a single read.
    /// </remarks>
    public static async Task<AudioSocketKind?> PeekFirstAudioKindAsync(PipeReader input, TimeSpan window, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(window, time);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException)
            {
                return null;
            }

            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                var kind = (AudioSocketKind)buffer.FirstSpan[0];
                input.AdvanceTo(buffer.Start);
                return kind.IsAudio() ? kind : null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return null;
            }
        }
    }
}
