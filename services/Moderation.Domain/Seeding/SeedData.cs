using Moderation.Domain.Consent;
using Moderation.Domain.Items;
using Moderation.Domain.Rota.Scheduling;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Seeding;

/// <summary>The shape of seeds/*.json.</summary>
/// <param name="AuthenticatorKey">
/// The demo's shared TOTP key (base32): each demo user is seeded with two-step sign-in on and this key, so the demo
/// can be signed in to with any authenticator app (ADR 0505). Never set in a real installation's seed.
/// </param>
public sealed record SeedData(string Password, List<SeedSchool> Schools, List<SeedUser> Users, List<SeedRota>? Rotas = null, string? AuthenticatorKey = null);

public sealed record SeedSchool(
    string Slug,
    string Name,
    string? Trust,
    NamePolicy NamePolicy,
    ConsentModel ConsentModel,
    List<SeedAccount> Accounts,
    List<SeedPupil> Pupils,
    List<SeedItem> Items);

public sealed record SeedAccount(Platform Platform, string Handle, string ExternalId, bool PreModerated = true);

public sealed record SeedPupil(string MisId, string LegalForename, string? PreferredForename, string Surname, string YearGroup, List<SeedConsent> Consents);

public sealed record SeedConsent(
    ConsentChannel Channel,
    ConsentStatus Status,
    string? Restriction,
    bool NeverPublish,
    DateOnly EffectiveFrom,
    DateOnly? ExpiresOn,
    string Source);

/// <summary>A rota for the schools named by slug; people are named by e-mail. Matched on its name and first school.</summary>
public sealed record SeedRota(
    string Name,
    List<string> Schools,
    List<SeedRotation> Rotations,
    List<string>? CoverPool = null,
    List<SeedDates>? Terms = null,
    List<SeedDates>? Closures = null,
    List<SeedAbsence>? Absences = null);

public sealed record SeedRotation(
    string Name,
    int Layer,
    DateOnly StartsOn,
    TimeOnly Handoff,
    int ShiftHours,
    bool RunsInHolidays,
    List<string> Members,
    List<SeedWindow>? Restrictions = null);

/// <summary>The same local window on each of <paramref name="Days"/>.</summary>
public sealed record SeedWindow(List<DayOfWeek> Days, TimeOnly Start, TimeOnly End);

public sealed record SeedDates(string Name, DateOnly FirstDay, DateOnly LastDay);

/// <summary>Whole local days, <paramref name="FirstDay"/> to <paramref name="LastDay"/> included.</summary>
public sealed record SeedAbsence(string User, AbsenceKind Kind, DateOnly FirstDay, DateOnly LastDay, string? Cover);

public sealed record SeedItem(string Account, ItemKind Kind, string PlatformItemId, string AuthorName, string AuthorPlatformId, string Text);

public sealed record SeedUser(string Email, string DisplayName, List<string> Roles, List<string> Schools);
