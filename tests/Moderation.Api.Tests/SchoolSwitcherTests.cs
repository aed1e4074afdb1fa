using System.Net;
using Moderation.Testing;

namespace Moderation.Api.Tests;

/// <summary>ADR 0505: the header's school switcher for people who act for several schools, and its limits.</summary>
public sealed class SchoolSwitcherTests(ApiFixture fixture) : ApiTest(fixture)
{
    private Guid Fleming => Fixture.Schools["fleming-primary"];
    private Guid StMarys => Fixture.Schools["st-marys-ce"];

    private static async Task<HttpResponseMessage> SwitchAsync(HttpClient client, string school)
    {
        var page = await client.GetStringAsync("/notifications");
        return await client.PostAsync("/school", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["school"] = school,
            ["returnUrl"] = "/",
            ["__RequestVerificationToken"] = ApiFixture.AntiForgeryTokenIn(page),
        }));
    }

    [Fact]
    public async Task A_trust_user_sees_the_switcher_and_someone_with_one_school_does_not()
    {
        using var admin = await Fixture.CookieClientAsync("admin@riverside.example");
        using var moderator = await Fixture.CookieClientAsync("moderator@fleming.example");

        var trustPage = await admin.GetStringAsync("/");
        var schoolPage = await moderator.GetStringAsync("/");

        trustPage.Should().Contain("Working for").And.Contain($"<option value=\"{StMarys}\">").And.Contain($"<option value=\"{Fleming}\">");
        schoolPage.Should().NotContain("Working for").And.NotContain("action=\"/school\"");
    }

    [Fact]
    public async Task Choosing_a_school_scopes_the_queue_until_all_schools_is_chosen_again()
    {
        await Fixture.IngestAndScreenAsync("fleming-primary", "Fleming's coat");
        await Fixture.IngestAndScreenAsync("st-marys-ce", "St Mary's scarf");
        using var admin = await Fixture.CookieClientAsync("admin@riverside.example");

        using var chosen = await SwitchAsync(admin, StMarys.ToString());
        var scoped = await admin.GetStringAsync("/");
        var named = await admin.GetStringAsync($"/?school={Fleming}");
        using var all = await SwitchAsync(admin, "");
        var everything = await admin.GetStringAsync("/");

        chosen.StatusCode.Should().Be(HttpStatusCode.Redirect);
        scoped.Should().Contain("St Mary&#x27;s scarf").And.NotContain("Fleming&#x27;s coat");
        scoped.Should().Contain($"<option value=\"{StMarys}\" selected=\"selected\">");
        named.Should().Contain("Fleming&#x27;s coat").And.NotContain("St Mary&#x27;s scarf", "a link naming a school still shows that school");
        everything.Should().Contain("Fleming&#x27;s coat").And.Contain("St Mary&#x27;s scarf");
    }

    [Fact]
    public async Task Switching_to_a_school_without_a_role_there_is_404_and_changes_nothing()
    {
        await Fixture.IngestAndScreenAsync("st-marys-ce", "St Mary's only");
        await Fixture.IngestAndScreenAsync("fleming-primary", "Fleming only");
        using var webadmin = await Fixture.CookieClientAsync("webadmin@stmarys.example");

        using var forged = await SwitchAsync(webadmin, Fleming.ToString());
        using var unknown = await SwitchAsync(webadmin, Guid.NewGuid().ToString());
        using var garbage = await SwitchAsync(webadmin, "not-a-school");
        using var forgedFilter = await webadmin.GetAsync($"/?school={Fleming}");
        var queue = await webadmin.GetStringAsync("/");

        forged.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (forged.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : []).Should().NotContain(c => c.StartsWith("moderation.school=", StringComparison.Ordinal));
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        garbage.StatusCode.Should().Be(HttpStatusCode.NotFound);
        forgedFilter.StatusCode.Should().Be(HttpStatusCode.NotFound);
        queue.Should().Contain("St Mary&#x27;s only").And.NotContain("Fleming only");
    }

    [Fact]
    public async Task A_hand_made_switcher_cookie_for_another_school_scopes_nothing()
    {
        await Fixture.IngestAndScreenAsync("fleming-primary", "Fleming again");
        using var moderator = await Fixture.CookieClientAsync("moderator@fleming.example");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("Cookie", $"moderation.school={StMarys}");

        using var response = await moderator.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Fleming again");
    }
}
