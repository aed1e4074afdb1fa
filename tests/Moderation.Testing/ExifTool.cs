using System.Diagnostics;

namespace Moderation.Testing;

/// <summary>
/// Tags photos with the real exiftool (FIXTURES.md "Photos tagged by exiftool"): a copy of a committed base image,
/// tagged with exiftool arguments, returned as bytes. infra/test.sh installs exiftool.
/// </summary>
public static class ExifTool
{
    /// <summary>The small JPEG the photo tests tag.</summary>
    public static string BaseJpeg => Path.Combine(RepoPaths.Root, "tests", "Moderation.Domain.Tests", "Photos", "Fixtures", "base-icc.jpg");

    public static byte[] Tag(string baseImage, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var path = Path.Combine(Path.GetTempPath(), $"moderation-{Guid.NewGuid():N}{Path.GetExtension(baseImage)}");
        File.Copy(baseImage, path);
        try
        {
            var start = new ProcessStartInfo("exiftool") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-overwrite_original");
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            start.ArgumentList.Add(path);
            using var process = Process.Start(start)
                ?? throw new InvalidOperationException("exiftool did not start; install it with apt-get install -y libimage-exiftool-perl");
            var stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"exiftool failed ({process.ExitCode}): {stderr}");
            }

            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
