using System.Diagnostics;
using System.Text;
using Moderation.Benchmarks.Text;

namespace Moderation.Benchmarks.Photos;

/// <summary>
/// Photos tagged by exiftool itself (FIXTURES.md "Photos tagged by exiftool"): copies of the committed base JPEG, each
/// with its own people spread over the schemas screening reads (IPTC Extension PersonInImage and PersonInImageWDetails,
/// MWG face regions named and unnamed, regions of other types, Windows people tags with and without a rectangle,
/// XMP subjects, IPTC keywords) plus captions. One exiftool process tags them all, one <c>-execute</c> block per photo.
/// </summary>
internal static class PhotoCorpus
{
    public const string InstallHint = "install it with: apt-get install -y libimage-exiftool-perl";

    /// <summary>Writes <paramref name="count"/> tagged photos into <paramref name="directory"/>; returns their paths in order.</summary>
    public static IReadOnlyList<string> Generate(string directory, int count, int seed = 2026)
    {
        Directory.CreateDirectory(directory);
        var names = new BenchmarkSchoolNames(seed);
        var random = new Random(seed);
        var args = new StringBuilder();
        var paths = new List<string>(count);
        for (var i = 1; i <= count; i++)
        {
            var path = Path.Combine(directory, $"photo-{i:D4}.jpg");
            File.Copy(RepoRoot.BaseJpeg, path, overwrite: true);
            paths.Add(path);
            if (i > 1)
            {
                args.Append("-execute\n");
            }

            var tags = Tags(random, names).ToList();
            if (tags.Count == 0)
            {
                // Every photo gets something written, or exiftool would only read it.
                tags.Add("-XMP-dc:Title=Our week in pictures");
            }

            foreach (var line in tags)
            {
                args.Append(line).Append('\n');
            }

            args.Append(path).Append('\n');
        }

        // Beside the folder, not in it: the comparison reads the whole folder.
        var argsFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(directory))!, $"{Path.GetFileName(directory)}.args");
        File.WriteAllText(argsFile, args.ToString(), new UTF8Encoding(false));
        try
        {
            // -common_args, last on the command line, applies to every -execute block.
            var (code, stdout, stderr) = Run("exiftool", ["-@", argsFile, "-common_args", "-overwrite_original"]);
            var updated = stdout.Split('\n').Count(l => l.Contains("1 image files updated", StringComparison.Ordinal));
            if (code != 0 || updated != count)
            {
                var other = stdout.Split('\n').Where(l => l.Trim().Length > 0 && !l.Contains("1 image files updated", StringComparison.Ordinal));
                throw new InvalidOperationException($"exiftool tagged {updated} of {count} photos (exit {code}): {stderr.Trim()} {string.Join(" / ", other)}");
            }
        }
        finally
        {
            File.Delete(argsFile);
        }

        return paths;
    }

    /// <summary>Whether exiftool is on PATH, and its version.</summary>
    public static string? ExifToolVersion()
    {
        try
        {
            var (code, stdout, _) = Run("exiftool", ["-ver"]);
            return code == 0 && stdout.Trim().Length > 0 ? stdout.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    public static (int Code, string Stdout, string Stderr) Run(string tool, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start; {InstallHint}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
    }

    /// <summary>One photo's exiftool arguments: a mix of schemas, as different cameras, phones and apps write them.</summary>
    private static IEnumerable<string> Tags(Random random, BenchmarkSchoolNames names)
    {
        var writesIptc = false;
        var kind = random.Next(20);
        if (kind == 0)
        {
            // A photo of the field or the display board: nobody tagged at all.
            yield return "-XMP-dc:Description=The new reading garden";
            yield break;
        }

        for (var n = random.Next(4); n > 0; n--)
        {
            yield return $"-XMP-iptcExt:PersonInImage+={names.Next()}";
        }

        for (var n = random.Next(3); n > 0; n--)
        {
            var (name, misId) = names.NextWithId();
            yield return $"-XMP-iptcExt:PersonInImageWDetails+={{PersonId=[urn:mis:{misId}],PersonName={Escape(name)},PersonDescription=Year {random.Next(1, 7)}}}";
        }

        var regions = random.Next(5);
        if (regions > 0)
        {
            var list = new List<string>();
            for (var r = 0; r < regions; r++)
            {
                var area = $"Area={{X=0.{random.Next(1, 9)},Y=0.{random.Next(1, 9)},W=0.1,H=0.15,Unit=normalized}}";
                list.Add(random.Next(6) switch
                {
                    0 => $"{{{area},Type=Face}}",
                    1 => $"{{{area},Name={Escape(names.Next())}}}",
                    2 => $"{{{area},Name=Biscuit,Type=Pet}}",
                    _ => $"{{{area},Name={Escape(names.Next())},Type=Face}}",
                });
            }

            yield return $"-XMP-mwg-rs:RegionInfo={{AppliedToDimensions={{W=800,H=600,Unit=pixel}},RegionList=[{string.Join(',', list)}]}}";
        }

        var microsoft = random.Next(4) == 0 ? random.Next(1, 3) : 0;
        if (microsoft > 0)
        {
            var list = Enumerable.Range(0, microsoft).Select(_ => random.Next(3) == 0
                ? $"{{PersonDisplayName={Escape(names.Next())}}}"
                : $"{{PersonDisplayName={Escape(names.Next())},Rectangle=0.{random.Next(1, 7)}|, 0.25|, 0.2|, 0.3}}");
            yield return $"-XMP-MP:RegionInfoMP={{Regions=[{string.Join(',', list)}]}}";
        }

        for (var n = random.Next(3); n > 0; n--)
        {
            yield return $"-XMP-dc:Subject+={(random.Next(2) == 0 ? names.Next() : "Sports Day")}";
        }

        for (var n = random.Next(3); n > 0; n--)
        {
            writesIptc = true;
            yield return $"-IPTC:Keywords+={(random.Next(2) == 0 ? names.Next() : "Year 6 Leavers")}";
        }

        if (writesIptc)
        {
            yield return "-IPTC:CodedCharacterSet=utf8";
        }

        if (random.Next(3) == 0)
        {
            yield return $"-XMP-dc:Description=Class {random.Next(1, 7)} at the science fair with {names.Next()}";
        }
    }

    /// <summary>exiftool's structure syntax: a leading '|' escapes , | } ] inside a value.</summary>
    private static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c is ',' or '|' or '}' or ']' or '{' or '[')
            {
                sb.Append('|');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }
}

/// <summary>Pupils' names (with their MIS ids) drawn from the benchmark school's roster.</summary>
internal sealed class BenchmarkSchoolNames(int seed)
{
    private static readonly Lazy<IReadOnlyList<(string Name, string MisId)>> s_pupils = new(() =>
        [.. BenchmarkSchool.BuildRoster().Select(p => ($"{p.SchoolForename} {p.Surname}", p.MisId))]);

    private readonly Random _random = new(seed + 1);

    public string Next() => NextWithId().Name;

    public (string Name, string MisId) NextWithId() => s_pupils.Value[_random.Next(s_pupils.Value.Count)];
}
