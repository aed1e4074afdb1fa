using BenchmarkDotNet.Attributes;
using Moderation.Domain.Screening.Photos;

namespace Moderation.Benchmarks.Photos;

/// <summary>
/// Issue 3: people extraction (<see cref="PhotoMetadataReader.Read"/>) from photos already in memory, one after another
/// on one thread. Each invocation reads the whole corpus; BenchmarkDotNet divides by <see cref="PhotoCount"/>, so its
/// figures are per photo. Target: at least 2,000 photos/s.
/// </summary>
public class PhotoExtractionBenchmarks
{
    public const int PhotoCount = 200;

    private byte[][] _photos = [];

    [GlobalSetup]
    public void Setup()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"moderation-bench-photos-{Environment.ProcessId}");
        try
        {
            _photos = [.. PhotoCorpus.Generate(directory, PhotoCount).Select(File.ReadAllBytes)];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        if (_photos.Select(p => PhotoMetadataReader.Read(p)).Any(p => !p.Readable))
        {
            throw new InvalidOperationException("A generated photo is unreadable: the benchmark would time the error path.");
        }
    }

    [Benchmark(Description = "read people from one photo", OperationsPerInvoke = PhotoCount)]
    public int ReadPeople()
    {
        var people = 0;
        foreach (var photo in _photos)
        {
            people += PhotoMetadataReader.Read(photo).People.Count;
        }

        return people;
    }
}
