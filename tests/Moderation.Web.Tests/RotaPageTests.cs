using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Testing;

namespace Moderation.Web.Tests;

/// <summary>
/// The rota page on the demo rotas (rotas are emptied between tests, so each test seeds them again): the trust rota's
/// week with the seeded leave and its named cover, the gaps outside rota hours, an absence without cover making a gap,
/// overrides added and removed, a form's errors saving nothing, and a moderator recording their own leave.
/// </summary>
public sealed class RotaPageTests(BrowserFixture fixture) : BrowserTest(fixture)
{
    private const string Trust = "Riverside trust weekday rota";
    private const string Fleming = "Fleming Primary School and Nursery rota";

    [Fact]
    public async Task An_administrator_sees_gaps_and_cover_and_manages_absences_and_overrides()
    {
        // Arrange
        await DemoData.SeedAsync(Fixture.Factory.Services);
        await SignInAsync("admin@riverside.example");
        await Page.GetByRole(AriaRole.Link, new() { Name = "Rota", Exact = true }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "On duty now" })).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator(".on-duty-school h3")).ToHaveTextAsync(["Fleming Primary School and Nursery", "St Mary's CE Primary School"]);

        // Act: the trust rota, in the week of the seeded leave
        await ShowAsync(Trust, "2026-12-07");

        // Assert: Ms Khan's leave is covered by Mr Jones, by name; evenings, nights and the weekend are gaps
        var calendar = Page.Locator("table.calendar");
        await Assertions.Expect(calendar.Locator("caption")).ToContainTextAsync($"{Trust}: Week of 7 December 2026");
        await Assertions.Expect(calendar.Locator("li.source-cover").First).ToContainTextAsync("Mr Owen Jones (trust moderator)");
        await Assertions.Expect(calendar.Locator("li.source-cover").First).ToContainTextAsync("Cover for Ms Nadia Khan (trust moderator)");
        await Assertions.Expect(calendar.Locator("li.source-rotation", new() { HasText = "Ms Nadia Khan" })).ToHaveCountAsync(0);
        var monday = calendar.Locator("td[data-date='2026-12-07']");
        await Assertions.Expect(monday.Locator("li.gap").First).ToContainTextAsync("00:00–08:00 Gap: Outside rota hours");
        await Assertions.Expect(monday.Locator("li.gap").Last).ToContainTextAsync("20:00–24:00 Gap: Outside rota hours");
        await Assertions.Expect(calendar.Locator("td[data-date='2026-12-12'] li")).ToHaveCountAsync(1);
        await Assertions.Expect(calendar.Locator("td[data-date='2026-12-12'] li.gap")).ToContainTextAsync("00:00–24:00 Gap");
        await Assertions.Expect(Page.Locator("section[aria-labelledby=absences-title] tbody tr")).ToContainTextAsync(["Ms Nadia Khan (trust moderator)"]);
        await ScreenshotAsync("20-rota-week");

        // Act: next week by keyboard, then the Fleming rota's month
        await Page.GetByRole(AriaRole.Link, new() { Name = "Next week →" }).FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Page.WaitForURLAsync(u => u.Contains("date=2026-12-14", StringComparison.Ordinal));
        await Assertions.Expect(calendar.Locator("caption")).ToContainTextAsync("Week of 14 December 2026");
        await ShowAsync(Fleming, "2026-12-14");

        // Act: Ms Reed is off sick for three days, with the cover pool (Fleming's rota has none)
        await Page.GetByText("Add an absence").ClickAsync();
        var absence = Page.Locator("form", new() { Has = Page.GetByRole(AriaRole.Button, new() { Name = "Record the absence" }) });
        await absence.GetByLabel("Who is away").SelectOptionAsync(new SelectOptionValue { Label = "Ms Amy Reed" });
        await absence.GetByLabel("Why").SelectOptionAsync("Sickness");
        await absence.GetByLabel("From", new() { Exact = true }).FillAsync("2026-12-14");
        await absence.GetByLabel("To", new() { Exact = true }).FillAsync("2026-12-16");
        await absence.GetByRole(AriaRole.Button, new() { Name = "Record the absence" }).ClickAsync();

        // Assert: her shifts that week are gaps, marked with the reason
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The absence is recorded.");
        var noCover = calendar.Locator("li.gap.reason-no-cover");
        await Assertions.Expect(noCover.First).ToContainTextAsync("Gap: No cover: Ms Amy Reed away");
        (await noCover.CountAsync()).Should().BeGreaterThan(0);
        foreach (var day in new[] { "2026-12-14", "2026-12-15", "2026-12-16" })
        {
            await Assertions.Expect(calendar.Locator($"td[data-date='{day}'] li.source-rotation", new() { HasText = "Ms Amy Reed" })).ToHaveCountAsync(0);
        }

        await Assertions.Expect(Page.Locator("section[aria-labelledby=absences-title] tbody tr")).ToContainTextAsync(["Ms Amy Reed\tSickness"], new() { UseInnerText = true });
        await ScreenshotAsync("21-rota-gap-no-cover");

        // Act: an override with its end before its start and no reason
        await Page.GetByText("Add an override").ClickAsync();
        var form = Page.Locator("form", new() { Has = Page.GetByRole(AriaRole.Button, new() { Name = "Add the override" }) });
        await form.GetByLabel("Who is on duty").SelectOptionAsync(new SelectOptionValue { Label = "Mr Tom Price" });
        await form.GetByLabel("From", new() { Exact = true }).FillAsync("2026-12-15");
        await form.GetByLabel("at", new() { Exact = true }).First.FillAsync("12:00");
        await form.GetByLabel("To", new() { Exact = true }).FillAsync("2026-12-15");
        await form.GetByLabel("at", new() { Exact = true }).Last.FillAsync("09:00");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add the override" }).ClickAsync();

        // Assert: both problems listed, what was typed kept, nothing saved
        var alert = Page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert).ToContainTextAsync("Nothing was saved.");
        await Assertions.Expect(alert).ToContainTextAsync("to must be after from.");
        await Assertions.Expect(alert).ToContainTextAsync("reason is required");
        form = Page.Locator("form", new() { Has = Page.GetByRole(AriaRole.Button, new() { Name = "Add the override" }) });
        await Assertions.Expect(form.GetByLabel("From", new() { Exact = true })).ToHaveValueAsync("2026-12-15");
        await using (var db = Fixture.Db())
        {
            (await db.DutyOverrides.CountAsync()).Should().Be(0);
        }

        await ScreenshotAsync("22-rota-override-refused");

        // Act: put it right
        await form.GetByLabel("at", new() { Exact = true }).Last.FillAsync("15:30");
        await form.GetByLabel("Reason").FillAsync("Residential trip to Kingswood");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add the override" }).ClickAsync();

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The override is added.");
        var tuesday = calendar.Locator("td[data-date='2026-12-15']");
        await Assertions.Expect(tuesday.Locator("li.source-override")).ToContainTextAsync("12:00–15:30 Mr Tom Price Override: Residential trip to Kingswood");
        await ScreenshotAsync("23-rota-override");

        // Act: remove it
        await Page.GetByRole(AriaRole.Button, new() { Name = "Remove the override for Mr Tom Price" }).ClickAsync();

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The override is removed.");
        await Assertions.Expect(tuesday.Locator("li.source-override")).ToHaveCountAsync(0);
        await using (var db = Fixture.Db())
        {
            (await db.DutyOverrides.CountAsync()).Should().Be(0);
            (await db.RotaAbsences.CountAsync(a => a.Kind == AbsenceKind.Sickness)).Should().Be(1);
        }

        // The month view shows the same rota
        await Page.GetByRole(AriaRole.Link, new() { Name = "Month view" }).ClickAsync();
        await Assertions.Expect(calendar.Locator("caption")).ToContainTextAsync($"{Fleming}: December 2026");
        await Assertions.Expect(calendar.Locator("tbody tr")).ToHaveCountAsync(5);
        await Assertions.Expect(calendar.Locator("td[data-date='2026-12-15'] li.gap.reason-no-cover").First).ToBeVisibleAsync();
        await ScreenshotAsync("24-rota-month");
    }

    [Fact]
    public async Task A_moderator_records_and_cancels_their_own_leave()
    {
        // Arrange
        await DemoData.SeedAsync(Fixture.Factory.Services);
        await SignInAsync("moderator@fleming.example");
        await Page.GotoAsync(Url("/rota"));
        await ShowAsync(Fleming, "2026-12-21");
        await Assertions.Expect(Page.GetByText("Add an override")).ToHaveCountAsync(0);
        await Assertions.Expect(Page.GetByText("Add an absence")).ToHaveCountAsync(0);

        // Act: leave with the end before the start
        await Page.GetByText("Record my leave").First.ClickAsync();
        var form = Page.Locator("form", new() { Has = Page.GetByRole(AriaRole.Button, new() { Name = "Record my leave" }) });
        await form.GetByLabel("From", new() { Exact = true }).FillAsync("2026-12-23");
        await form.GetByLabel("To", new() { Exact = true }).FillAsync("2026-12-21");
        await form.GetByRole(AriaRole.Button, new() { Name = "Record my leave" }).ClickAsync();

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("to must be after from.");
        await using (var db = Fixture.Db())
        {
            (await db.RotaAbsences.CountAsync(a => a.RecordedBy != "seed")).Should().Be(0, "the seed's own absence is the only one");
        }

        // Act: the right dates
        form = Page.Locator("form", new() { Has = Page.GetByRole(AriaRole.Button, new() { Name = "Record my leave" }) });
        await form.GetByLabel("To", new() { Exact = true }).FillAsync("2026-12-24");
        await form.GetByRole(AriaRole.Button, new() { Name = "Record my leave" }).ClickAsync();

        // Assert: recorded as leave, hers, and her shifts those days are gaps (nobody in the pool)
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your leave is recorded");
        await Assertions.Expect(Page.Locator("section[aria-labelledby=absences-title] tbody tr")).ToContainTextAsync(["Ms Amy Reed\tLeave\tWed 23 Dec 2026, 00:00\tFri 25 Dec 2026, 00:00\tCover pool"], new() { UseInnerText = true });
        await Assertions.Expect(Page.Locator("li.gap.reason-no-cover").First).ToContainTextAsync("Ms Amy Reed away");
        await ScreenshotAsync("25-rota-my-leave");

        // Act: cancel it
        await Page.GetByRole(AriaRole.Button, new() { Name = "Remove the absence of Ms Amy Reed" }).ClickAsync();

        // Assert
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The absence is removed.");
        await Assertions.Expect(Page.Locator("li.gap.reason-no-cover")).ToHaveCountAsync(0);
        await using (var db = Fixture.Db())
        {
            (await db.RotaAbsences.CountAsync(a => a.RecordedBy != "seed")).Should().Be(0, "the seed's own absence is the only one");
        }
    }

    private async Task ShowAsync(string rota, string date)
    {
        var picker = Page.Locator("form.rota-picker");
        await picker.GetByLabel("Rota").SelectOptionAsync(new SelectOptionValue { Label = rota + (rota == Trust ? " (Fleming Primary School and Nursery, St Mary's CE Primary School)" : " (Fleming Primary School and Nursery)") });
        await picker.GetByLabel("Date").FillAsync(date);
        await picker.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(Page.Locator("table.calendar caption")).ToContainTextAsync(rota);
    }
}
