using BenchmarkDotNet.Attributes;
using Moderation.Domain.Screening;
using Moderation.Domain.Screening.Names;
using Moderation.Domain.Screening.Risk;

namespace Moderation.Benchmarks.Text;

/// <summary>
/// The text path taken apart, to see where the time of <see cref="TextScreeningBenchmarks"/> goes: the roster name
/// matcher, redaction, the risk screener and its stages, and the personal-data screener.
/// </summary>
public class TextPartsBenchmarks
{
    private BenchmarkSchool _school = null!;
    private string _text = null!;
    private IReadOnlyList<NameMatch> _names = [];
    private NormalisedText _normalised = null!;
    private NormalisedText _forPatterns = null!;
    private NormalisedText _withNames = null!;
    private bool _staffFound;
    private bool _pupilsFound;

    [Params("clean", "names", "risky")]
    public string Comment { get; set; } = "clean";

    [GlobalSetup]
    public void Setup()
    {
        _school = new BenchmarkSchool();
        _text = BenchmarkSchool.Comments[Comment];
        _names = _school.Profile.Names.Find(_text);
        _normalised = TextNormaliser.Normalise(_text);
        _forPatterns = _normalised.WithLongRunsCollapsed();
        var context = _school.Profile.Risk.Names.Find(_forPatterns);
        _withNames = context.Count > 0 ? _forPatterns.WithReplacements(context) : _forPatterns;
        _staffFound = context.Exists(n => n.Marker == PatternCompiler.StaffMarker);
        _pupilsFound = context.Exists(n => n.Marker == PatternCompiler.PupilMarker);
    }

    [Benchmark(Description = "names: find")]
    public IReadOnlyList<NameMatch> FindNames() => _school.Profile.Names.Find(_text);

    [Benchmark(Description = "names: redact")]
    public RedactionResult Redact() => NameRedactor.Redact(_text, _names, _school.Profile.Names, _school.Profile.NamePolicy);

    [Benchmark(Description = "risk: all")]
    public IReadOnlyList<Finding> Risk() => _school.Risk.Screen(_text, _school.Profile.Risk);

    [Benchmark(Description = "risk: normalise")]
    public NormalisedText Normalise() => TextNormaliser.Normalise(_text);

    [Benchmark(Description = "risk: lexicons")]
    public int Lexicons()
    {
        var findings = new List<Finding>();
        var allowed = new List<(int, int)>();
        _school.Rules.Lexicon.Match(_normalised, findings, allowed);
        _school.Profile.Risk.SchoolLexicon?.Match(_normalised, findings, allowed);
        return findings.Count;
    }

    [Benchmark(Description = "risk: context names")]
    public int ContextNames() => _school.Profile.Risk.Names.Find(_forPatterns).Count;

    [Benchmark(Description = "risk: patterns")]
    public int Patterns()
    {
        var findings = new List<Finding>();
        _school.Rules.Patterns.Match(_forPatterns, _withNames, _staffFound, _pupilsFound, findings);
        return findings.Count;
    }

    [Benchmark(Description = "risk: links")]
    public int Links()
    {
        var findings = new List<Finding>();
        _school.Rules.Links.Match(_text, _school.Profile.Risk.SchoolDomains, findings);
        return findings.Count;
    }

    [Benchmark(Description = "personal data")]
    public int PersonalData() => _school.PersonalData.Screen(_text).Count();
}
