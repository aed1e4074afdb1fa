using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Safeguarding;

namespace Moderation.Worker.Tests.Safeguarding;

/// <summary>The retention purge, called as the nightly job calls it, on a clock the test moves: periods per class, and legal hold.</summary>
public sealed class RetentionTests(WorkerFixture fixture) : WorkerTest(fixture)
{
    private async Task RejectAsync(Guid itemId, DateTimeOffset decidedAt)
    {
        await using var db = Fixture.Db();
        await db.Items.Where(i => i.Id == itemId).ExecuteUpdateAsync(s => s
            .SetProperty(i => i.State, ItemState.Rejected).SetProperty(i => i.RejectionReason, RejectionReason.Abusive).SetProperty(i => i.DecidedAt, decidedAt));
    }

    private async Task CloseAsync(Guid caseId, DateTimeOffset closedAt, bool legalHold)
    {
        await using var db = Fixture.Db();
        await db.SafeguardingCases.Where(c => c.Id == caseId).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Status, CaseStatus.Closed).SetProperty(c => c.ClosedAt, closedAt).SetProperty(c => c.LegalHold, legalHold));
    }

    [Fact]
    public async Task Ordinary_rejected_comments_go_after_90_days_and_are_logged_while_newer_ones_and_ones_in_a_case_stay()
    {
        // Arrange
        var world = await new CaseWorld(Fixture).LoadAsync();
        var ids = await Fixture.IngestAsync(3, "rejected");
        var now = world.Clock.GetUtcNow();
        await RejectAsync(ids[0], now.AddDays(-91));
        await RejectAsync(ids[1], now.AddDays(-89));
        await RejectAsync(ids[2], now.AddDays(-200));
        await world.OpenAsync(CaseCategories.Bullying, CaseSeverity.Low, itemId: ids[2]);

        // Act
        var report = await world.PurgeAsync();

        // Assert
        report.ItemsPurged.Should().Be(1);
        await using var db = Fixture.Db();
        (await db.Items.Where(i => ids.Contains(i.Id)).Select(i => i.Id).ToListAsync()).Should().BeEquivalentTo([ids[1], ids[2]]);
        var purge = await db.RetentionPurges.AsNoTracking().SingleAsync();
        purge.SubjectId.Should().Be(ids[0]);
        purge.RetentionClass.Should().Be(SafeguardingSettings.RejectedItems);
        purge.RetentionDays.Should().Be(90);
        purge.Detail.Should().Contain("Abusive").And.NotContain("well done", "the log says what was purged, never its words");
        (await db.AuditEntries.AnyAsync(a => a.Action == "retention-purged" && a.ItemId == ids[0])).Should().BeTrue();
    }

    [Fact]
    public async Task A_closed_case_past_its_period_is_kept_while_under_legal_hold_and_purged_with_its_item_once_the_hold_is_released()
    {
        // Arrange: bullying cases are kept 30 days at this school; two closed 31 days ago, one of them under legal hold.
        var world = await new CaseWorld(Fixture).LoadAsync();
        await world.SaveSettingsAsync(new SafeguardingSettings { Retention = [new RetentionRule(CaseCategories.Bullying, 30)] });
        var ids = await Fixture.IngestAsync(2, "bullying");
        var held = await world.OpenAsync(CaseCategories.Bullying, CaseSeverity.Medium, itemId: ids[0]);
        var free = await world.OpenAsync(CaseCategories.Bullying, CaseSeverity.Medium, itemId: ids[1]);
        var closedAt = world.Clock.GetUtcNow().AddDays(-31);
        await CloseAsync(held.Id, closedAt, legalHold: true);
        await CloseAsync(free.Id, closedAt, legalHold: false);

        // Act
        var first = await world.PurgeAsync();
        await using (var db = Fixture.Db())
        {
            await db.SafeguardingCases.Where(c => c.Id == held.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LegalHold, false));
        }

        world.Clock.Advance(TimeSpan.FromDays(1));
        var second = await world.PurgeAsync();

        // Assert
        first.CasesPurged.Should().Be(1);
        first.KeptUnderLegalHold.Should().Be(1);
        second.CasesPurged.Should().Be(1);
        second.KeptUnderLegalHold.Should().Be(0);
        await using var after = Fixture.Db();
        (await after.SafeguardingCases.CountAsync()).Should().Be(0);
        (await after.EvidenceParts.CountAsync()).Should().Be(0);
        (await after.Items.CountAsync(i => ids.Contains(i.Id))).Should().Be(0, "a purged case takes its item with it");
        (await after.RetentionPurges.AsNoTracking().OrderBy(p => p.PurgedAt).Select(p => p.SubjectId).ToListAsync()).Should().Equal(free.Id, held.Id);
    }

    [Fact]
    public async Task While_under_legal_hold_nothing_of_the_case_goes_however_old_and_the_open_case_is_never_purged()
    {
        // Arrange
        var world = await new CaseWorld(Fixture).LoadAsync();
        var ids = await Fixture.IngestAsync(2, "held");
        var held = await world.OpenAsync(CaseCategories.Grooming, CaseSeverity.Critical, itemId: ids[0]);
        var open = await world.OpenAsync(CaseCategories.Hate, CaseSeverity.High, itemId: ids[1]);
        await CloseAsync(held.Id, world.Clock.GetUtcNow().AddYears(-30), legalHold: true);
        await RejectAsync(ids[1], world.Clock.GetUtcNow().AddYears(-30));

        // Act
        var report = await world.PurgeAsync();

        // Assert
        report.CasesPurged.Should().Be(0);
        report.ItemsPurged.Should().Be(0, "a rejected item that is part of a case follows its case");
        report.KeptUnderLegalHold.Should().Be(1);
        await using var db = Fixture.Db();
        (await db.SafeguardingCases.Select(c => c.Id).ToListAsync()).Should().BeEquivalentTo([held.Id, open.Id]);
        (await db.EvidenceParts.CountAsync(p => p.CaseId == held.Id)).Should().BeGreaterThan(0);
        (await db.Items.CountAsync(i => ids.Contains(i.Id))).Should().Be(2);
        (await db.RetentionPurges.CountAsync()).Should().Be(0);
    }
}
