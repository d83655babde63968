using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace AiAgent.Benchmarks;

/// <summary>
/// One launch, 3 warm-up and 5 measured iterations per benchmark, allocations measured: the whole suite runs in a
/// few minutes on a shared 2-core machine. BenchmarkDotNet finds the project by the assembly name, hence
/// AiAgent.Benchmarks.csproj. Adds a "× real time" column for the per-20 ms-frame benchmarks.
/// </summary>
public sealed class ShortAudioConfig : ManualConfig
{
    public ShortAudioConfig()
    {
        AddJob(Job.ShortRun.WithIterationCount(5).WithId("Short"));
        AddDiagnoser(MemoryDiagnoser.Default);
        // The machine is shared: the minimum is the least disturbed figure, so print it beside the mean.
        AddColumn(StatisticColumn.Min, StatisticColumn.Median, new RealTimeFactorColumn());
        WithOption(ConfigOptions.JoinSummary, true);
        Add(DefaultConfig.Instance);

        // Results next to the binaries, out of the source tree.
        WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"));
    }

    /// <summary>20 ms divided by the mean time of one operation: how many streams one core can serve in real time.</summary>
    private sealed class RealTimeFactorColumn : IColumn
    {
        public string Id => "RealTimeFactor";

        public string ColumnName => "× real time (20 ms)";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "20 ms of audio divided by the mean time to process it (one 20 ms frame per operation)";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            return mean is > 0 ? (20_000_000 / mean.Value).ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "-";
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
