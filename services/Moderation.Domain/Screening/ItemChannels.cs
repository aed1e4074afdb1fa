using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Consent;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Schools;

namespace Moderation.Domain.Screening;

/// <summary>The consent channels an item would be published on, and the calendar its consent dates are read in.</summary>
public static class ItemChannels
{
    /// <summary>Consent dates are school days: they are read in UK time.</summary>
    public static TimeZoneInfo SchoolTimeZone { get; } = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The blog is the school website; every other platform is social media.</summary>
    public static ConsentChannel Of(Platform platform) => platform == Platform.Blog ? ConsentChannel.Website : ConsentChannel.SocialMedia;

    /// <summary>Today's date at the school.</summary>
    public static DateOnly Today(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), SchoolTimeZone).DateTime);
    }

    /// <summary>
    /// A draft goes to each account it targets; a comment or visitor post is on the platform it came from. An item
    /// with neither is judged as social media, the channel parents most often object to.
    /// </summary>
    public static async Task<IReadOnlyCollection<ConsentChannel>> ForAsync(ModerationDbContext db, ModerationItem item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(item);
        var targets = item.Targets.Select(t => t.SocialAccountId).ToList();
        var targetPlatforms = targets.Count == 0
            ? []
            : await db.SocialAccounts.AsNoTracking().Where(a => targets.Contains(a.Id)).Select(a => a.Platform).ToListAsync(ct);
        return Of(item.Platform, targetPlatforms);
    }

    /// <summary>
    /// <see cref="ForAsync"/> for a caller that knows the platform an item is on (if any) and those of the accounts it
    /// targets: a draft being submitted, whose accounts are read already.
    /// </summary>
    public static IReadOnlyCollection<ConsentChannel> Of(Platform? platform, IEnumerable<Platform> targetPlatforms)
    {
        var platforms = targetPlatforms.ToHashSet();
        if (platform is { } own)
        {
            platforms.Add(own);
        }

        return platforms.Count == 0 ? [ConsentChannel.SocialMedia] : platforms.Select(Of).ToHashSet();
    }
}
