using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Moderation.Domain.Tests.Photos;

/// <summary>
/// Makes tagged photos at test time with exiftool, from the tiny base images and the args files committed in
/// <c>Photos/Fixtures</c> (one argument per line, UTF-8; FIXTURES.md "Photos tagged by exiftool"), and reads them back
/// with exiftool as the independent oracle. ImageMagick's <c>compare</c> checks that a stripped photo still decodes to
/// the same pixels. Both tools are required: a missing tool fails the test, it never skips it.
/// </summary>
public sealed class PhotoFixtures : IDisposable
{
    private const string ExifToolInstall = "apt-get install -y libimage-exiftool-perl";
    private const string ImageMagickInstall = "apt-get install -y imagemagick";

    private static readonly Lazy<string> s_exifTool = new(() => FindTool("exiftool", ExifToolInstall, "-ver", v => v.Trim().Length > 0));

    // Some machines ship a stand-in `convert`; ImageMagick's own tools name ImageMagick in their version text.
    private static readonly Lazy<string> s_compare = new(() => FindTool("compare", ImageMagickInstall, "-version", v => v.Contains("ImageMagick", StringComparison.Ordinal)));

    private static readonly Lazy<string> s_convert = new(() => FindTool("convert", ImageMagickInstall, "-version", v => v.Contains("ImageMagick", StringComparison.Ordinal)));

    public PhotoFixtures()
    {
        WorkDir = Path.Combine(Path.GetTempPath(), "moderation-photo-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(WorkDir);
    }

    public string WorkDir { get; }

    public static string FixturesDir { get; } = FindFixtures();

    public static string BasePath(string baseName) => Path.Combine(FixturesDir, baseName);

    /// <summary>Copies a base image and tags it with each args file in turn; returns the tagged file's path.</summary>
    public string Tag(string baseName, params string[] argsFiles)
    {
        var target = Path.Combine(WorkDir, $"{Path.GetFileNameWithoutExtension(baseName)}-{string.Join("+", argsFiles.Select(Path.GetFileNameWithoutExtension))}{Path.GetExtension(baseName)}");
        File.Copy(BasePath(baseName), target, overwrite: true);
        return TagFile(target, argsFiles);
    }

    /// <summary>Tags a file in place with each args file (<c>exiftool -@ ARGS FILE</c>); returns its path.</summary>
    public static string TagFile(string path, params string[] argsFiles)
    {
        foreach (var args in argsFiles)
        {
            var (code, stdout, stderr) = Run(ExifTool, "-@", Path.Combine(FixturesDir, args), path);
            if (code != 0 || !stdout.Contains("1 image files updated", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"exiftool could not tag {Path.GetFileName(path)} with {args}: {stdout} {stderr}");
            }
        }

        return path;
    }

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(WorkDir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary><c>exiftool -j -struct -G1</c>: every tag keyed "Group:Tag", lists as arrays, structures as objects.</summary>
    public static JsonElement ExifToolJson(string path, params string[] extra)
    {
        var (code, stdout, stderr) = Run(ExifTool, ["-j", "-struct", "-G1", .. extra, path]);
        if (stdout.Length == 0)
        {
            throw new InvalidOperationException($"exiftool could not read {path} (exit {code}): {stderr}");
        }

        using var document = JsonDocument.Parse(stdout);
        return document.RootElement[0].Clone();
    }

    /// <summary>The number of pixels that differ between two images, as ImageMagick decodes them.</summary>
    public static long DifferingPixels(string expected, string actual)
    {
        // -quiet drops warnings about the input's own metadata (ImageMagick finds exiftool's XMP in WebP "corrupt").
        var (code, stdout, stderr) = Run(ImageMagickCompare, "-quiet", "-metric", "AE", expected, actual, "null:");
        var text = (stderr + stdout).Trim();
        var number = System.Text.RegularExpressions.Regex.Match(text, @"^\d+(\.\d+)?(e[+-]?\d+)?");
        if (code > 1 || !number.Success || !double.TryParse(number.Value, System.Globalization.CultureInfo.InvariantCulture, out var count))
        {
            throw new InvalidOperationException($"ImageMagick could not compare {expected} and {actual} (exit {code}): {text}");
        }

        return (long)count;
    }

    /// <summary>A real photo-sized image of random noise (so it barely compresses), made by ImageMagick.</summary>
    public string Noise(string name, int side)
    {
        var path = Path.Combine(WorkDir, name);
        var (code, stdout, stderr) = Run(ImageMagickConvert, "-size", $"{side}x{side}", "xc:", "+noise", "Random", "-depth", "8", "-quality", "100", path);
        if (code != 0 || !File.Exists(path))
        {
            throw new InvalidOperationException($"ImageMagick could not make {name} (exit {code}): {stdout} {stderr}");
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder must not fail a test.
        }
    }

    private static string ExifTool => s_exifTool.Value;

    private static string ImageMagickCompare => s_compare.Value;

    private static string ImageMagickConvert => s_convert.Value;

    private static string FindTool(string name, string install, string versionArg, Func<string, bool> isRightTool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                var (_, stdout, stderr) = Run(candidate, versionArg);
                if (isRightTool(stdout + stderr))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException($"{name} is required by the photo tests and was not found on PATH; install it with `{install}`.");
    }

    private static (int Code, string Stdout, string Stderr) Run(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + tool);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} did not finish within two minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string FindFixtures([CallerFilePath] string sourceFile = "")
    {
        // Next to the test binaries when copied there, else in the repository beside this source file.
        string[] candidates =
        [
            Path.Combine(AppContext.BaseDirectory, "Photos", "Fixtures"),
            Path.Combine(Path.GetDirectoryName(sourceFile) ?? ".", "Fixtures"),
        ];
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            candidates = [.. candidates, Path.Combine(dir.FullName, "tests", "Moderation.Domain.Tests", "Photos", "Fixtures")];
        }

        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "base.jpg")))
            ?? throw new DirectoryNotFoundException("Photos/Fixtures with base.jpg not found; looked in " + string.Join(", ", candidates));
    }
}
