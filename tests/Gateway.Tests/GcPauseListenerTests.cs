using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AiAgent.Telemetry;
using AiAgent.Tests.Support;

namespace AiAgent.Gateway.Tests;

public sealed class GcPauseListenerTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task A_collection_is_recorded_as_one_pause_of_its_generation_with_its_suspension_and_what_it_promoted(int generation)
    {
        using var meter = new Meter("AiAgent.Runtime.Tests." + Guid.NewGuid().ToString("N"));
        var pauses = new ConcurrentQueue<(double Seconds, string? Generation)>();
        var suspensions = new ConcurrentQueue<double>();
        var promoted = new ConcurrentQueue<(long Bytes, string? Generation)>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == GcPauseListener.SuspensionInstrument)
            {
                suspensions.Enqueue(value);
                return;
            }

            pauses.Enqueue((value, tags.ToArray().SingleOrDefault(static t => t.Key == "generation").Value as string));
        });
        meters.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            promoted.Enqueue((value, tags.ToArray().SingleOrDefault(static t => t.Key == "generation").Value as string)));
        meters.Start();
        using var listener = new GcPauseListener(meter);

        // The runtime delivers its events to the listener asynchronously: collect until one arrives.
        await Waits.UntilAsync(() =>
        {
            GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
            return pauses.Any(p => p.Generation == generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }, what: $"a gen{generation} pause");

        var pause = pauses.First(p => p.Generation == generation.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(pause.Seconds, 1e-7, 5);
        Assert.NotEmpty(suspensions); // each pause begins with one, recorded before the pause ends
        var generationName = generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Waits.UntilAsync(() => promoted.Any(p => p.Generation == generationName), what: $"the bytes a gen{generation} promoted");
        Assert.All(promoted, p => Assert.True(p.Bytes >= 0));
        if (generation == 2)
        {
            // A full collection keeps every live object of this process, so it promotes something.
            Assert.Contains(promoted, p => p.Generation == "2" && p.Bytes > 0);
        }
    }
}
