using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AiAgent.CallSim.Simulation;

/// <summary>
/// Which received frames are agent speech: any s16le sample beyond ±<see cref="SilencePeak"/>. The gateway's keepalive
/// silence is not an answer. Public so that other transports (the ARI emulator's bridge) judge a caller's conversation
/// by the same rule.
/// </summary>
public static class AgentSpeech
{
    /// <summary>A received frame whose samples all lie within ±this value (about -60 dBFS) counts as silence.</summary>
    public const short SilencePeak = 32;

    /// <summary>True when every s16le sample lies within ±<see cref="SilencePeak"/>.</summary>
    public static bool IsSilent(ReadOnlySpan<byte> pcm)
    {
        if (BitConverter.IsLittleEndian)
        {
            return !MemoryMarshal.Cast<byte, short>(pcm).ContainsAnyExceptInRange((short)-SilencePeak, SilencePeak);
        }

        for (var i = 0; i + 1 < pcm.Length; i += 2)
        {
            if (Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(pcm[i..])) > SilencePeak)
            {
                return false;
            }
        }

        return true;
    }
}
