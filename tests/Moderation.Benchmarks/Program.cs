using System.Globalization;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Moderation.Benchmarks;
using Moderation.Benchmarks.Photos;
using Moderation.Benchmarks.Rota;
using Moderation.Benchmarks.Text;

// dotnet run -c Release --project tests/Moderation.Benchmarks -- text|text-parts|text-profile|profiles|photos|exiftool|rota|consent|roster|all [BenchmarkDotNet options]
// Figures are recorded in docs/benchmarks.md. Missing a target is reported, not failed: no test asserts a time.
string[] commands = ["text", "text-parts", "text-profile", "profiles", "photos", "exiftool", "rota", "consent", "roster", "all"];
if (args.Length == 0 || !commands.Contains(args[0], StringComparer.Ordinal))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/Moderation.Benchmarks -- {string.Join('|', commands)} [BenchmarkDotNet options, e.g. --job short]");
    return 2;
}

var command = args[0];
var options = args[1..];
var figures = new List<(string Figure, string Measured, string Target, bool Met)>();
var failed = false;

if (command is "text" or "all")
{
    failed |= !TextCheck.Run(Console.Out);
    var summary = BenchmarkRunner.Run<TextScreeningBenchmarks>(BenchmarkConfig.Create(), options);
    foreach (var comment in BenchmarkSchool.Comments.Keys)
    {
        var median = MedianNanoseconds(summary, "Comment", comment);
        failed |= median is null;
        figures.Add(($"text, 280-char comment ({comment}), median per item", median is { } ns ? Micro(ns) : "no result", "≤ 20 µs", median <= 20_000));
    }
}

if (command == "text-parts")
{
    BenchmarkRunner.Run<TextPartsBenchmarks>(BenchmarkConfig.Create(), options);
}

if (command == "text-profile")
{
    TextProfile.Run(Console.Out);
}

if (command is "profiles" or "all")
{
    // No target of its own: it sets how many schools' profiles the worker keeps (SchoolScreeningProfiles).
    var (perProfileMb, pupils) = ProfileMemory.Run(Console.Out);
    figures.Add(($"one school's screening profile kept in memory, {pupils:N0} pupils", $"{perProfileMb:0.00} MB", "none (reported)", true));
}

if (command is "photos" or "all")
{
    var summary = BenchmarkRunner.Run<PhotoExtractionBenchmarks>(BenchmarkConfig.Create(), options);
    var median = MedianNanoseconds(summary, null, null);
    failed |= median is null;
    var perSecond = median is { } ns ? 1e9 / ns : 0;
    figures.Add(("photos, people extraction from memory, one thread", median is null ? "no result" : $"{perSecond:N0} photos/s ({Micro(median.Value)} per photo, median)", "≥ 2,000 photos/s", perSecond >= 2000));
}

if (command is "exiftool" or "all")
{
    var result = ExifToolComparison.Run(Console.Out);
    if (result is null)
    {
        failed = true;
    }
    else
    {
        figures.Add(($"vs exiftool -j -struct, {ExifToolComparison.PhotoCount} photos, reading the files", $"{result.RatioFromDisk:0.0}× ({result.ExifToolMs:0} ms vs {result.OursFromDiskMs:0.0} ms)", "≥ 20×", result.RatioFromDisk >= 20));
        figures.Add(($"vs exiftool -j -struct, {ExifToolComparison.PhotoCount} photos, from memory", $"{result.RatioFromMemory:0.0}× ({result.ExifToolMs:0} ms vs {result.OursFromMemoryMs:0.0} ms)", "≥ 20×", result.RatioFromMemory >= 20));
    }
}

if (command is "rota" or "all")
{
    var summary = BenchmarkRunner.Run<RotaBenchmarks>(BenchmarkConfig.Create(), options);
    var schedule = MedianOf(summary, nameof(RotaBenchmarks.TrustScheduleForTerm));
    var decision = MedianOf(summary, nameof(RotaBenchmarks.OneAssignmentDecision));
    failed |= schedule is null || decision is null;
    figures.Add(($"final schedule, trust of {BenchmarkTrust.Schools} schools × {BenchmarkTrust.ModeratorsPerSchool} moderators, autumn term", schedule is { } s ? Milli(s) : "no result", "≤ 50 ms", schedule <= 50_000_000));
    figures.Add(("one assignment decision (on duty among 50 rotas, planner, due time)", decision is { } d ? Micro(d) : "no result", "≤ 1 ms", decision <= 1_000_000));
}

if (command is "consent")
{
    // Needs the database: source infra/env.sh first. Not in "all", which runs without one.
    var consent = await Moderation.Benchmarks.Consent.ReconciliationBenchmark.RunAsync(Console.Out);
    figures.Add(($"consent reconciliation, full run, {Moderation.Benchmarks.Consent.ReconciliationBenchmark.Pupils:N0} pupils, {Moderation.Benchmarks.Consent.ReconciliationBenchmark.Photos:N0} tagged photos, 5% withdrawn ({consent.Rescreened:N0} re-screened, {consent.TakenDown:N0} taken down)",
        $"{consent.Seconds:0.0} s", "≤ 10 s", consent.Seconds <= 10));
    figures.Add(("the same, process peak working set (whole benchmark process) / allocated during the run", $"{consent.PeakWorkingSetMb} MB / {consent.AllocatedMb} MB", "≤ 300 MB", consent.PeakWorkingSetMb <= 300));
}

if (command is "roster")
{
    // Needs the database: source infra/env.sh first. Not in "all", which runs without one. No target: it tells the
    // consent page how long an administrator waits.
    var roster = await Moderation.Benchmarks.Consent.RosterImportBenchmark.RunAsync(Console.Out);
    figures.Add(($"roster import, {roster.Rows:N0} pupils × 4 channels, first import: check (dry run) / apply", $"{roster.FirstCheckSeconds:0.00} s / {roster.FirstApplySeconds:0.00} s", "none (reported)", true));
    figures.Add(("the next export, 5% withdrawing social media: check / apply", $"{roster.ChangeCheckSeconds:0.00} s / {roster.ChangeApplySeconds:0.00} s", "none (reported)", true));
}

if (figures.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine($"Figures, {DateTime.Now:yyyy-MM-dd}, {Environment.ProcessorCount} cores, .NET {Environment.Version}:");
    Console.WriteLine("| figure | measured | target | |");
    Console.WriteLine("|---|---|---|---|");
    foreach (var (figure, measured, target, met) in figures)
    {
        Console.WriteLine($"| {figure} | {measured} | {target} | {(met ? "met" : "missed")} |");
    }
}

return failed ? 1 : 0;

static double? MedianNanoseconds(Summary summary, string? parameter, string? value)
{
    var report = summary.Reports.FirstOrDefault(r => parameter is null || Equals(r.BenchmarkCase.Parameters[parameter], value));
    return report?.ResultStatistics?.Median;
}

static double? MedianOf(Summary summary, string method) =>
    summary.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)?.ResultStatistics?.Median;

static string Milli(double nanoseconds) => (nanoseconds / 1_000_000).ToString("0.00", CultureInfo.InvariantCulture) + " ms";

static string Micro(double nanoseconds) => (nanoseconds / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " µs";
