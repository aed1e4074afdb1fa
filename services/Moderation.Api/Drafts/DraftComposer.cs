using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Schools;
using Moderation.Domain.Screening;

namespace Moderation.Api.Drafts;

/// <summary>One of the school's accounts an author may publish to, and what it can take through its API.</summary>
public sealed record DraftAccount(Guid Id, Guid SchoolId, string SchoolName, Platform Platform, string Handle, bool TakesText, bool TakesPhotos, bool Connected);

/// <summary>A draft as its author follows it: where it has got to, in words, and where it was published.</summary>
public sealed record DraftRow(
    Guid Id,
    Guid SchoolId,
    ItemState State,
    DraftStatus Status,
    string Excerpt,
    int PhotoCount,
    DateTimeOffset SubmittedAt,
    DateTimeOffset? DecidedAt,
    RejectionReason? RejectionReason,
    string? DecisionNote,
    string? PlatformOutcome,
    IReadOnlyList<string> PublishedUrls,
    IReadOnlyList<string> Waiting);

/// <summary>The screening preview of a draft, or why it could not be screened.</summary>
public sealed record DraftCheck(PreviewResult? Preview, IReadOnlyList<string> Errors)
{
    /// <summary>Why the draft may not be submitted as it is (a photo blocked by consent), or null.</summary>
    public string? Blocked => Preview?.Photos.Where(p => p.Verdict == "blocked").Select(p => p.FileName).ToList() is { Count: > 0 } blocked
        ? $"{string.Join(", ", blocked.Select(b => $"\"{b}\""))} cannot be published: someone in {(blocked.Count == 1 ? "it" : "them")} has no consent for where this post is going. Remove the photo, or choose other accounts."
        : null;
}

/// <summary>
/// What the drafts pages do, on the same domain code as the drafts and preview APIs: the author's accounts and
/// drafts, the screening preview for the chosen accounts' channels (<see cref="ScreeningPreview"/>), and submission
/// through <see cref="ItemIntake"/>. Submission from the pages is refused while a photo is blocked by consent.
/// </summary>
public sealed class DraftComposer(ModerationDbContext db, ScreeningPreview preview, ItemIntake intake, PlatformConnectors connectors)
{
    public async Task<IReadOnlyList<DraftAccount>> AccountsAsync(StaffMember me, CancellationToken ct)
    {
        var rows = await db.SocialAccounts.AsNoTracking()
            .Where(a => me.SchoolIds.Contains(a.SchoolId))
            .Join(db.Schools, a => a.SchoolId, s => s.Id, (a, s) => new { a.Id, a.SchoolId, SchoolName = s.Name, a.Platform, a.Handle, a.ConnectionStatus })
            .OrderBy(a => a.SchoolName).ThenBy(a => a.Platform).ThenBy(a => a.Handle)
            .ToListAsync(ct);
        return [.. rows.Select(a =>
        {
            var capabilities = connectors.CapabilitiesOf(a.Platform);
            return new DraftAccount(a.Id, a.SchoolId, a.SchoolName, a.Platform, a.Handle,
                capabilities.Supports(PlatformAction.Publish, ownPost: true, photos: false),
                capabilities.Supports(PlatformAction.Publish, ownPost: true, photos: true),
                a.ConnectionStatus == ConnectionStatus.Connected);
        })];
    }

    /// <summary>Screens the draft for the consent channels of the accounts it is for; stores nothing.</summary>
    public async Task<DraftCheck> CheckAsync(StaffMember me, Guid schoolId, string? text, IReadOnlyCollection<Guid> accountIds, IReadOnlyList<PhotoUpload> photos, CancellationToken ct)
    {
        if (!me.BelongsTo(schoolId))
        {
            return new DraftCheck(null, ["No such school among yours."]);
        }

        var inputs = photos.Select(p => new PhotoInput(Guid.NewGuid(), p.FileName, p.Content)).ToList();
        var platforms = await db.SocialAccounts.AsNoTracking()
            .Where(a => a.SchoolId == schoolId && accountIds.Contains(a.Id))
            .Select(a => a.Platform)
            .ToListAsync(ct);
        var channels = platforms.Select(ItemChannels.Of).Distinct().Select(c => c.ToString()).ToList();
        var errors = ScreeningPreview.Validate(text, inputs, channels, out var parsed).ToList();
        if (accountIds.Count == 0)
        {
            errors.Add("Choose at least one of the school's accounts to publish to.");
        }
        else if (platforms.Count < accountIds.Count)
        {
            errors.Add("Choose accounts of the school the draft is for.");
        }

        if (errors.Count > 0)
        {
            return new DraftCheck(null, errors);
        }

        var result = await preview.RunAsync(db, schoolId, text, inputs, parsed, ct);
        return result is null ? new DraftCheck(null, ["No such school among yours."]) : new DraftCheck(result, []);
    }

    /// <summary>Screens the draft again and, unless a photo is blocked, submits it for approval.</summary>
    public async Task<(Outcome? Outcome, DraftCheck Check)> SubmitAsync(
        StaffMember me, Guid schoolId, string? text, IReadOnlyCollection<Guid> accountIds, IReadOnlyList<PhotoUpload> photos, CancellationToken ct)
    {
        var check = await CheckAsync(me, schoolId, text, accountIds, photos, ct);
        if (check.Preview is null || check.Blocked is not null)
        {
            return (null, check);
        }

        return (await intake.SubmitDraftAsync(me, schoolId, text ?? "", accountIds, photos, ct), check);
    }

    /// <summary>
    /// One of the caller's own drafts to start a new one from: its text as they wrote it (it is theirs) and its
    /// accounts. Null for anyone else's.
    /// </summary>
    public async Task<(Guid SchoolId, string Text, IReadOnlyList<Guid> Accounts)?> EarlierAsync(StaffMember me, Guid id, CancellationToken ct)
    {
        var item = await db.Items.AsNoTracking().Include(i => i.Targets)
            .FirstOrDefaultAsync(i => i.Id == id && i.Kind == ItemKind.OutboundDraft && i.DraftAuthorId == me.UserId && me.SchoolIds.Contains(i.SchoolId), ct);
        return item is null ? null : (item.SchoolId, item.Text, [.. item.Targets.Select(t => t.SocialAccountId)]);
    }

    /// <summary>The caller's own drafts, newest first, in their schools.</summary>
    public async Task<IReadOnlyList<DraftRow>> MineAsync(StaffMember me, Guid? only, CancellationToken ct)
    {
        var items = await db.Items.AsNoTracking()
            .Where(i => i.Kind == ItemKind.OutboundDraft && i.DraftAuthorId == me.UserId && me.SchoolIds.Contains(i.SchoolId))
            .Where(i => only == null || i.Id == only)
            .OrderByDescending(i => i.ReceivedAt).ThenByDescending(i => i.Id)
            .Select(i => new
            {
                i.Id, i.SchoolId, i.State, i.Text, Photos = i.Media.Count, i.ReceivedAt, i.DecidedAt, i.RejectionReason, i.DecisionNote,
                i.PlatformOutcome,
            })
            .ToListAsync(ct);
        var ids = items.Select(i => i.Id).ToList();
        var actions = await db.PlatformActions.AsNoTracking()
            .Where(a => ids.Contains(a.ItemId) && a.Purpose == ActionPurpose.Decision)
            .Select(a => new { a.ItemId, a.Status, a.ResultUrl, a.LastError })
            .ToListAsync(ct);
        return [.. items.Select(i =>
        {
            var mine = actions.Where(a => a.ItemId == i.Id).ToList();
            return new DraftRow(
                i.Id, i.SchoolId, i.State,
                DraftStatuses.Of(i.State, i.RejectionReason, mine.Count, mine.Count(a => a.Status == ActionStatus.Done)),
                i.Text.Length > 140 ? i.Text[..140] + "…" : i.Text,
                i.Photos, i.ReceivedAt, i.DecidedAt, i.RejectionReason, i.DecisionNote, i.PlatformOutcome,
                [.. mine.Where(a => a.ResultUrl is not null).Select(a => a.ResultUrl!)],
                [.. mine.Where(a => a.Status != ActionStatus.Done && a.LastError is not null).Select(a => a.LastError!)]);
        })];
    }
}

/// <summary>Where a draft has got to, as its author would say it.</summary>
public enum DraftStatus
{
    /// <summary>Submitted; screening has not finished.</summary>
    Submitted,
    InReview,
    /// <summary>Approved; publishing on the platforms is waiting or under way.</summary>
    Approved,
    Published,
    /// <summary>Rejected for something the author can put right (a name, a photo, a fact) and submit again.</summary>
    NeedsChanges,
    Rejected,
}

public static class DraftStatuses
{
    /// <summary>Reasons an author can put right by editing the post and submitting it again.</summary>
    public static readonly IReadOnlySet<RejectionReason> Fixable = new HashSet<RejectionReason>
    {
        RejectionReason.PersonalData, RejectionReason.PupilIdentifiable, RejectionReason.NoPhotoConsent, RejectionReason.Inaccurate,
    };

    /// <summary>A draft's status from its state, its rejection reason, and its publishing actions (all, and those done).</summary>
    public static DraftStatus Of(ItemState state, RejectionReason? reason, int publishActions, int publishedActions) => state switch
    {
        ItemState.Received or ItemState.Screening => DraftStatus.Submitted,
        ItemState.AwaitingReview or ItemState.Escalated => DraftStatus.InReview,
        ItemState.Rejected => reason is { } r && Fixable.Contains(r) ? DraftStatus.NeedsChanges : DraftStatus.Rejected,
        ItemState.Actioned when reason is not null => reason is { } r && Fixable.Contains(r) ? DraftStatus.NeedsChanges : DraftStatus.Rejected,
        ItemState.Actioned or ItemState.Approved when publishActions > 0 && publishedActions == publishActions => DraftStatus.Published,
        _ => DraftStatus.Approved,
    };

    public static string Label(this DraftStatus status) => status switch
    {
        DraftStatus.Submitted => "Submitted: being screened",
        DraftStatus.InReview => "In review",
        DraftStatus.Approved => "Approved: publishing",
        DraftStatus.Published => "Published",
        DraftStatus.NeedsChanges => "Needs changes",
        _ => "Rejected",
    };
}
