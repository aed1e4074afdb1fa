using MassTransit;
using Microsoft.EntityFrameworkCore;
using Moderation.Contracts;
using Moderation.Domain.Accounts;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Routing;
using Moderation.Domain.Safeguarding;
using Moderation.Domain.Safeguarding.Evidence;

namespace Moderation.Worker.Notifications;

/// <summary>
/// A safeguarding concern skips the rota: the school's DSLs and its headteacher are told at once, in the app, by
/// e-mail and on the school's webhook (DOMAIN.md "Safeguarding"). The message names the category and the platform,
/// never the words of the item, and the acknowledgement deadline; the routing stage assigns the item to the DSL and
/// does not send its owner a second message. In the same transaction the concern opens the item's safeguarding case
/// (or adds to its open one), with its evidence snapshot (ADR 0301).
/// </summary>
public sealed class SafeguardingConcernConsumer(ModerationDbContext db, Notifier notifier, CaseCommands cases, TimeProvider time) : IConsumer<SafeguardingConcernRaised>
{
    public const string Name = "safeguarding-notify";

    public async Task Consume(ConsumeContext<SafeguardingConcernRaised> context)
    {
        var ct = context.CancellationToken;
        var concern = context.Message;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, Name, context, now))
        {
            await tx.CommitAsync(ct);
            return;
        }

        var (safeguardingCase, _) = await cases.OpenAsync(new CaseOpening(
            concern.SchoolId, concern.ItemId, CaseCategories.All.Contains(concern.Category) ? concern.Category : CaseCategories.Unclassified,
            CaseCommands.FromScreening(concern.Severity), CaseSource.Screening, false,
            $"Screening: {concern.Explanation}", Domain.Audit.Actor.System(Name), EvidenceInput.None), now, ct);
        var recipients = await RecipientsAsync(db, concern.SchoolId, [Roles.Dsl, Roles.Headteacher], ct);
        var platform = await db.Items.AsNoTracking().Where(i => i.Id == concern.ItemId).Select(i => i.Platform).FirstOrDefaultAsync(ct);
        var where = platform is { } p ? $"on {p}" : "in a staff draft";
        foreach (var userId in recipients)
        {
            await notifier.NotifyAsync(db, new NotificationRequest(
                concern.SchoolId, userId, NotificationKind.SafeguardingConcern, concern.ItemId,
                $"Safeguarding concern: {Describe(concern.Category)}",
                $"Screening flagged an item {where} as {Describe(concern.Category)} ({concern.Severity.ToLowerInvariant()}): {concern.Explanation} " +
                "It is held from publication and assigned to the DSL (or, if none is available, the deputy DSL or the headteacher), " +
                $"who must acknowledge its safeguarding case in the app by {ItemRouter.Local(safeguardingCase.AckDueAt ?? now)} (London time); " +
                "otherwise it goes to the next person on the chain. " +
                "Follow the school's safeguarding procedure."),
                now, ct);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The school's members who hold any of the roles, in a stable order.</summary>
    public static Task<List<Guid>> RecipientsAsync(ModerationDbContext db, Guid schoolId, IReadOnlyCollection<string> roles, CancellationToken ct) =>
        db.Memberships.Where(m => m.SchoolId == schoolId)
            .Join(db.UserRoles, m => m.UserId, ur => ur.UserId, (m, ur) => ur)
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .Where(x => roles.Contains(x.Name!))
            .Select(x => x.UserId).Distinct().OrderBy(id => id).ToListAsync(ct);

    private static string Describe(string category) => category switch
    {
        "ChildSexualAbuse" => "child sexual abuse",
        "ThreatToLife" => "a threat to life",
        "AllegationAgainstStaff" => "an allegation against staff",
        _ => category.ToLowerInvariant(),
    };
}

public sealed class SafeguardingConcernConsumerDefinition : ConsumerDefinition<SafeguardingConcernConsumer>
{
    public SafeguardingConcernConsumerDefinition()
    {
        EndpointName = SafeguardingConcernConsumer.Name;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<SafeguardingConcernConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
}
