using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Domain.Tests.Risk;

/// <summary>The repository's own rule files, loaded once for all risk tests.</summary>
internal static class RiskRulesFixture
{
    /// <summary><c>seeds/screening</c> in the repository: found by walking up from the test binaries to Moderation.sln.</summary>
    public static string ScreeningSeedsPath { get; } = Path.Combine(FindRepositoryRoot(), "seeds", "screening");

    public static RiskRules Rules { get; } = RiskRules.LoadFromDirectory(ScreeningSeedsPath);

    public static RiskScreener Screener { get; } = new(Rules);

    public static IReadOnlyList<Finding> Screen(string text, RiskContext? context = null) =>
        Screener.Screen(text, context ?? RiskContext.Empty);

    /// <summary>The original text a finding points at.</summary>
    public static string Span(this Finding finding, string text) => text.Substring(finding.Offset, finding.Length);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Moderation.sln")))
            {
                return dir.FullName;
            }
        }

        // A harness that compiles these tests outside the repository reads the rules from the main work tree.
        return Environment.GetEnvironmentVariable("MODERATION_REPO_ROOT") ?? "/work/main";
    }
}
