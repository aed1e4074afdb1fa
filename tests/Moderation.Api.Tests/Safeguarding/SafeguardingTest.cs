using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Safeguarding;
using Moderation.Domain.Safeguarding;
using Moderation.Testing;

namespace Moderation.Api.Tests.Safeguarding;

/// <summary>Helpers for the safeguarding API tests: Fleming Primary's people, opening cases, and waiting for the worker.</summary>
public abstract class SafeguardingTest(ApiFixture fixture) : ApiTest(fixture)
{
    protected const string Grooming = "hey, this is our little secret ok? meet me at the park after school";
    protected const string Dsl = "dsl@fleming.example";
    protected const string Deputy = "deputydsl@fleming.example";
    protected const string Head = "head@fleming.example";
    protected const string Chair = "chair@fleming.example";
    protected const string Moderator = "moderator@fleming.example";
    protected const string Admin = "admin@riverside.example";
    protected const string Author = "author@fleming.example";

    /// <summary>Every role at Fleming, and St Mary's DSL (another school).</summary>
    public static readonly string[] Everyone = [Dsl, Deputy, Head, Chair, Moderator, Admin, Author, "dsl@stmarys.example"];

    protected Guid Fleming => Fixture.Schools["fleming-primary"];

    /// <summary>
    /// Opens a case through the API. A case about an item in review escalates the item, and the worker then routes it:
    /// that is waited for, so the worker is not still writing when the next test empties the tables.
    /// </summary>
    protected async Task<CaseDto> RaiseAsync(string email, object body, Guid? school = null)
    {
        using var client = await Fixture.As(email);
        using var response = await client.PostAsJsonAsync($"/api/schools/{school ?? Fleming}/safeguarding/cases", body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Raising a case failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        var raised = (await response.Content.ReadFromJsonAsync<CaseDto>(ApiFixture.Json))!;
        await WaitForEscalationsRoutedAsync();
        return raised;
    }

    /// <summary>Waits until the worker has routed every escalation sent so far.</summary>
    protected Task WaitForEscalationsRoutedAsync() =>
        Eventually.WaitForAsync(
            async () =>
            {
                await using var db = Fixture.Db();
                var sent = await db.Outbox.CountAsync(m => m.Type.Contains(nameof(Contracts.ItemEscalated)));
                return sent == await db.Inbox.CountAsync(m => m.Consumer == "routing-escalated");
            },
            routed => routed,
            "every escalation to be routed");

    protected Task<CaseDto> RaiseAboutItemAsync(Guid itemId, string category = CaseCategories.Bullying, string email = Dsl, bool aboutHeadteacher = false) =>
        RaiseAsync(email, new { itemId, category, severity = "High", summary = "Year 6 pupil named and mocked", aboutHeadteacher });

    /// <summary>Waits until the worker has opened the item's case.</summary>
    protected async Task<SafeguardingCase> WaitForCaseAsync(Guid itemId) =>
        (await Eventually.WaitForAsync(
            async () =>
            {
                await using var db = Fixture.Db();
                return await db.SafeguardingCases.AsNoTracking().FirstOrDefaultAsync(c => c.ItemId == itemId);
            },
            c => c is not null,
            $"a case for item {itemId}"))!;

    protected async Task<Guid> UserIdAsync(string email) => await Fixture.UserIdAsync(email);

    protected static async Task<Dictionary<string, string[]>> ErrorsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    protected async Task<int> RowCountAsync(string table)
    {
        await using var db = Fixture.Db();
        var sql = "SELECT count(*)::int AS \"Value\" FROM " + table; // table names are the tests' own constants
        return await db.Database.SqlQueryRaw<int>(sql).SingleAsync();
    }
}
