namespace Moderation.Benchmarks;

/// <summary>The repository the benchmarks run in: the folder above the binaries that holds Moderation.sln.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    /// <summary>The rule files as the service ships them.</summary>
    public static string ScreeningRules => System.IO.Path.Combine(Path, "seeds", "screening");

    /// <summary>The small JPEG with an ICC profile that the photo tests tag.</summary>
    public static string BaseJpeg => System.IO.Path.Combine(Path, "tests", "Moderation.Domain.Tests", "Photos", "Fixtures", "base-icc.jpg");

    private static string Find()
    {
        // BenchmarkDotNet runs each benchmark in a child process built below this project's bin folder: still inside the repository.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Moderation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Moderation.sln not found above " + AppContext.BaseDirectory + ": run the benchmarks from the repository.");
    }
}
