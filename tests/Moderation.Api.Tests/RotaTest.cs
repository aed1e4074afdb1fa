using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Moderation.Api.Rota;
using Moderation.Domain.Rota.Scheduling;

namespace Moderation.Api.Tests;

/// <summary>
/// Rotas built through the API. The week used most is Monday 2 to Sunday 8 November 2026 (GMT, so London time and UTC
/// agree), in the autumn term, with Friday 6 November an INSET day.
/// </summary>
public abstract class RotaTest(ApiFixture fixture) : ApiTest(fixture)
{
    protected const string TrustAdmin = "admin@riverside.example";
    protected const string Amy = "moderator@fleming.example";
    protected const string Tom = "moderator2@fleming.example";
    protected const string Ben = "moderator@stmarys.example";
    protected const string Nadia = "moderator@riverside.example";
    protected const string Owen = "moderator2@riverside.example";
    protected const string FlemingHead = "head@fleming.example";
    protected const string FlemingDsl = "dsl@fleming.example";
    protected const string StMarysAdmin = "webadmin@stmarys.example";

    protected static readonly string[] s_weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

    protected Guid Fleming => Fixture.Schools["fleming-primary"];
    protected Guid StMarys => Fixture.Schools["st-marys-ce"];

    protected Task<Guid> IdAsync(string email) => Fixture.UserIdAsync(email);

    /// <summary>The instant London's clocks show this local time.</summary>
    protected static DateTimeOffset London(int year, int month, int day, int hour = 0, int minute = 0) =>
        LondonTime.ToUtc(new DateTime(year, month, day, hour, minute, 0));

    protected static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>Daily turns from Monday 2 November 2026 at 08:00, in school hours on weekdays, term time only.</summary>
    protected static object SchoolHours(string name, params Guid[] members) => new
    {
        name,
        layer = 1,
        members,
        startsOn = "2026-11-02",
        handoffTime = "08:00",
        shiftHours = 24,
        restrictions = new[] { new { days = s_weekdays, start = "08:00", end = "18:00" } },
        runsInHolidays = false,
    };

    protected static readonly object[] s_autumnTerm = [new { name = "Autumn term 2026", firstDay = "2026-09-02", lastDay = "2026-12-18" }];
    protected static readonly object[] s_insetFriday = [new { name = "INSET day", firstDay = "2026-11-06", lastDay = "2026-11-06" }];

    /// <summary>Fleming's own rota: Amy and Tom take school-hours days in turn; the headteacher is the cover pool.</summary>
    protected async Task<object> FlemingRotaAsync(string name = "Fleming moderators") => new
    {
        name,
        schoolIds = new[] { Fleming },
        rotations = new[] { SchoolHours("Weekday", await IdAsync(Amy), await IdAsync(Tom)) },
        coverPool = new[] { await IdAsync(FlemingHead) },
        terms = s_autumnTerm,
        closures = s_insetFriday,
    };

    /// <summary>The trust's rota for both schools: Nadia and Owen take school-hours days in turn.</summary>
    protected async Task<object> TrustRotaAsync() => new
    {
        name = "Riverside weekday rota",
        schoolIds = new[] { Fleming, StMarys },
        rotations = new[] { SchoolHours("Trust school hours", await IdAsync(Nadia), await IdAsync(Owen)) },
        coverPool = new[] { await IdAsync(TrustAdmin) },
        terms = s_autumnTerm,
        closures = s_insetFriday,
    };

    protected async Task<RotaDto> CreateAsync(object body, string email = TrustAdmin)
    {
        using var client = await Fixture.As(email);
        using var response = await client.PostAsJsonAsync("/api/rotas", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await ReadAsync<RotaDto>(response);
    }

    protected async Task<ScheduleDto> ScheduleAsync(Guid rotaId, string from, string to, string email = Amy)
    {
        using var client = await Fixture.As(email);
        using var response = await client.GetAsync($"/api/rotas/{rotaId}/schedule?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await ReadAsync<ScheduleDto>(response);
    }

    protected async Task<AbsenceDto> RecordAbsenceAsync(Guid rotaId, object body, string email = FlemingHead)
    {
        using var client = await Fixture.As(email);
        using var response = await client.PostAsJsonAsync($"/api/rotas/{rotaId}/absences", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await ReadAsync<AbsenceDto>(response);
    }

    /// <summary>Rows that any rota request could write: rotas, their parts, absences, overrides and audit entries.</summary>
    protected async Task<(int Rotas, int Rotations, int Members, int Absences, int Overrides, int Audit)> CountsAsync()
    {
        await using var db = Fixture.Db();
        return (await db.Rotas.CountAsync(), await db.Rotations.CountAsync(), await db.RotationMembers.CountAsync(),
            await db.RotaAbsences.CountAsync(), await db.DutyOverrides.CountAsync(), await db.AuditEntries.CountAsync());
    }

    protected static async Task<List<string>> ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
        return problem.TryGetProperty("errors", out var errors)
            ? [.. errors.EnumerateArray().Select(e => e.GetString()!)]
            : [problem.GetProperty("detail").GetString()!];
    }

    /// <summary>A shift as (who, start, end, source, covering for) for readable assertions.</summary>
    protected static (string Who, DateTimeOffset Start, DateTimeOffset End, string Source, string? CoveringFor) Brief(ShiftDto s) =>
        (s.Person.DisplayName, s.StartUtc, s.EndUtc, s.Source, s.CoveringFor?.DisplayName);
}
