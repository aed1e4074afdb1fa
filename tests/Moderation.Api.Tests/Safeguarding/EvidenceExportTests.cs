using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Safeguarding.Evidence;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>The evidence export: a zip of JSON, the original files and a PDF, whose hashes verify, and whose edits are caught.</summary>
public sealed class EvidenceExportTests(ApiFixture fixture) : SafeguardingTest(fixture)
{
    private static readonly byte[] s_screenshot = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8];

    private async Task<(CaseDto Case, byte[] Zip)> ExportedAsync()
    {
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Everyone laugh at the new girl in Year 6");
        var raised = await RaiseAsync(Dsl, new
        {
            itemId, category = "Bullying", severity = "High", summary = "Pupil mocked", url = "https://www.facebook.com/100200300400500/posts/1",
            payload = """{"id":"100200300400500_1","message":"Everyone laugh at the new girl in Year 6"}""",
            files = new[] { new { fileName = "screenshot.png", contentType = "image/png", contentBase64 = Convert.ToBase64String(s_screenshot) } },
        });
        using var dsl = await Fixture.As(Dsl);
        (await dsl.PostAsJsonAsync($"/api/safeguarding/cases/{raised.Id}/referrals", new { agency = "Platform", madeAt = DateTimeOffset.UtcNow, reference = "FB-REPORT-77" }))
            .EnsureSuccessStatusCode();
        using var response = await dsl.GetAsync($"/api/safeguarding/cases/{raised.Id}/evidence/export");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/zip");
        return (raised, await response.Content.ReadAsByteArrayAsync());
    }

    private async Task<BundleCheckResponse> CheckAsync(byte[] zip, string email = Dsl)
    {
        using var client = await Fixture.As(email);
        using var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var response = await client.PostAsync("/api/safeguarding/evidence/verify", content);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<BundleCheckResponse>(ApiFixture.Json))!;
    }

    /// <summary>Rewrites the bundle with <paramref name="edit"/> applied to its files.</summary>
    private static byte[] Edit(byte[] zip, Action<Dictionary<string, byte[]>> edit)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var read = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
        {
            foreach (var e in read.Entries)
            {
                using var s = e.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                files[e.FullName] = m.ToArray();
            }
        }

        edit(files);
        using var output = new MemoryStream();
        using (var write = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var s = write.CreateEntry(name).Open();
                s.Write(bytes);
            }
        }

        return output.ToArray();
    }

    private static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    [Fact]
    public async Task An_export_holds_the_manifest_the_original_files_and_a_pdf_summary_and_its_hashes_verify()
    {
        // Act
        var (c, zip) = await ExportedAsync();
        var check = await CheckAsync(zip);

        // Assert
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        archive.Entries.Select(e => e.FullName).Should().BeEquivalentTo(
            "manifest.json", "evidence/item.json", "evidence/text.txt", "evidence/payload.json", "evidence/media/01-screenshot.png", "summary.pdf", "SHA256SUMS");
        byte[] Read(string name)
        {
            using var s = archive.GetEntry(name)!.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return m.ToArray();
        }

        Read("evidence/media/01-screenshot.png").Should().Equal(s_screenshot);
        Encoding.UTF8.GetString(Read("evidence/text.txt")).Should().Be("Everyone laugh at the new girl in Year 6");
        Encoding.ASCII.GetString(Read("summary.pdf")[..5]).Should().Be("%PDF-");
        var manifest = JsonNode.Parse(Read("manifest.json"))!;
        manifest["bundleSha256"]!.GetValue<string>().Should().Be(c.EvidenceSha256);
        manifest["referrals"]![0]!["reference"]!.GetValue<string>().Should().Be("FB-REPORT-77");
        var item = JsonNode.Parse(Read("evidence/item.json"))!;
        item["platform"]!.GetValue<string>().Should().Be("Facebook");
        item["account"]!["externalId"]!.GetValue<string>().Should().Be("100200300400500");
        item["platformItemId"]!.GetValue<string>().Should().StartWith("test-");
        item["author"]!["displayName"]!.GetValue<string>().Should().Be("A Parent");
        item["url"]!.GetValue<string>().Should().Contain("facebook.com");
        check.Valid.Should().BeTrue(string.Join("; ", check.Problems));
        check.MatchesRecord.Should().BeTrue();
        check.CaseId.Should().Be(c.Id);
        await using var db = Fixture.Db();
        var audit = await db.AuditEntries.AsNoTracking().SingleAsync(a => a.Action == "evidence-exported");
        audit.Detail.Should().Contain(c.EvidenceSha256!).And.Contain(Sha(zip));
    }

    [Fact]
    public async Task An_edited_file_a_removed_file_and_an_added_file_are_each_detected()
    {
        // Arrange
        var (_, zip) = await ExportedAsync();
        var edited = Edit(zip, f => f["evidence/text.txt"] = Encoding.UTF8.GetBytes("Everyone laugh at the new boy in Year 6"));
        var removed = Edit(zip, f => f.Remove("evidence/media/01-screenshot.png"));
        var added = Edit(zip, f => f["evidence/extra.txt"] = Encoding.UTF8.GetBytes("planted"));

        // Act
        var editedCheck = await CheckAsync(edited);
        var removedCheck = await CheckAsync(removed);
        var addedCheck = await CheckAsync(added);

        // Assert
        editedCheck.Valid.Should().BeFalse();
        editedCheck.Problems.Should().Contain(p => p.StartsWith("evidence/text.txt has been changed"));
        removedCheck.Valid.Should().BeFalse();
        removedCheck.Problems.Should().Contain(p => p.Contains("01-screenshot.png") && p.Contains("missing"));
        addedCheck.Valid.Should().BeFalse();
        addedCheck.Problems.Should().Contain(p => p.StartsWith("evidence/extra.txt was added"));
    }

    [Fact]
    public async Task A_bundle_edited_and_rehashed_consistently_passes_its_own_sums_but_not_the_hash_recorded_at_capture()
    {
        // Arrange: change the text, and rewrite the manifest, its bundle hash and SHA256SUMS to match.
        var (_, zip) = await ExportedAsync();
        var forged = Edit(zip, f =>
        {
            var text = Encoding.UTF8.GetBytes("Nothing to see here");
            f["evidence/text.txt"] = text;
            var manifest = JsonNode.Parse(f["manifest.json"])!;
            var parts = manifest["parts"]!.AsArray();
            var part = parts.Single(p => p!["name"]!.GetValue<string>() == "evidence/text.txt")!;
            part["sha256"] = Sha(text);
            part["length"] = text.Length;
            var entries = parts.Select(p => p.Deserialize<EvidenceManifest.Entry>(ApiFixture.Json)!).ToList();
            manifest["bundleSha256"] = EvidenceManifest.BundleHash(entries);
            f["manifest.json"] = Encoding.UTF8.GetBytes(manifest.ToJsonString());
            f["SHA256SUMS"] = Encoding.UTF8.GetBytes(string.Concat(f.Where(x => x.Key != "SHA256SUMS").Select(x => $"{Sha(x.Value)}  {x.Key}\n")));
        });

        // Act
        var offline = EvidenceBundle.Verify(new MemoryStream(forged));
        var byTheSchool = await CheckAsync(forged);
        var byAnotherSchool = await CheckAsync(forged, "dsl@stmarys.example");

        // Assert
        offline.Valid.Should().BeTrue("the forger kept the bundle consistent with itself");
        byTheSchool.Valid.Should().BeFalse();
        byTheSchool.MatchesRecord.Should().BeFalse();
        byTheSchool.Problems.Should().Contain(p => p.Contains("recorded when the evidence was captured"));
        byAnotherSchool.MatchesRecord.Should().BeNull("another school learns nothing about this school's cases");
    }

    [Fact]
    public async Task Something_that_is_not_a_bundle_fails_verification_and_an_empty_body_is_a_bad_request()
    {
        // Arrange
        using var dsl = await Fixture.As(Dsl);

        // Act
        var garbage = await CheckAsync(Encoding.UTF8.GetBytes("this is not a zip"));
        using var empty = await dsl.PostAsync("/api/safeguarding/evidence/verify", new ByteArrayContent([]));

        // Assert
        garbage.Valid.Should().BeFalse();
        garbage.Problems.Should().ContainSingle().Which.Should().StartWith("not a readable zip archive");
        empty.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
