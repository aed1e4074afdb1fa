using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Platforms;
using Moderation.Domain.Schools;
using Moderation.Testing.Platforms;

namespace Moderation.Api.Tests;

/// <summary>Connecting, testing and disconnecting accounts: credentials are checked, encrypted, and never shown.</summary>
public sealed class AccountsApiTests(ApiFixture fixture) : ApiTest(fixture)
{
    private const string Token = "EAAG-secret-page-token-4f9c2e";

    /// <summary>A Graph API that accepts <see cref="Token"/> and refuses anything else with Meta's expired-token error.</summary>
    private static Task<FakePlatformServer> GraphAsync() => FakePlatformServer.StartAsync((app, _) =>
        app.MapGet("/{**path}", (HttpRequest request) => request.Headers.Authorization == $"Bearer {Token}"
            ? Results.Json(new { id = "100200300400500", name = "Fleming Primary School" })
            : Results.Json(new { error = new { message = "Error validating access token", type = "OAuthException", code = 190 } }, statusCode: 401)));

    private async Task<SocialAccount> FacebookAsync()
    {
        await using var db = Fixture.Db();
        return await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Handle == "@FlemingPrimary" && a.Platform == Platform.Facebook);
    }

    private string Url(SocialAccount account, string rest = "") => $"/api/schools/{account.SchoolId}/accounts/{account.Id}{rest}";

    [Fact]
    public async Task An_administrator_connects_an_account_whose_token_the_platform_accepts_and_the_token_is_stored_encrypted_and_never_shown()
    {
        // Arrange
        await using var graph = await GraphAsync();
        var account = await FacebookAsync();
        using var admin = await Fixture.As("admin@riverside.example");

        // Act
        using var response = await admin.PutAsJsonAsync(Url(account, "/connection"), new { accessToken = Token, apiBaseUrl = graph.BaseUrl.ToString(), pollIntervalSeconds = 120 });
        using var list = await admin.GetAsync($"/api/schools/{account.SchoolId}/accounts");

        // Assert
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        body.Should().NotContain(Token);
        (await list.Content.ReadAsStringAsync()).Should().NotContain(Token);
        var dto = (await response.Content.ReadFromJsonAsync<AccountDto>(ApiFixture.Json))!;
        dto.ConnectionStatus.Should().Be(ConnectionStatus.Connected);
        dto.HasCredentials.Should().BeTrue();
        dto.PollIntervalSeconds.Should().Be(120);
        dto.CircuitState.Should().Be("Closed");
        dto.Capabilities.Should().Contain("Hide").And.Contain("Webhook").And.Contain("Delete");
        graph.Requests.Should().ContainSingle("the token was checked with the platform once").Which.Authorization.Should().Be($"Bearer {Token}");
        await using var db = Fixture.Db();
        var stored = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Id == account.Id);
        stored.ProtectedCredentials.Should().NotBeNullOrEmpty().And.NotContain(Token).And.NotContain("secret");
        (await db.AuditEntries.AsNoTracking().Where(a => a.Action == "account-connected").ToListAsync())
            .Should().ContainSingle().Which.Detail.Should().NotContain(Token);
    }

    [Fact]
    public async Task A_token_the_platform_refuses_is_422_and_nothing_is_stored()
    {
        // Arrange
        await using var graph = await GraphAsync();
        var account = await FacebookAsync();
        using var admin = await Fixture.As("admin@riverside.example");

        // Act
        using var response = await admin.PutAsJsonAsync(Url(account, "/connection"), new { accessToken = "EAAG-expired", apiBaseUrl = graph.BaseUrl.ToString() });

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("Nothing was saved").And.NotContain("EAAG-expired");
        var stored = await FacebookAsync();
        stored.ConnectionStatus.Should().Be(ConnectionStatus.NotConnected);
        stored.ProtectedCredentials.Should().BeNull();
    }

    public static TheoryData<string, string, string[]> BadConnections => new()
    {
        { "Facebook", "{}", ["accessToken"] },
        { "Facebook", """{"accessToken":"has spaces in it"}""", ["accessToken"] },
        { "Facebook", """{"accessToken":"t","apiBaseUrl":"ftp://example.org"}""", ["apiBaseUrl"] },
        { "Facebook", """{"accessToken":"t","pollIntervalSeconds":2}""", ["pollIntervalSeconds"] },
        { "Blog", "{}", ["apiBaseUrl", "username", "password"] },
        { "Blog", """{"apiBaseUrl":"not a url","username":"admin","password":"abcd efgh"}""", ["apiBaseUrl"] },
    };

    [Theory]
    [MemberData(nameof(BadConnections))]
    public async Task Bad_connection_details_are_400_naming_each_field_and_nothing_is_stored(string platform, string json, string[] fields)
    {
        // Arrange
        await using var db = Fixture.Db();
        var handle = platform == "Blog" ? "fleming-blog" : "@FlemingPrimary";
        var account = await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Platform == Enum.Parse<Platform>(platform) && a.Handle == handle);
        using var admin = await Fixture.As("admin@riverside.example");

        // Act
        using var response = await admin.PutAsync(Url(account, "/connection"), new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ValidationProblemDetails>(ApiFixture.Json);
        problem!.Errors.Keys.Should().BeEquivalentTo(fields);
        (await db.SocialAccounts.AsNoTracking().SingleAsync(a => a.Id == account.Id)).ConnectionStatus.Should().Be(ConnectionStatus.NotConnected);
    }

    [Fact]
    public async Task Only_the_schools_administrators_may_manage_its_accounts()
    {
        // Arrange
        var account = await FacebookAsync();
        using var moderator = await Fixture.As("moderator@fleming.example");
        using var outsider = await Fixture.As("webadmin@stmarys.example");

        // Act
        using var byModerator = await moderator.GetAsync($"/api/schools/{account.SchoolId}/accounts");
        using var listByOutsider = await outsider.GetAsync($"/api/schools/{account.SchoolId}/accounts");
        using var connectByOutsider = await outsider.PutAsJsonAsync(Url(account, "/connection"), new { accessToken = Token });
        using var disconnectByOutsider = await outsider.DeleteAsync(Url(account, "/connection"));
        using var testByOutsider = await outsider.PostAsync(Url(account, "/test"), null);

        // Assert
        byModerator.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        listByOutsider.StatusCode.Should().Be(HttpStatusCode.NotFound);
        connectByOutsider.StatusCode.Should().Be(HttpStatusCode.NotFound);
        disconnectByOutsider.StatusCode.Should().Be(HttpStatusCode.NotFound);
        testByOutsider.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await FacebookAsync()).ConnectionStatus.Should().Be(ConnectionStatus.NotConnected);
    }

    [Fact]
    public async Task Testing_checks_the_stored_credentials_and_disconnecting_erases_them()
    {
        // Arrange
        await using var graph = await GraphAsync();
        var account = await FacebookAsync();
        using var admin = await Fixture.As("admin@riverside.example");
        using var notYet = await admin.PostAsync(Url(account, "/test"), null);
        (await admin.PutAsJsonAsync(Url(account, "/connection"), new { accessToken = Token, apiBaseUrl = graph.BaseUrl.ToString() })).EnsureSuccessStatusCode();

        // Act
        var tested = await (await admin.PostAsync(Url(account, "/test"), null)).Content.ReadFromJsonAsync<AccountTestResponse>(ApiFixture.Json);
        using var disconnected = await admin.DeleteAsync(Url(account, "/connection"));
        using var afterwards = await admin.PostAsync(Url(account, "/test"), null);

        // Assert
        notYet.StatusCode.Should().Be(HttpStatusCode.Conflict);
        tested!.Ok.Should().BeTrue();
        tested.Detail.Should().Contain("Fleming Primary School");
        disconnected.StatusCode.Should().Be(HttpStatusCode.OK);
        afterwards.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var stored = await FacebookAsync();
        stored.ConnectionStatus.Should().Be(ConnectionStatus.Disconnected);
        stored.ProtectedCredentials.Should().BeNull();
    }
}
