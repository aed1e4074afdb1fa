using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;

namespace Moderation.Api.Platforms;

/// <summary>
/// The one public, unauthenticated address of a photo: an approved draft's location-stripped copy, behind a signed
/// token that expires (<see cref="IPublicMediaLinks"/>), for platforms that fetch a photo to publish it (Instagram).
/// Anything else (an altered or expired token, a photo of an item not approved for publishing) is 404.
/// </summary>
public static class PublicMediaApi
{
    public static IEndpointRouteBuilder MapPublicMediaApi(this IEndpointRouteBuilder app)
    {
        app.MapGet($"/{PublicMediaLinks.RoutePrefix}/{{token}}", GetAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetAsync(
        string token, HttpResponse response, IPublicMediaLinks links, ModerationDbContext db, CancellationToken ct)
    {
        if (!links.TryRead(token, out var mediaId))
        {
            return NotFound();
        }

        var photo = await db.ItemMedia.AsNoTracking()
            .Where(m => m.Id == mediaId)
            .Join(db.Items, m => m.ItemId, i => i.Id, (m, i) => new { m.ContentType, m.PublishableContent, i.Kind, i.State })
            .FirstOrDefaultAsync(ct);
        if (photo is not { PublishableContent: not null, Kind: ItemKind.OutboundDraft, State: ItemState.Approved or ItemState.Actioned })
        {
            return NotFound();
        }

        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.File(photo.PublishableContent, photo.ContentType);
    }

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem("No photo is published at this address, or the address has expired.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
