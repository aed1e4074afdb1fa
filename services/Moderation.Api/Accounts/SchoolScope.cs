using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Persistence;

namespace Moderation.Api.Accounts;

/// <summary>
/// The school switcher: someone who belongs to several schools (a trust's IT lead or trust moderator) chooses the
/// school they are acting for, and the pages scope to it. The choice is a cookie holding a school id, checked against
/// the person's memberships on every request, so a forged or outdated id scopes nothing.
/// </summary>
public sealed class SchoolScope(StaffResolver staff, ModerationDbContext db, IHttpContextAccessor http)
{
    public const string CookieName = "moderation.school";

    private IReadOnlyList<SchoolSummary>? _schools;

    /// <summary>The schools the signed-in person may act for, by name.</summary>
    public async Task<IReadOnlyList<SchoolSummary>> SchoolsAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (_schools is null)
        {
            var me = await staff.GetAsync(user, ct);
            _schools = await db.Schools.AsNoTracking().Where(s => me.SchoolIds.Contains(s.Id)).OrderBy(s => s.Name)
                .Select(s => new SchoolSummary(s.Id, s.Slug, s.Name)).ToListAsync(ct);
        }

        return _schools;
    }

    /// <summary>The school chosen in the switcher, if the person still belongs to it; null means all their schools.</summary>
    public async Task<SchoolSummary?> CurrentAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var raw = http.HttpContext?.Request.Cookies[CookieName];
        if (!Guid.TryParse(raw, out var id))
        {
            return null;
        }

        return (await SchoolsAsync(user, ct)).FirstOrDefault(s => s.Id == id);
    }

    /// <summary>Chooses <paramref name="schoolId"/> (null: all schools). False when the person does not belong to it.</summary>
    public async Task<bool> ChooseAsync(ClaimsPrincipal user, Guid? schoolId, HttpResponse response, CancellationToken ct)
    {
        if (schoolId is null)
        {
            response.Cookies.Delete(CookieName);
            return true;
        }

        if (!(await SchoolsAsync(user, ct)).Any(s => s.Id == schoolId))
        {
            return false;
        }

        response.Cookies.Append(CookieName, schoolId.Value.ToString(), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = response.HttpContext.Request.IsHttps,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(30),
        });
        return true;
    }
}
