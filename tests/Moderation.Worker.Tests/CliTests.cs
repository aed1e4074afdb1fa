using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Testing;

namespace Moderation.Worker.Tests;

/// <summary>The worker's one-shot commands, run as the real binary against the test database.</summary>
public sealed class CliTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Moderation.Worker.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in Fixture.Env.Variables)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Preview_prints_the_whole_screening_result_as_json_and_stores_nothing()
    {
        // Arrange
        var photo = Path.Combine(Path.GetTempPath(), $"preview-{Guid.NewGuid():N}.jpg");
        await File.WriteAllBytesAsync(photo, ExifTool.Tag(ExifTool.BaseJpeg, "-XMP-iptcExt:PersonInImage=Grace Featherstonehaugh"));

        try
        {
            // Act
            var (code, stdout, stderr) = await RunAsync(
                "preview", "fleming-primary", "--text", "Grace Featherstonehaugh won! our little secret x", "--photo", photo, "--channel", "SocialMedia");

            // Assert
            code.Should().Be(0, stderr);
            using var json = JsonDocument.Parse(stdout);
            var root = json.RootElement;
            root.GetProperty("redactedText").GetString().Should().Be("Grace won! our little secret x");
            root.GetProperty("redactions")[0].GetProperty("replacement").GetString().Should().Be("Grace");
            root.GetProperty("safeguardingConcern").GetBoolean().Should().BeTrue();
            root.GetProperty("findings").EnumerateArray().Should().Contain(f => f.GetProperty("category").GetString() == "Grooming");
            var person = root.GetProperty("photos")[0].GetProperty("people").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == "Grace Featherstonehaugh");
            person.GetProperty("verdict").GetString().Should().Be("never-publish");
            root.GetProperty("photoVerdict").GetString().Should().Be("blocked");
            await using var db = Fixture.Env.CreateDbContext();
            (await db.Items.CountAsync()).Should().Be(0);
        }
        finally
        {
            File.Delete(photo);
        }
    }

    [Theory]
    [InlineData(new[] { "preview" }, "usage:")]
    [InlineData(new[] { "preview", "no-such-school", "--text", "hi" }, "no school with the slug 'no-such-school'")]
    [InlineData(new[] { "preview", "fleming-primary" }, "Send some text")]
    [InlineData(new[] { "preview", "fleming-primary", "--text", "hi", "--channel", "Carrier pigeon" }, "is not a channel")]
    [InlineData(new[] { "preview", "fleming-primary", "--photo", "/no/such/file.jpg" }, "no file /no/such/file.jpg")]
    [InlineData(new[] { "preview", "fleming-primary", "--text" }, "unexpected argument '--text'")]
    public async Task Bad_preview_arguments_exit_non_zero_with_a_message(string[] args, string expected)
    {
        // Act
        var (code, stdout, stderr) = await RunAsync(args);

        // Assert
        code.Should().NotBe(0);
        stderr.Should().Contain(expected);
        stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task Verify_evidence_accepts_an_exported_bundle_and_rejects_one_with_an_edited_file()
    {
        // Arrange: a case's export, and a copy with one byte of its text changed.
        var world = await new Safeguarding.CaseWorld(Fixture).LoadAsync();
        var itemId = (await Fixture.IngestAsync(1))[0];
        var opened = await world.OpenAsync(Domain.Safeguarding.CaseCategories.Hate, Domain.Safeguarding.CaseSeverity.High, itemId: itemId);
        byte[] zip;
        await using (var db = Fixture.Db())
        {
            (zip, _) = await Domain.Safeguarding.Evidence.EvidenceBundle.BuildAsync(db, opened, "Mr David Lowe (DSL)", world.Clock.GetUtcNow(), CancellationToken.None);
        }

        var good = Path.Combine(Path.GetTempPath(), $"evidence-{Guid.NewGuid():N}.zip");
        var bad = Path.Combine(Path.GetTempPath(), $"evidence-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(good, zip);
        await File.WriteAllBytesAsync(bad, zip);
        using (var archive = new System.IO.Compression.ZipArchive(File.Open(bad, FileMode.Open), System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = archive.GetEntry("evidence/text.txt")!;
            string text;
            using (var reader = new StreamReader(entry.Open()))
            {
                text = await reader.ReadToEndAsync();
            }

            entry.Delete();
            await using var writer = new StreamWriter(archive.CreateEntry("evidence/text.txt").Open());
            await writer.WriteAsync(text.Replace("well done", "well dome", StringComparison.Ordinal));
        }

        try
        {
            // Act
            var (goodCode, goodOut, goodErr) = await RunAsync("verify-evidence", good);
            var (badCode, badOut, _) = await RunAsync("verify-evidence", bad);
            var (missingCode, _, missingErr) = await RunAsync("verify-evidence", "/no/such/bundle.zip");

            // Assert
            goodCode.Should().Be(0, goodErr);
            goodOut.Should().Contain($"case: {opened.Id}").And.Contain("VERIFIED");
            badCode.Should().Be(1);
            badOut.Should().Contain("problem: evidence/text.txt has been changed").And.Contain("NOT VERIFIED");
            missingCode.Should().Be(2);
            missingErr.Should().Contain("no file /no/such/bundle.zip");
        }
        finally
        {
            File.Delete(good);
            File.Delete(bad);
        }
    }

    [Fact]
    public async Task Reconcile_consent_runs_to_the_end_and_a_bad_file_exits_non_zero_with_its_rows()
    {
        // Arrange
        var bad = Path.Combine(Path.GetTempPath(), $"consent-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(bad, "MIS id,Legal forename,Surname,Year group,Social media,Effective from\nRC-X1,,Smith,Year 1,granted,2026-09-01\n");

        try
        {
            // Act
            var (okCode, okOut, okErr) = await RunAsync("reconcile-consent", "fleming-primary");
            var (badCode, _, badErr) = await RunAsync("reconcile-consent", "fleming-primary", bad);
            var (unknownCode, _, _) = await RunAsync("reconcile-consent", "no-such-school");

            // Assert
            okCode.Should().Be(0, okErr);
            okOut.Should().Contain("Succeeded");
            badCode.Should().Be(1);
            badErr.Should().Contain("line 2: legal forename is empty").And.Contain("nothing was applied");
            unknownCode.Should().Be(2);
            await using var db = Fixture.Db();
            (await db.Pupils.AnyAsync(p => p.MisId == "RC-X1")).Should().BeFalse();
        }
        finally
        {
            File.Delete(bad);
        }
    }
}
