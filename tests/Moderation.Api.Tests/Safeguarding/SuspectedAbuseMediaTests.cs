using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Safeguarding;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>
/// Suspected child sexual abuse material is never stored (DOMAIN.md "Safeguarding"): only its hash, length and
/// address. The test hands a distinctive file over with such a case, and an ordinary file with an ordinary case as a
/// control that the search can find what was stored, then searches the database, the write-ahead log, the logs and
/// the temporary folder.
/// </summary>
public sealed class SuspectedAbuseMediaTests(ApiFixture fixture) : SafeguardingTest(fixture)
{
    /// <summary>Random, so incompressible; small enough that PostgreSQL would keep it inline, in the clear, in the WAL.</summary>
    private static (byte[] File, byte[] Needle) Canary()
    {
        var file = new byte[1500];
        RandomNumberGenerator.Fill(file);
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(file, 0);
        return (file, file[100..148]);
    }

    [Fact]
    public async Task No_byte_of_suspected_child_abuse_media_is_written_to_the_database_the_wal_the_logs_or_disk()
    {
        // Arrange
        var since = DateTime.UtcNow.AddSeconds(-1);
        var logs = new CapturingLoggerProvider();
        await using var factory = Fixture.Factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace))));
        using var dsl = await ApiFixture.SignInAsync(factory, Dsl);
        var (abuse, abuseNeedle) = Canary();
        var (control, controlNeedle) = Canary();
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "look at this picture of a year 5 boy");

        // Act
        using var raised = await dsl.PostAsJsonAsync($"/api/schools/{Fleming}/safeguarding/cases", new
        {
            itemId,
            category = "ChildSexualAbuse",
            severity = "Critical",
            summary = "Suspected indecent image posted as a reply",
            url = "https://www.facebook.com/100200300400500/posts/900009",
            payload = """{"id":"100200300400500_900009","attachment":{"type":"photo"}}""",
            files = new[] { new { fileName = "reply-image.png", contentType = "image/png", contentBase64 = Convert.ToBase64String(abuse), sourceUrl = "https://scontent.example/abc.png" } },
        });
        var abuseCase = (await raised.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!;
        await WaitForEscalationsRoutedAsync();
        var controlCase = await RaiseAsync(Dsl, new
        {
            category = "Bullying", severity = "Medium", summary = "Screenshot of a mocking post",
            files = new[] { new { fileName = "screenshot.png", contentType = "image/png", contentBase64 = Convert.ToBase64String(control) } },
        });
        var evidence = await dsl.GetFromJsonAsync<EvidenceDto>($"/api/safeguarding/cases/{abuseCase.Id}/evidence", ApiFixture.Json);
        var media = evidence!.Parts.Single(p => p.Kind == EvidenceKind.Media);
        using var shown = await dsl.GetAsync($"/api/safeguarding/cases/{abuseCase.Id}/evidence/parts/{media.Id}");
        using var exported = await dsl.GetAsync($"/api/safeguarding/cases/{abuseCase.Id}/evidence/export");
        var exportBytes = await exported.Content.ReadAsByteArrayAsync();

        // Assert: what is kept is the hash, the length and the addresses, and the image is never shown.
        raised.StatusCode.Should().Be(HttpStatusCode.Created);
        media.Withheld.Should().BeTrue();
        media.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(abuse)));
        media.Length.Should().Be(abuse.Length);
        media.SourceUrl.Should().Be("https://scontent.example/abc.png");
        evidence.Intact.Should().BeTrue();
        shown.StatusCode.Should().Be(HttpStatusCode.Gone);
        exportBytes.AsSpan().IndexOf(abuseNeedle).Should().Be(-1, "an export carries the hash, never the image");
        await using (var db = Fixture.Db())
        {
            (await db.EvidenceParts.AsNoTracking().SingleAsync(p => p.Id == media.Id)).Content.Should().BeNull();
            (await db.AuditEntries.AnyAsync(a => a.Action == "evidence-withheld-requested")).Should().BeTrue("who tried to see it is kept");
        }

        // The database: nothing of the abuse file, and the control file where it belongs.
        (await PersistenceScanner.FindInDatabaseAsync(Fixture.Env.ConnectionString, abuseNeedle, abuse)).Should().BeEmpty();
        (await PersistenceScanner.FindInDatabaseAsync(Fixture.Env.ConnectionString, controlNeedle, control)).Should().Contain("evidence_parts.content");

        // The logs of the API host, at every level.
        logs.Lines.Should().NotBeEmpty();
        var hex = Convert.ToHexStringLower(abuseNeedle);
        var base64 = Convert.ToBase64String(abuse);
        logs.Lines.Should().NotContain(l => l.Contains(hex, StringComparison.OrdinalIgnoreCase) || l.Contains(base64, StringComparison.Ordinal));

        // Disk: the temporary folder, and PostgreSQL's write-ahead log and server log where this machine's infra/ keeps them.
        PersistenceScanner.FindInFiles(Path.GetTempPath(), since, abuseNeedle, abuse).Should().BeEmpty();
        if (PersistenceScanner.PostgresDataFolder() is { } pg)
        {
            PersistenceScanner.FindInFiles(pg, since, abuseNeedle, abuse).Should().BeEmpty();
            await using (var db = Fixture.Db())
            {
                // The control row is committed, so its WAL record is on disk: the search can see what was written.
                await db.Database.ExecuteSqlRawAsync("SELECT 1");
            }

            PersistenceScanner.FindInFiles(Path.Combine(pg, "data", "pg_wal"), since, controlNeedle, control).Should().NotBeEmpty();
        }

        controlCase.Id.Should().NotBe(abuseCase.Id);
    }

    [Fact]
    public async Task A_staff_drafts_photo_is_wiped_when_its_item_becomes_a_child_abuse_case_and_only_its_hash_is_kept()
    {
        // Arrange: a draft with a photo is in review.
        using var author = await Fixture.As(Author);
        var accounts = await new LifecycleTests(Fixture).FlemingAccountsAsync();
        using var submitted = await LifecycleTests.SubmitDraftAsync(author, Fleming, "Class photo", accounts.Take(1), ("a.png", LifecycleTests.Png));
        var created = await submitted.Content.ReadFromJsonAsync<Drafts.DraftCreated>(ApiFixture.Json);
        await Fixture.WaitForStateAsync(created!.Id, Domain.Items.ItemState.AwaitingReview);

        // Act
        var raised = await RaiseAsync(Dsl, new { itemId = created.Id, category = "ChildSexualAbuse", severity = "Critical", summary = "Reported by a parent" });

        // Assert
        await using var db = Fixture.Db();
        var photo = await db.ItemMedia.AsNoTracking().SingleAsync(m => m.ItemId == created.Id);
        photo.Content.Should().BeEmpty();
        photo.PublishableContent.Should().BeNull();
        photo.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(LifecycleTests.Png)));
        var part = await db.EvidenceParts.AsNoTracking().SingleAsync(p => p.CaseId == raised.Id && p.Kind == EvidenceKind.Media);
        part.Withheld.Should().BeTrue();
        part.Content.Should().BeNull();
        part.Sha256.Should().Be(photo.Sha256);
    }
}
