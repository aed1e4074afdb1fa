using Moderation.Domain.Consent;
using Moderation.Domain.Items;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Seeding;

/// <summary>The shape of seeds/*.json.</summary>
public sealed record SeedData(string Password, List<SeedSchool> Schools, List<SeedUser> Users);

public sealed record SeedSchool(
    string Slug,
    string Name,
    string? Trust,
    NamePolicy NamePolicy,
    ConsentModel ConsentModel,
    List<SeedAccount> Accounts,
    List<SeedPupil> Pupils,
    SeedRotation? Rota,
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

public sealed record SeedRotation(string Name, DateOnly StartsOn, TimeOnly Handoff, int ShiftDays, List<string> Members);

public sealed record SeedItem(string Account, ItemKind Kind, string PlatformItemId, string AuthorName, string AuthorPlatformId, string Text);

public sealed record SeedUser(string Email, string DisplayName, List<string> Roles, List<string> Schools);
