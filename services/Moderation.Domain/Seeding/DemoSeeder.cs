using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Consent;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Seeding;

/// <summary>Loads seeds/*.json. Everything is matched on natural keys, so seeding twice changes nothing.</summary>
public sealed class DemoSeeder(
    ModerationDbContext db,
    UserManager<AppUser> users,
    RoleManager<IdentityRole<Guid>> roles,
    ItemIntake intake,
    TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static SeedData Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<SeedData>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: {ex.Message}", ex);
        }
    }

    public async Task<SeedReport> SeedAsync(SeedData data, CancellationToken ct)
    {
        var report = new SeedReport();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole<Guid>(role) { Id = Guid.CreateVersion7() }), $"role {role}");
            }
        }

        var schoolIds = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var s in data.Schools)
        {
            schoolIds[s.Slug] = await UpsertSchoolAsync(s, report, ct);
        }

        var userIds = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        foreach (var u in data.Users)
        {
            userIds[u.Email] = await UpsertUserAsync(u, data.Password, schoolIds, report, ct);
        }

        foreach (var s in data.Schools)
        {
            var schoolId = schoolIds[s.Slug];
            if (s.Rota is not null)
            {
                await UpsertRotaAsync(schoolId, s.Rota, userIds, ct);
            }

            foreach (var item in s.Items)
            {
                var account = await db.SocialAccounts.AsNoTracking()
                    .FirstOrDefaultAsync(a => a.SchoolId == schoolId && a.Handle == item.Account, ct)
                    ?? throw new InvalidDataException($"Item {item.PlatformItemId} names account '{item.Account}', which {s.Slug} does not have.");
                var (_, created) = await intake.IngestAsync(
                    new InboundItem(account.Id, item.Kind, item.PlatformItemId, item.AuthorName, item.AuthorPlatformId, item.Text, null), ct);
                if (created)
                {
                    report.Items++;
                }
            }
        }

        return report;
    }

    private async Task<Guid> UpsertSchoolAsync(SeedSchool s, SeedReport report, CancellationToken ct)
    {
        var school = await db.Schools.FirstOrDefaultAsync(x => x.Slug == s.Slug, ct);
        if (school is null)
        {
            school = new School { Id = Guid.CreateVersion7(), Slug = s.Slug, Name = s.Name, CreatedAt = time.GetUtcNow() };
            db.Schools.Add(school);
            report.Schools++;
        }

        school.Name = s.Name;
        school.TrustName = s.Trust;
        school.NamePolicy = s.NamePolicy;
        school.ConsentModel = s.ConsentModel;

        foreach (var a in s.Accounts)
        {
            var account = await db.SocialAccounts.FirstOrDefaultAsync(x => x.Platform == a.Platform && x.ExternalId == a.ExternalId, ct);
            if (account is null)
            {
                db.SocialAccounts.Add(new SocialAccount
                {
                    Id = Guid.CreateVersion7(),
                    SchoolId = school.Id,
                    Platform = a.Platform,
                    Handle = a.Handle,
                    ExternalId = a.ExternalId,
                    PreModerated = a.PreModerated,
                });
            }
            else if (account.SchoolId != school.Id)
            {
                throw new InvalidDataException($"{a.Platform} account {a.ExternalId} already belongs to another school.");
            }
        }

        foreach (var p in s.Pupils)
        {
            var pupil = await db.Pupils.FirstOrDefaultAsync(x => x.SchoolId == school.Id && x.MisId == p.MisId, ct);
            if (pupil is null)
            {
                pupil = new Pupil { Id = Guid.CreateVersion7(), SchoolId = school.Id, MisId = p.MisId, LegalForename = p.LegalForename, Surname = p.Surname, YearGroup = p.YearGroup };
                db.Pupils.Add(pupil);
                report.Pupils++;
            }

            pupil.LegalForename = p.LegalForename;
            pupil.PreferredForename = p.PreferredForename;
            pupil.Surname = p.Surname;
            pupil.YearGroup = p.YearGroup;
            var existing = await db.Consents.Where(c => c.PupilId == pupil.Id).ToListAsync(ct);
            foreach (var c in p.Consents)
            {
                var consent = existing.FirstOrDefault(x => x.Channel == c.Channel && x.Source == c.Source && x.EffectiveFrom == c.EffectiveFrom);
                if (consent is null)
                {
                    consent = new ConsentRecord { Id = Guid.CreateVersion7(), PupilId = pupil.Id, Channel = c.Channel, Source = c.Source, EffectiveFrom = c.EffectiveFrom };
                    db.Consents.Add(consent);
                }

                consent.Status = c.Status;
                consent.Restriction = c.Restriction;
                consent.NeverPublish = c.NeverPublish;
                consent.ExpiresOn = c.ExpiresOn;
            }
        }

        await db.SaveChangesAsync(ct);
        return school.Id;
    }

    private async Task<Guid> UpsertUserAsync(SeedUser u, string password, Dictionary<string, Guid> schoolIds, SeedReport report, CancellationToken ct)
    {
        var unknownRoles = u.Roles.Except(Roles.All).ToList();
        if (unknownRoles.Count > 0)
        {
            throw new InvalidDataException($"{u.Email}: unknown role(s) {string.Join(", ", unknownRoles)}; roles are {string.Join(", ", Roles.All)}.");
        }

        var user = await users.FindByEmailAsync(u.Email);
        if (user is null)
        {
            user = new AppUser { Id = Guid.CreateVersion7(), UserName = u.Email, Email = u.Email, EmailConfirmed = true, DisplayName = u.DisplayName, LockoutEnabled = true };
            Check(await users.CreateAsync(user, password), u.Email);
            report.Users++;
        }

        foreach (var role in u.Roles)
        {
            if (!await users.IsInRoleAsync(user, role))
            {
                Check(await users.AddToRoleAsync(user, role), $"{u.Email} role {role}");
            }
        }

        foreach (var slug in u.Schools)
        {
            if (!schoolIds.TryGetValue(slug, out var schoolId))
            {
                throw new InvalidDataException($"{u.Email} belongs to unknown school '{slug}'.");
            }

            if (!await db.Memberships.AnyAsync(m => m.UserId == user.Id && m.SchoolId == schoolId, ct))
            {
                db.Memberships.Add(new SchoolMembership { UserId = user.Id, SchoolId = schoolId });
            }
        }

        await db.SaveChangesAsync(ct);
        return user.Id;
    }

    private async Task UpsertRotaAsync(Guid schoolId, SeedRotation r, Dictionary<string, Guid> userIds, CancellationToken ct)
    {
        var rotation = await db.Rotations.Include(x => x.Members).FirstOrDefaultAsync(x => x.SchoolId == schoolId && x.Name == r.Name, ct);
        if (rotation is null)
        {
            rotation = new Rotation { Id = Guid.CreateVersion7(), SchoolId = schoolId, Name = r.Name };
            db.Rotations.Add(rotation);
        }

        rotation.StartsOn = r.StartsOn;
        rotation.HandoffTime = r.Handoff;
        rotation.ShiftDays = r.ShiftDays;
        for (var i = 0; i < r.Members.Count; i++)
        {
            if (!userIds.TryGetValue(r.Members[i], out var userId))
            {
                throw new InvalidDataException($"Rota '{r.Name}' names {r.Members[i]}, who is not among the seeded users.");
            }

            var member = rotation.Members.FirstOrDefault(m => m.UserId == userId);
            if (member is null)
            {
                rotation.Members.Add(new RotationMember { RotationId = rotation.Id, UserId = userId, Order = i });
            }
            else
            {
                member.Order = i;
            }
        }

        await db.SaveChangesAsync(ct);
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidDataException($"{what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}

public sealed class SeedReport
{
    public int Schools { get; set; }
    public int Users { get; set; }
    public int Pupils { get; set; }
    public int Items { get; set; }

    public override string ToString() => $"{Schools} new school(s), {Users} new user(s), {Pupils} new pupil(s), {Items} new item(s)";
}
