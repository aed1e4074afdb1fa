using System.Diagnostics;
using System.Text.Json;
using Moderation.Domain.Screening.Photos;

namespace Moderation.Benchmarks.Photos;

/// <summary>
/// Issue 3: on the same 1,000 tagged photos, one batch run of <c>exiftool -j -struct DIR</c> against our extraction,
/// once reading each file from disk and once from memory. The people of every photo must be identical; the figure is
/// exiftool's time over ours (target: at least 20×). Wall-clock times with <see cref="Stopwatch"/>: exiftool's includes
/// starting Perl, ours is the median of several passes once warmed up (the cold first pass is printed too).
/// </summary>
internal static class ExifToolComparison
{
    public const int PhotoCount = 1000;
    private const int ExifToolRuns = 3;
    private const int OurPasses = 7;

    public sealed record Result(double ExifToolMs, double OursFromDiskMs, double OursFromMemoryMs, double OursColdMs, int People, string ExifToolVersion)
    {
        public double RatioFromDisk => ExifToolMs / OursFromDiskMs;

        public double RatioFromMemory => ExifToolMs / OursFromMemoryMs;
    }

    /// <summary>Runs the comparison; null (with the reason printed) when exiftool is missing or the people differ.</summary>
    public static Result? Run(TextWriter output)
    {
        if (PhotoCorpus.ExifToolVersion() is not { } version)
        {
            output.WriteLine($"error: exiftool is not on PATH; {PhotoCorpus.InstallHint}");
            return null;
        }

        var directory = Path.Combine(Path.GetTempPath(), $"moderation-bench-exiftool-{Environment.ProcessId}");
        try
        {
            output.WriteLine($"Tagging {PhotoCount} photos with exiftool {version} in {directory} ...");
            var generate = Stopwatch.StartNew();
            var paths = PhotoCorpus.Generate(directory, PhotoCount);
            output.WriteLine($"  tagged in {generate.Elapsed.TotalSeconds:0.0} s (one exiftool process)");
            return Compare(output, directory, paths, version);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Result? Compare(TextWriter output, string directory, IReadOnlyList<string> paths, string version)
    {
        // exiftool: one batch run over the folder, as a person would run it; repeated, and the median taken.
        var exifTimes = new List<double>();
        string json = string.Empty;
        for (var run = 0; run < ExifToolRuns; run++)
        {
            var watch = Stopwatch.StartNew();
            var (code, stdout, stderr) = PhotoCorpus.Run("exiftool", ["-j", "-struct", directory]);
            watch.Stop();
            if (code != 0 || stdout.Length == 0)
            {
                output.WriteLine($"error: exiftool -j -struct failed (exit {code}): {stderr.Trim()}");
                return null;
            }

            exifTimes.Add(watch.Elapsed.TotalMilliseconds);
            json = stdout;
        }

        // Ours: the first pass is cold (the process has just started, as exiftool's run has). Tiered compilation then
        // takes a few seconds to finish with MetadataExtractor and XmpCore (passes 2 and 3 were still twice as slow as
        // later ones), so passes run untimed for five seconds; then passes reading each file (as a tool that reads files
        // must) alternate with passes over the same photos already in memory, so both see the same state of the machine.
        var cold = TimeFromDisk(paths, out _);
        var images = paths.Select(File.ReadAllBytes).ToArray();
        var warmUp = Stopwatch.StartNew();
        while (warmUp.Elapsed < TimeSpan.FromSeconds(5))
        {
            TimeFromMemory(images);
        }
        var fromDisk = new List<double>();
        var fromMemory = new List<double>();
        var readsOnly = new List<double>();
        for (var pass = 0; pass < OurPasses; pass++)
        {
            fromDisk.Add(TimeFromDisk(paths, out _));
            fromMemory.Add(TimeFromMemory(images));
            readsOnly.Add(TimeReads(paths));
        }

        // The people must be the same, photo by photo.
        var ours = paths.ToDictionary(p => Path.GetFileName(p), p => PeopleSets.FromReader(PhotoMetadataReader.Read(File.ReadAllBytes(p))), StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        var theirs = document.RootElement.EnumerateArray().ToDictionary(
            e => Path.GetFileName(e.GetProperty("SourceFile").GetString()!), PeopleSets.FromExifTool, StringComparer.Ordinal);
        var differences = 0;
        var people = 0;
        foreach (var (file, set) in ours)
        {
            people += set.Count;
            if (!theirs.TryGetValue(file, out var other))
            {
                output.WriteLine($"  {file}: missing from exiftool's output");
                differences++;
            }
            else if (!set.SequenceEqual(other, StringComparer.Ordinal))
            {
                if (differences < 10)
                {
                    output.WriteLine($"  {file}: ours [{string.Join("; ", set)}]");
                    output.WriteLine($"  {new string(' ', file.Length)}  exiftool [{string.Join("; ", other)}]");
                }

                differences++;
            }
        }

        if (theirs.Count != ours.Count)
        {
            output.WriteLine($"  exiftool read {theirs.Count} files, we read {ours.Count}");
            differences++;
        }

        if (differences > 0)
        {
            output.WriteLine($"error: the people differ from exiftool's on {differences} of {paths.Count} photos");
            return null;
        }

        var result = new Result(Median(exifTimes), Median(fromDisk), Median(fromMemory), cold, people, version);
        output.WriteLine($"  people identical on all {paths.Count} photos ({people} people and keywords in all)");
        output.WriteLine($"  exiftool -j -struct (one batch run): median {result.ExifToolMs:0} ms of {ExifToolRuns} runs [{string.Join(", ", exifTimes.Select(t => t.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}]");
        output.WriteLine($"  ours, reading the files:             median {result.OursFromDiskMs:0.0} ms of {OurPasses} passes (first, cold pass {cold:0.0} ms)");
        output.WriteLine($"  ours, from memory:                   median {result.OursFromMemoryMs:0.0} ms of {OurPasses} passes");
        output.WriteLine($"  (reading the {paths.Count} files alone: median {Median(readsOnly):0.0} ms)");
        output.WriteLine($"  ratio: {result.RatioFromDisk:0.0}× faster reading the files, {result.RatioFromMemory:0.0}× from memory; cold first pass {result.ExifToolMs / cold:0.0}×");
        return result;
    }

    private static double TimeFromDisk(IReadOnlyList<string> paths, out int people)
    {
        people = 0;
        var watch = Stopwatch.StartNew();
        foreach (var path in paths)
        {
            people += PhotoMetadataReader.Read(File.ReadAllBytes(path)).People.Count;
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static double TimeReads(IReadOnlyList<string> paths)
    {
        var bytes = 0L;
        var watch = Stopwatch.StartNew();
        foreach (var path in paths)
        {
            bytes += File.ReadAllBytes(path).Length;
        }

        GC.KeepAlive(bytes);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double TimeFromMemory(byte[][] images)
    {
        var people = 0;
        var watch = Stopwatch.StartNew();
        foreach (var image in images)
        {
            people += PhotoMetadataReader.Read(image).People.Count;
        }

        GC.KeepAlive(people);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
