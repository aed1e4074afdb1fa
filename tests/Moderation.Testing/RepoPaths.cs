namespace Moderation.Testing;

public static class RepoPaths
{
    /// <summary>The repository root: the folder above the test binaries that holds Moderation.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Seeds => Path.Combine(Root, "seeds");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Moderation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Moderation.sln not found above " + AppContext.BaseDirectory);
    }
}
