namespace AiAgent.Audio.Tests;

/// <summary>Bytes a per-frame operation allocates once warm, on this thread.</summary>
internal static class Allocations
{
    /// <summary>
    /// Runs <paramref name="perFrame"/> <paramref name="frames"/> times per round and returns the fewest bytes a
    /// round allocated. The runtime allocates now and then on its own (tiered JIT promotions, on-stack
    /// replacement of the calling loop); an allocation per frame shows in every round, those do not.
    /// </summary>
    public static long SteadyStateBytes(Action perFrame, int frames = 1_000, int rounds = 3)
    {
        for (var i = 0; i < 200; i++)
        {
            perFrame();
        }

        var fewest = long.MaxValue;
        for (var round = 0; round < rounds && fewest > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < frames; i++)
            {
                perFrame();
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
