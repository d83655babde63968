using System.Buffers.Binary;
using AiAgent.CallSim.Audio;

namespace AiAgent.CallSim.Simulation;

/// <summary>
/// Which of a call's 20 ms frames are silence, by energy: the leading silence and the tail always, and each frame
/// of the caller's speech whose RMS lies below <see cref="ThresholdDbfs"/> (the pauses of the WAV and its quiet
/// ends). A phone with silence suppression or DTX sends none of these (docs/callsim.md, <c>--silent-gaps</c>).
/// </summary>
public sealed class SilentFrames
{
    /// <summary>A frame quieter than this (RMS, dB full scale) is silence: far below speech, above a WAV's noise floor.</summary>
    public const double ThresholdDbfs = -50;

    private readonly bool[] _silent;

    private SilentFrames(bool[] silent, int lastSpeechFrame)
    {
        _silent = silent;
        LastSpeechFrame = lastSpeechFrame;
    }

    /// <summary>The index of the last frame with speech in it (-1 when there is none): the caller's turn ends after it.</summary>
    public int LastSpeechFrame { get; }

    /// <summary>Frames classified as silence.</summary>
    public int SilentCount => _silent.Count(static s => s);

    /// <summary>True when frame <paramref name="index"/> is silence (every frame beyond the call's end is).</summary>
    public bool IsSilent(int index) => index < 0 || index >= _silent.Length || _silent[index];

    /// <summary>Classifies every frame the call streams.</summary>
    public static SilentFrames Of(CallSettings settings)
    {
        var format = settings.Format;
        var leading = CallSettings.FramesIn(settings.LeadingSilence);
        var silent = new bool[settings.TotalFrames];
        Array.Fill(silent, true);
        var audio = settings.Audio.Bytes.Span;
        var threshold = 32768 * Math.Pow(10, ThresholdDbfs / 20);
        var last = -1;
        for (var offset = 0; offset < audio.Length; offset += format.FrameBytes)
        {
            var frame = audio[offset..Math.Min(audio.Length, offset + format.FrameBytes)];
            var index = leading + (offset / format.FrameBytes);
            if (Rms(frame, format.Encoding) >= threshold && index < silent.Length)
            {
                silent[index] = false;
                last = index;
            }
        }

        return new SilentFrames(silent, last);
    }

    private static double Rms(ReadOnlySpan<byte> frame, CallEncoding encoding)
    {
        double sum = 0;
        var samples = 0;
        switch (encoding)
        {
            case CallEncoding.Slin:
                for (var i = 0; i + 1 < frame.Length; i += 2, samples++)
                {
                    double s = BinaryPrimitives.ReadInt16LittleEndian(frame[i..]);
                    sum += s * s;
                }

                break;
            default:
                foreach (var b in frame)
                {
                    double s = encoding == CallEncoding.Ulaw ? NAudio.Codecs.MuLawDecoder.MuLawToLinearSample(b) : NAudio.Codecs.ALawDecoder.ALawToLinearSample(b);
                    sum += s * s;
                    samples++;
                }

                break;
        }

        return samples == 0 ? 0 : Math.Sqrt(sum / samples);
    }
}
