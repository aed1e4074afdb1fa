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
        var platforms = new HashSet<Platform>();
        if (item.Platform is { } platform)
        {
            platforms.Add(platform);
        }

        var targets = item.Targets.Select(t => t.SocialAccountId).ToList();
        if (targets.Count > 0)
        {
            platforms.UnionWith(await db.SocialAccounts.AsNoTracking().Where(a => targets.Contains(a.Id)).Select(a => a.Platform).ToListAsync(ct));
        }

        return platforms.Count == 0 ? [ConsentChannel.SocialMedia] : platforms.Select(Of).ToHashSet();
    }
}
