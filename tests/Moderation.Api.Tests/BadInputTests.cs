using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;

namespace Moderation.Api.Tests;

/// <summary>Bad input gets problem details and writes nothing.</summary>
public sealed class BadInputTests(ApiFixture fixture) : ApiTest(fixture)
{
    private async Task<(int Items, int Audit, int Outbox)> CountsAsync()
    {
        await using var db = Fixture.Db();
        return (await db.Items.CountAsync(), await db.AuditEntries.CountAsync(), await db.Outbox.CountAsync());
    }

    private static async Task ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_and_changes_nothing()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Hello");
        using var amy = await Fixture.As("moderator@fleming.example");
        var before = await CountsAsync();

        // Act
        using var response = await amy.PostAsync($"/api/items/{itemId}/reject", new StringContent("{\"reason\": \"Spam\",", Encoding.UTF8, "application/json"));

        // Assert
        await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task A_rejection_without_a_reason_or_with_an_unknown_reason_is_a_400_problem()
    {
        // Arrange
        var itemId = await Fixture.IngestAndScreenAsync("fleming-primary", "Hello again");
        using var amy = await Fixture.As("moderator@fleming.example");
        var before = await CountsAsync();

        // Act
        using var missing = await amy.PostAsJsonAsync($"/api/items/{itemId}/reject", new { note = "no reason given" });
        using var unknown = await amy.PostAsJsonAsync($"/api/items/{itemId}/reject", new { reason = "BecauseISaidSo" });
        using var otherWithoutNote = await amy.PostAsJsonAsync($"/api/items/{itemId}/reject", new { reason = "Other" });
        using var emptyEscalation = await amy.PostAsJsonAsync($"/api/items/{itemId}/escalate", new { });

        // Assert
        await ShouldBeProblemAsync(missing, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(unknown, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(otherWithoutNote, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(emptyEscalation, HttpStatusCode.BadRequest);
        (await CountsAsync()).Should().Be(before);
    }

    [Fact]
    public async Task An_unknown_item_or_school_is_a_404_problem()
    {
        using var admin = await Fixture.As("admin@riverside.example");
        using var item = await admin.GetAsync($"/api/items/{Guid.NewGuid()}");
        using var approve = await admin.PostAsJsonAsync($"/api/items/{Guid.NewGuid()}/approve", new { });
        using var school = await admin.GetAsync($"/api/items?school={Guid.NewGuid()}");
        using var draft = await LifecycleTests.SubmitDraftAsync(admin, Guid.NewGuid(), "x", [Guid.NewGuid()]);
        await ShouldBeProblemAsync(item, HttpStatusCode.NotFound);
        await ShouldBeProblemAsync(approve, HttpStatusCode.NotFound);
        await ShouldBeProblemAsync(school, HttpStatusCode.NotFound);
        await ShouldBeProblemAsync(draft, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_query_values_are_400_problems()
    {
        using var admin = await Fixture.As("admin@riverside.example");
        using var state = await admin.GetAsync("/api/items?state=Published");
        using var size = await admin.GetAsync("/api/items?pageSize=1000");
        await ShouldBeProblemAsync(state, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(size, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_photo_over_the_size_limit_is_a_413_problem_and_nothing_is_stored()
    {
        // Arrange
        using var author = await Fixture.As("author@fleming.example");
        var accounts = await new LifecycleTests(Fixture).FlemingAccountsAsync();
        var huge = new byte[ImageFormats.MaxPhotoBytes + 1];
        LifecycleTests.Png.CopyTo(huge, 0);

        // Act
        using var response = await LifecycleTests.SubmitDraftAsync(author, Fixture.Schools["fleming-primary"], "Big photo", accounts.Take(1), ("big.png", huge));

        // Assert
        await ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        (await CountsAsync()).Should().Be((0, 0, 0));
    }

    [Fact]
    public async Task An_upload_that_is_not_an_image_is_a_400_problem_even_when_named_like_one()
    {
        // Arrange
        using var author = await Fixture.As("author@fleming.example");
        var accounts = await new LifecycleTests(Fixture).FlemingAccountsAsync();

        // Act
        using var response = await LifecycleTests.SubmitDraftAsync(
            author, Fixture.Schools["fleming-primary"], "Not a photo", accounts.Take(1), ("photo.jpg", Encoding.UTF8.GetBytes("%PDF-1.7 not an image")));

        // Assert
        await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        (await CountsAsync()).Should().Be((0, 0, 0));
    }

    [Fact]
    public async Task A_draft_without_text_photos_or_accounts_is_a_400_problem()
    {
        using var author = await Fixture.As("author@fleming.example");
        var accounts = await new LifecycleTests(Fixture).FlemingAccountsAsync();
        using var empty = await LifecycleTests.SubmitDraftAsync(author, Fixture.Schools["fleming-primary"], " ", accounts.Take(1));
        using var noAccounts = await LifecycleTests.SubmitDraftAsync(author, Fixture.Schools["fleming-primary"], "Hello", []);
        using var foreignAccount = await LifecycleTests.SubmitDraftAsync(author, Fixture.Schools["fleming-primary"], "Hello", [Guid.NewGuid()]);
        using var notForm = await author.PostAsJsonAsync($"/api/schools/{Fixture.Schools["fleming-primary"]}/drafts", new { text = "json" });
        await ShouldBeProblemAsync(empty, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(noAccounts, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(foreignAccount, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(notForm, HttpStatusCode.UnsupportedMediaType);
        (await CountsAsync()).Should().Be((0, 0, 0));
    }

    [Fact]
    public async Task A_login_without_a_password_is_a_400_problem_and_a_wrong_one_is_401()
    {
        using var client = Fixture.Anonymous();
        using var missing = await client.PostAsJsonAsync("/api/auth/login", new { email = "moderator@fleming.example" });
        using var wrong = await client.PostAsJsonAsync("/api/auth/login", new { email = "nobody@nowhere.example", password = "wrong-password-1" });
        await ShouldBeProblemAsync(missing, HttpStatusCode.BadRequest);
        await ShouldBeProblemAsync(wrong, HttpStatusCode.Unauthorized);
    }
}
