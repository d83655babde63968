namespace AiAgent.Emulators.Ari;

/// <summary>
/// A caller driven frame by frame (a conversation that speaks, listens and answers): the emulator asks it for every
/// 20 ms of what the caller says and hands it every frame the caller hears, with its arrival time. The caller has its
/// own clock, as a phone does: it is asked every 20 ms from the moment its channel is answered, whether or not a media
/// leg shares its bridge; each frame goes to every external-media leg in the bridge at that moment, so a leg that
/// joins receives the caller from then on, and what the caller says while no leg is bridged is lost (a bridge of one).
/// </summary>
/// <remarks>Both members are called from the emulator's own tasks: <see cref="NextFrame"/> from the caller's clock, <see cref="Heard"/> from each leg's reader.</remarks>
public interface IAriCallerAudio
{
    /// <summary>Fills <paramref name="frame"/> (s16le, 20 ms at <see cref="AriCallOptions.CallerFormat"/>) with what the caller says on the tick at <paramref name="timestamp"/> (<see cref="System.Diagnostics.Stopwatch"/> ticks).</summary>
    void NextFrame(Span<byte> frame, long timestamp);

    /// <summary>One audio frame from a gateway reached the caller through the bridge.</summary>
    /// <param name="payload">The frame's audio.</param>
    /// <param name="arrivedAt">When it arrived (<see cref="System.Diagnostics.Stopwatch"/> ticks).</param>
    /// <param name="mediaLegId">The external-media channel it came on.</param>
    void Heard(ReadOnlySpan<byte> payload, long arrivedAt, string mediaLegId);
}
