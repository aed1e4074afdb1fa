using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Reports;
using Perfolizer.Horology;

namespace Moderation.Benchmarks;

/// <summary>BenchmarkDotNet's defaults, with the median and 95th percentile shown in microseconds and allocations counted.</summary>
internal static class BenchmarkConfig
{
    public static IConfig Create() =>
        ManualConfig.Create(DefaultConfig.Instance)
            .AddColumn(StatisticColumn.Median, StatisticColumn.P95)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Microsecond))
            .WithArtifactsPath(Path.Combine(RepoRoot.Path, "tests", "Moderation.Benchmarks", "BenchmarkDotNet.Artifacts"));
}
