using Microsoft.Playwright;
using Moderation.Domain.Audit;
using Moderation.Domain.Items;
using Moderation.Domain.Routing;
using Moderation.Domain.Safeguarding;

namespace Moderation.Web.Tests;

/// <summary>The headteacher's dashboard with figures known from the data written for it.</summary>
public sealed class DashboardPageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    [Fact]
    public async Task The_headteacher_sees_the_four_charts_with_the_expected_figures()
    {
        // Arrange: decisions after 30 and 10 minutes, one time limit run out, one bullying case
        await SeedAsync();
        await SignInAsync("head@fleming.example");

        // Act
        await Page.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true }).ClickAsync();
        await Page.WaitForURLAsync("**/dashboard");

        // Assert
        await Assertions.Expect(Page.Locator("#figure-decisions")).ToHaveTextAsync("2");
        await Assertions.Expect(Page.Locator("#figure-median")).ToHaveTextAsync("20 min");
        await Assertions.Expect(Page.Locator("#figure-p90")).ToHaveTextAsync("28 min");
        await Assertions.Expect(Page.Locator("#figure-breaches")).ToHaveTextAsync("1");
        await Assertions.Expect(Page.Locator("#figure-escalations")).ToHaveTextAsync("1");
        foreach (var chart in new[] { "Items by state over time", "Time to decision (minutes)", "Breaches of time limits", "Safeguarding escalations by category" })
        {
            await Assertions.Expect(Page.GetByRole(AriaRole.Img, new() { Name = chart })).ToBeVisibleAsync();
        }

        await Page.Locator("#escalations-h + figure + details summary").ClickAsync();
        await Assertions.Expect(Page.Locator("#escalations-table tr", new() { HasText = "Bullying" })).ToContainTextAsync("1");
        await ScreenshotAsync("40-dashboard");
        await Page.SetViewportSizeAsync(390, 844);
        (await Page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1")).Should().BeFalse();
        await ScreenshotAsync("41-dashboard-phone");
    }

    [Fact]
    public async Task A_moderator_is_not_shown_the_dashboard()
    {
        await SignInAsync("moderator@fleming.example");
        await Assertions.Expect(Page.GetByRole(AriaRole.Link, new() { Name = "Dashboard", Exact = true })).ToHaveCountAsync(0);
        var response = await Page.GotoAsync(Url("/dashboard"));
        Page.Url.Should().Contain("/denied");
        response!.Ok.Should().BeTrue();
    }

    private async Task SeedAsync()
    {
        var school = Fixture.Schools["fleming-primary"];
        var now = DateTimeOffset.UtcNow;
        await using var db = Fixture.Db();
        var owner = db.Users.Single(u => u.Email == "moderator@fleming.example").Id;
        await using var tx = await db.Database.BeginTransactionAsync();
        var actor = Actor.System("dashboard-test");
        ModerationItem Item(ItemState state, DateTimeOffset received, DateTimeOffset? decided)
        {
            var item = new ModerationItem
            {
                Id = Guid.NewGuid(), SchoolId = school, Kind = ItemKind.InboundComment, State = state, Text = "Dashboard item",
                RedactedText = "Dashboard item", ScreeningComplete = true, ReceivedAt = received, UpdatedAt = decided ?? received,
                DecidedAt = decided, AssignedToId = owner, AssignedAt = received,
            };
            db.Items.Add(item);
            return item;
        }

        var slow = Item(ItemState.Approved, now.AddMinutes(-40), now.AddMinutes(-10));
        await AuditLog.AppendAsync(db, school, actor, "approved", now.AddMinutes(-10), slow.Id, "AwaitingReview", "Approved");
        var quick = Item(ItemState.Approved, now.AddMinutes(-20), now.AddMinutes(-10));
        await AuditLog.AppendAsync(db, school, actor, "approved", now.AddMinutes(-10), quick.Id, "AwaitingReview", "Approved");
        var waiting = Item(ItemState.AwaitingReview, now.AddMinutes(-30), null);
        await AuditLog.AppendAsync(db, school, actor, "screened", now.AddMinutes(-30), waiting.Id, "Screening", "AwaitingReview");
        db.ItemAssignments.Add(new ItemAssignment
        {
            Id = Guid.NewGuid(), ItemId = waiting.Id, SchoolId = school, UserId = owner, Reason = "Rota",
            AssignedAt = now.AddMinutes(-30), DueAt = now.AddMinutes(-5), Explanation = "dashboard test",
        });
        db.SafeguardingCases.Add(new SafeguardingCase
        {
            Id = Guid.NewGuid(), SchoolId = school, Category = CaseCategories.Bullying, Severity = CaseSeverity.Medium, Source = CaseSource.Raised,
            Summary = "dashboard test case", RaisedBy = "test", RaisedAt = now.AddHours(-1), Status = CaseStatus.Acknowledged, AcknowledgedAt = now.AddHours(-1),
        });
        await db.SaveChangesAsync();
        await tx.CommitAsync();
    }
}
