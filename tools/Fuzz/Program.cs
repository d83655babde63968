using AiAgent.Fuzz;
using SharpFuzz;

// Under afl-fuzz (tools/fuzz-run.sh): no arguments, the input on stdin, the assembly instrumented by sharpfuzz.
// --replay FILE|DIR ...: runs each input in process and reports findings (CI, and reproducing a crash AFL kept).
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

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    FrameReaderTarget.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
});
return 0;
