using BenchmarkDotNet.Attributes;
using Moderation.Domain.Screening;

namespace Moderation.Benchmarks.Text;

/// <summary>
/// Issue 3: one 280-character comment through the whole synchronous text path (pupil names, redaction, the risk rules
/// with the school's context, personal data; no classifier) against a 2,000-pupil roster and the full rule files.
/// Target: median ≤ 20 µs per item on one thread.
/// </summary>
public class TextScreeningBenchmarks
{
    private BenchmarkSchool _school = null!;
    private string _text = null!;

    [Params("clean", "names", "risky")]
    public string Comment { get; set; } = "clean";

    [GlobalSetup]
    public void Setup()
    {
        _school = new BenchmarkSchool();
        _text = BenchmarkSchool.Comments[Comment];
    }

    [Benchmark(Description = "screen one comment")]
    public ScreeningResult Screen() => _school.Screen(_text);
}
