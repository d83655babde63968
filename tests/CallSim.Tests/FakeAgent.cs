using AiAgent.CallSim.Audio;

namespace AiAgent.CallSim.Tests;

/// <summary>A server side that takes turns like an agent, for calls that talk in cycles.</summary>
internal static class FakeAgent
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An agent: after the caller has spoken and then sent 100 ms of quiet, answers with 200 ms of tone (ten frames, paced
    /// 20 ms apart), up to <paramref name="answers"/> times; returns after its last answer.
    /// </summary>
    public static Task AnswerTurnsAsync(ServerConnection connection, int answers) =>
        AnswerTurnsAsync(connection, answers, static (_, _) => TimeSpan.FromMilliseconds(20));

    /// <summary>
    /// The same agent, with <paramref name="delayAfterFrame"/> (answer index, frame index from 0) deciding how long it
    /// waits after each of the ten frames of an answer: zero sends a burst, a long one leaves a hole in the reply.
    /// </summary>
    public static async Task AnswerTurnsAsync(ServerConnection connection, int answers, Func<int, int, TimeSpan> delayAfterFrame)
    {
        using var deadline = new CancellationTokenSource(s_deadline);
        var reply = Tone(CallFormat.Slin, 20).SelectMany(BitConverter.GetBytes).ToArray();
        int read = 0, quiet = 0, answered = 0;
        var heardSpeech = false;
        try
        {
            while (answered < answers)
            {
                var frames = connection.Frames;
                for (; read < frames.Count; read++)
                {
                    if (frames[read].Kind != 0x10)
                    {
                        continue;
                    }

                    var loud = frames[read].Payload.Chunk(2).Any(static s => Math.Abs(BitConverter.ToInt16(s)) > 1000);
                    heardSpeech |= loud;
                    quiet = loud ? 0 : quiet + 1;
                }

                if (heardSpeech && quiet >= 5)
                {
                    heardSpeech = false;
                    for (var i = 0; i < 10; i++)
                    {
                        await connection.SendFrameAsync(0x10, reply);
                        var delay = delayAfterFrame(answered, i);
                        if (delay > TimeSpan.Zero)
                        {
                            await Task.Delay(delay, deadline.Token); // pacing, as a gateway plays out (or a hole in it)
                        }
                    }

                    answered++;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(10), deadline.Token); // poll the received frames
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The call ended (or the test's deadline passed and its assertions will say so).
        }
    }

    /// <summary>A 440 Hz tone of <paramref name="ms"/> milliseconds: speech as far as CallSim's silence threshold goes.</summary>
    public static short[] Tone(CallFormat format, int ms) =>
        Enumerable.Range(0, format.SampleRate * ms / 1000).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / format.SampleRate))).ToArray();
}
