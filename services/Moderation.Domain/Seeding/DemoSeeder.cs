using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Consent;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Rota;
using Moderation.Domain.Rota.Scheduling;
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

            // Saved: let go of the school's pupils and consents. Every later save (Identity saves once or more a user)
            // compares each tracked entity with its snapshot: a trust of 200 schools of 300 pupils kept 180,000 of them,
            // and had seeded 543 of its 1,212 users after nine minutes. It now seeds whole in about 100 s.
            db.ChangeTracker.Clear();
        }

        var userIds = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        foreach (var u in data.Users)
        {
            userIds[u.Email] = await UpsertUserAsync(u, data.Password, schoolIds, report, ct);
            await SeedTwoStepAsync(u.Email, data.AuthenticatorKey);
            db.ChangeTracker.Clear();
        }

        foreach (var r in data.Rotas ?? [])
        {
            await UpsertRotaAsync(r, schoolIds, userIds, ct);
        }

        foreach (var s in data.Schools)
        {
            var schoolId = schoolIds[s.Slug];
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

    /// <summary>Seeds only the rotas, for tests that empty them; the schools and users must be seeded already.</summary>
    public async Task SeedRotasAsync(SeedData data, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schoolIds = await db.Schools.AsNoTracking().ToDictionaryAsync(s => s.Slug, s => s.Id, StringComparer.Ordinal, ct);
        var userIds = await db.Users.AsNoTracking().Where(u => u.Email != null)
            .ToDictionaryAsync(u => u.Email!, u => u.Id, StringComparer.OrdinalIgnoreCase, ct);
        foreach (var r in data.Rotas ?? [])
        {
            await UpsertRotaAsync(r, schoolIds, userIds, ct);
        }
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

        // The school's roll and consents in two reads, not two for each pupil.
        var rollByMisId = await db.Pupils.Where(x => x.SchoolId == school.Id).ToDictionaryAsync(x => x.MisId, StringComparer.Ordinal, ct);
        var consentsByPupil = (await db.Consents.Where(c => db.Pupils.Any(x => x.Id == c.PupilId && x.SchoolId == school.Id)).ToListAsync(ct))
            .ToLookup(c => c.PupilId);
        foreach (var p in s.Pupils)
        {
            var pupil = rollByMisId.GetValueOrDefault(p.MisId);
            if (pupil is null)
            {
                pupil = new Pupil { Id = Guid.CreateVersion7(), SchoolId = school.Id, MisId = p.MisId, LegalForename = p.LegalForename, Surname = p.Surname, YearGroup = p.YearGroup };
                db.Pupils.Add(pupil);
                rollByMisId[p.MisId] = pupil;
                report.Pupils++;
            }

            pupil.LegalForename = p.LegalForename;
            pupil.PreferredForename = p.PreferredForename;
            pupil.Surname = p.Surname;
            pupil.YearGroup = p.YearGroup;
            var existing = consentsByPupil[pupil.Id].ToList();
            foreach (var c in p.Consents)
            {
                var consent = existing.FirstOrDefault(x => x.Channel == c.Channel && x.Source == c.Source && x.EffectiveFrom == c.EffectiveFrom);
                if (consent is null)
                {
                    consent = new ConsentRecord { Id = Guid.CreateVersion7(), PupilId = pupil.Id, Channel = c.Channel, Source = c.Source, EffectiveFrom = c.EffectiveFrom };
                    db.Consents.Add(consent);
                    existing.Add(consent);
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

    /// <summary>
    /// Turns two-step sign-in on with the demo's known key for a user who has neither two-step sign-in nor an
    /// authenticator key yet. Someone who set up their own app, or turned it off (which leaves a new key), keeps that.
    /// </summary>
    private async Task SeedTwoStepAsync(string email, string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return;
        }

        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"{email} was not seeded.");
        if (user.TwoFactorEnabled || !string.IsNullOrEmpty(await users.GetAuthenticatorKeyAsync(user)))
        {
            return;
        }

        Check(await users.SetAuthenticationTokenAsync(user, "[AspNetUserStore]", "AuthenticatorKey", key), $"{email} authenticator key");
        Check(await users.SetTwoFactorEnabledAsync(user, true), $"{email} two-step sign-in");
    }

    private async Task UpsertRotaAsync(SeedRota r, Dictionary<string, Guid> schoolIds, Dictionary<string, Guid> userIds, CancellationToken ct)
    {
        Guid School(string slug) => schoolIds.TryGetValue(slug, out var id)
            ? id
            : throw new InvalidDataException($"Rota '{r.Name}' covers unknown school '{slug}'.");
        Guid Person(string email) => userIds.TryGetValue(email, out var id)
            ? id
            : throw new InvalidDataException($"Rota '{r.Name}' names {email}, who is not among the seeded users.");

        if (r.Schools.Count == 0)
        {
            throw new InvalidDataException($"Rota '{r.Name}' covers no school.");
        }

        var covered = r.Schools.Select(School).ToList();
        var first = covered[0];
        var rota = await db.Rotas
            .Include(x => x.Schools).Include(x => x.Rotations).ThenInclude(x => x.Members)
            .Include(x => x.Rotations).ThenInclude(x => x.Restrictions)
            .Include(x => x.CoverPool).Include(x => x.TermDates).Include(x => x.Absences)
            .AsSplitQuery()
            .FirstOrDefaultAsync(x => x.Name == r.Name && x.Schools.Any(s => s.SchoolId == first), ct);
        var now = time.GetUtcNow();
        if (rota is null)
        {
            rota = new DutyRota { Id = Guid.CreateVersion7(now), Name = r.Name, CreatedAt = now, UpdatedAt = now };
            db.Rotas.Add(rota);
        }

        rota.SetSchools(covered);
        for (var i = 0; i < r.Rotations.Count; i++)
        {
            var seed = r.Rotations[i];
            var rotation = rota.Rotations.Find(x => x.Name == seed.Name);
            if (rotation is null)
            {
                rotation = new Rotation { Id = Guid.CreateVersion7(now), RotaId = rota.Id, Name = seed.Name };
                rota.Rotations.Add(rotation);
            }

            rotation.Set(
                seed.Layer, i, seed.StartsOn, seed.Handoff, seed.ShiftHours, seed.RunsInHolidays, [.. seed.Members.Select(Person)],
                (seed.Restrictions ?? []).SelectMany(w => w.Days.Select(d => new WeeklyWindow(d, w.Start, w.End))));
        }

        rota.SetCoverPool([.. (r.CoverPool ?? []).Select(Person)]);
        var terms = (r.Terms ?? []).Select(t => new DateRange(t.Name, t.FirstDay, t.LastDay)).ToList();
        var closures = (r.Closures ?? []).Select(t => new DateRange(t.Name, t.FirstDay, t.LastDay)).ToList();
        var calendar = RotaMapping.ToCalendar(rota.TermDates);
        if (!calendar.Terms.SequenceEqual(terms) || !calendar.Closures.SequenceEqual(closures))
        {
            rota.SetTermDates(terms, closures);
        }

        foreach (var a in r.Absences ?? [])
        {
            var (userId, start, end) = (Person(a.User), LondonTime.ToUtc(a.FirstDay, TimeOnly.MinValue), LondonTime.ToUtc(a.LastDay.AddDays(1), TimeOnly.MinValue));
            if (!rota.Absences.Exists(x => x.UserId == userId && x.StartsAt == start && x.EndsAt == end))
            {
                rota.Absences.Add(new RotaAbsence
                {
                    Id = Guid.CreateVersion7(now),
                    RotaId = rota.Id,
                    UserId = userId,
                    Kind = a.Kind,
                    StartsAt = start,
                    EndsAt = end,
                    CoverUserId = a.Cover is null ? null : Person(a.Cover),
                    RecordedBy = "seed",
                    RecordedAt = now,
                });
            }
        }

        var errors = RotaMapping.ToDefinition(rota).Validate().ToList();
        var people = await RotaStaff.LoadAsync(db, rota.Rotations.SelectMany(x => x.Members.Select(m => m.UserId))
            .Concat(rota.CoverPool.Select(c => c.UserId)).Concat(rota.Absences.Where(x => x.CoverUserId.HasValue).Select(x => x.CoverUserId!.Value)), ct);
        errors.AddRange(rota.Rotations.SelectMany(x => x.Members.Select(m => RotaStaff.Problem(people, m.UserId, covered, $"a member of '{x.Name}'")))
            .Concat(rota.CoverPool.Select(c => RotaStaff.Problem(people, c.UserId, covered, "the cover pool")))
            .Concat(rota.Absences.Where(x => x.CoverUserId.HasValue).Select(x => RotaStaff.Problem(people, x.CoverUserId!.Value, covered, "a cover")))
            .OfType<string>());
        if (errors.Count > 0)
        {
            throw new InvalidDataException($"Rota '{r.Name}': {string.Join(" ", errors)}");
        }

        if (db.ChangeTracker.HasChanges())
        {
            rota.UpdatedAt = now;
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
