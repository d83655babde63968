using AiAgent.Benchmarks;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Benchmarks -- --filter '*Audio*'
BenchmarkSwitcher.FromAssembly(typeof(ShortAudioConfig).Assembly).Run(args, new ShortAudioConfig());
