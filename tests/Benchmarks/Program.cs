using AiAgent.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Benchmarks -- --filter '*Audio*'
// dotnet run -c Release --project tests/Benchmarks -- --cpu-time   (CPU time per frame; robust on a loaded machine)
if (args is ["--cpu-time"])
{
    CpuTimeProbe.Run(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ShortAudioConfig).Assembly).Run(args, new ShortAudioConfig());
