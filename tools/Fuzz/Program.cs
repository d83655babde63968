using AiAgent.Fuzz;
using SharpFuzz;

// Under afl-fuzz (tools/fuzz-run.sh): no arguments, the input on stdin, the assembly instrumented by sharpfuzz.
// --replay FILE|DIR ...: runs each input in process and reports findings (CI, and reproducing a crash AFL kept).
// (--mutate is below.)
if (args.Length > 0 && args[0] == "--replay")
{
    var inputs = args.Skip(1).SelectMany(p => Directory.Exists(p) ? Directory.GetFiles(p) : [p]).Order(StringComparer.Ordinal).ToList();
    var findings = 0;
    foreach (var path in inputs)
    {
        try
        {
            FrameReaderTarget.Run(File.ReadAllBytes(path));
        }
        catch (Exception ex)
        {
            findings++;
            Console.Error.WriteLine($"{path}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    Console.WriteLine($"{inputs.Count} inputs replayed, {findings} findings");
    return findings == 0 ? 0 : 1;
}

// --mutate N SEED DIR: N random mutations of the inputs in DIR, in process (no coverage feedback): what runs where
// afl-fuzz cannot (tools/fuzz-run.sh falls back to it).
if (args.Length == 4 && args[0] == "--mutate")
{
    var count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
    var seed = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
    var seeds = Directory.GetFiles(args[3]).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
    var random = new Random(seed);
    for (var i = 0; i < count; i++)
    {
        var input = Mutations.Mutate(seeds[random.Next(seeds.Length)], random);
        try
        {
            FrameReaderTarget.Run(input);
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine($"mutation {i} (seed {seed}) {Convert.ToHexString(input)}: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }

    Console.WriteLine($"{count} mutations of {seeds.Length} inputs (seed {seed}), no finding");
    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    FrameReaderTarget.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
});
return 0;
