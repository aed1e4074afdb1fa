using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Moderation.Api.Accounts;
using Moderation.Api.Admin;

namespace Moderation.Api.Web;

/// <summary>
/// Administrators: the messages the worker could not handle (MassTransit's <c>*_error</c> queues), with why each
/// failed, read the same way as <c>GET /api/admin/error-queues</c>. Reading requeues, so looking loses nothing; a
/// message that names a school is shown only to that school's administrators.
/// </summary>
[Authorize(Policy = AccountsSetup.AdminPolicy, AuthenticationSchemes = WebSetup.Scheme)]
public sealed class ErrorQueuesModel(StaffResolver staff, ErrorQueues queues, ILogger<ErrorQueuesModel> logger) : PageModel
{
    public const int PerQueue = 20;

    public sealed record Queue(string Name, long Messages, IReadOnlyList<FaultedMessage> Shown, int Hidden);

    public IReadOnlyList<Queue> Queues { get; private set; } = [];

    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var me = await staff.GetAsync(User, ct);
        try
        {
            var list = new List<Queue>();
            foreach (var summary in await queues.ListAsync(ct))
            {
                var messages = summary.Messages == 0 ? [] : await queues.PeekAsync(summary.Name, PerQueue, ct) ?? [];
                var mine = messages.Where(m => m.SchoolId is not { } s || me.BelongsTo(s)).ToList();
                list.Add(new Queue(summary.Name, summary.Messages, mine, messages.Count - mine.Count));
            }

            Queues = list;
        }
        catch (HttpRequestException ex)
        {
            logger.LogWarning(ex, "The error queues could not be read from RabbitMQ's management API");
            Error = $"The error queues cannot be read just now: RabbitMQ's management API did not answer ({ex.Message}). Try again shortly.";
        }
    }
}
