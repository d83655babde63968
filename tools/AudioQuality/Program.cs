using System.Globalization;
using AiAgent.AudioQuality;

// Quality figures of the resampler (issue 3): ours beside sox, NAudio WDL and linear interpolation.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var sox = new SoxUnderTest();
IResampler[] resamplers = [new PolyphaseUnderTest(), sox, new WdlUnderTest(sinc: true), new WdlUnderTest(sinc: false), new LinearUnderTest()];
var report = new QualityReport(resamplers);
report.Run();
report.Print(Console.Out);
if (sox.Unavailable is not null)
{
    Console.WriteLine($"NOTE: sox column empty: {sox.Unavailable}");
}
else
{
    Console.WriteLine($"reference: {sox.Version}");
}

Console.WriteLine();
Console.WriteLine("Our filter per rate pair (Kaiser-windowed sinc, 100 dB design, pass band to 0.85 of the lower Nyquist):");
Console.WriteLine();
Console.WriteLine("| from → to | L/M | prototype taps | taps per output sample | delay (output samples) | delay (ms) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
int[] rates = [8_000, 16_000, 24_000, 48_000];
foreach (var from in rates)
{
    foreach (var to in rates)
    {
        if (from != to)
        {
            var r = new AiAgent.Grains.Audio.PolyphaseResampler(from, to);
            Console.WriteLine($"| {from / 1000}k → {to / 1000}k | {r.UpFactor}/{r.DownFactor} | {r.TapCount} | {r.TapsPerOutputSample} | {r.DelayOutputSamples} | {r.Delay.TotalMilliseconds:F3} |");
        }
    }
}

Console.WriteLine();
var misses = report.MissedTargets();
foreach (var miss in misses)
{
    Console.Error.WriteLine($"TARGET MISSED: {miss}");
}

return misses.Count == 0 ? 0 : 1;
