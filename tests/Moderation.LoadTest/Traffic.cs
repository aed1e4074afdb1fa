using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Moderation.Domain.Platforms.Meta;
using Moderation.Testing;

namespace Moderation.LoadTest;

/// <summary>What a school of the load trust needs for the API half of the traffic: ids and the author's bearer token.</summary>
public sealed record SchoolTarget(LoadSchool School, Guid SchoolId, Guid FacebookAccountId, string AuthorToken);

public enum ItemMix
{
    /// <summary>A Facebook comment of ordinary school news, through Meta's webhook.</summary>
    TextOnly,

    /// <summary>A Facebook comment with personal data, a threat or grooming, through the webhook.</summary>
    Risky,

    /// <summary>A Facebook comment naming pupils of the school's roster, through the webhook.</summary>
    PupilNames,

    /// <summary>An Instagram comment through the webhook.</summary>
    Instagram,

    /// <summary>A staff draft with a photo tagged with pupils (exiftool), through the REST API.</summary>
    DraftWithTaggedPhoto,
}

/// <param name="Started">Items started (each webhook comment and each draft is one item, however many share a request).</param>
/// <param name="Accepted">Items in requests the API answered with a 2xx.</param>
/// <param name="Refused">Items in refused or failed requests, by reason.</param>
/// <param name="WebhookRequests">Webhook POSTs sent (with a batch of N, about N comments each).</param>
/// <param name="DraftRequests">Draft POSTs sent (one item each).</param>
/// <param name="RequestMilliseconds">Each request's time, whatever it carried.</param>
public sealed record TrafficResult(
    long Started, long Accepted, IReadOnlyDictionary<string, long> Refused, IReadOnlyDictionary<ItemMix, long> AcceptedByKind,
    TimeSpan Elapsed, double MaxLagSeconds, double[] RequestMilliseconds, long WebhookRequests, long DraftRequests);

/// <summary>
/// Sends the mix at a set rate (open loop: each item is due at i / rate seconds, whatever earlier answers took), or as
/// fast as the API answers (closed loop with <see cref="LoadOptions.Connections"/> requests in flight).
/// <para>
/// With a webhook batch of N above 1, a webhook comment is held once it is due until N comments of the same Meta
/// object (<c>page</c> or <c>instagram</c>) are waiting, and the N go in one signed POST, one entry per account with
/// that account's comments as its changes, as Meta delivers a busy post's comments. What is still held when sending
/// ends goes in a last, smaller POST per object. Drafts are one request each.
/// </para>
/// </summary>
public sealed class Traffic(
    HttpClient http, IReadOnlyList<SchoolTarget> schools, string appSecret, string runTag, double hotShare, int webhookBatch = 1, IReadOnlyList<int>? mix = null)
{
    /// <summary>The kinds of the mix, in the order <see cref="LoadOptions.Mix"/> weighs them.</summary>
    public static readonly IReadOnlyList<ItemMix> Kinds = [ItemMix.TextOnly, ItemMix.Risky, ItemMix.PupilNames, ItemMix.Instagram, ItemMix.DraftWithTaggedPhoto];

    /// <summary>The realistic mix: weights out of 100, in <see cref="Kinds"/> order.</summary>
    public static readonly IReadOnlyList<int> DefaultMix = [40, 15, 20, 10, 15];

    private readonly (ItemMix Kind, int Weight)[] _mix = [.. Kinds.Zip(mix ?? DefaultMix)];

    private static readonly string[] s_plain =
    [
        "Lovely photos from sports day, well done Year 4!",
        "Will the car park be open for the Christmas fair?",
        "Thank you to the PTA for the bake sale, the cakes were amazing.",
        "What time does the nativity start on Thursday?",
        "Brilliant to see the choir at the town hall last night.",
        "Is the school open on Monday after the storm?",
        "Great trip to the science museum, the children loved it.",
        "Please can we have the dates for the spring term clubs?",
    ];

    private static readonly string[] s_risky =
    [
        "Ring me on 07700 900123 about the lost coat, or email lost.coat@example.com",
        "That teacher should be sacked, I know where he lives and I'll sort him out",
        "hey cutie send me a pic, our little secret, don't tell your mum ok",
        "Click here for free tablets for every pupil http://bit.ly/free-tabs",
        "He is always so sad in class, I think someone at home hurts him",
    ];

    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ItemMix, long> _acceptedByKind = new();
    private readonly ConcurrentQueue<double> _requestMs = new();
    private byte[][] _photos = [];
    private long _accepted;
    private long _webhookRequests;
    private long _draftRequests;

    /// <summary>One item of the mix: its number (which seeds its randomness), school and kind.</summary>
    private sealed record Planned(long N, SchoolTarget School, ItemMix Kind, Random Random);

    /// <summary>Tags the draft photos once with exiftool: pupils with consent, a pupil whose parents objected, and one with location.</summary>
    public void PreparePhotos()
    {
        try
        {
            _photos =
            [
                ExifTool.Tag(ExifTool.BaseJpeg, "-XMP-iptcExt:PersonInImage=Olivia Smith"),
                ExifTool.Tag(ExifTool.BaseJpeg, "-XMP-iptcExt:PersonInImage=Olivia Smith", "-XMP-iptcExt:PersonInImage+=Zoë Núñez-Taylor"),
                ExifTool.Tag(ExifTool.BaseJpeg, "-XMP-iptcExt:PersonInImage=Will Okafor", "-GPSLatitude=51.5", "-GPSLatitudeRef=N", "-GPSLongitude=0.12", "-GPSLongitudeRef=W"),
            ];
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new LoadToolException($"Could not tag the draft photos with exiftool ({ex.Message}); install it with apt-get install -y libimage-exiftool-perl.");
        }
    }

    public async Task<TrafficResult> RunAsync(double? rate, TimeSpan duration, int connections, CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(connections);
        var clock = Stopwatch.StartNew();
        long started = 0;
        long requests = 0;
        double maxLag = 0;
        var inFlight = new ConcurrentDictionary<long, Task>();
        var held = new Dictionary<string, List<Planned>>(StringComparer.Ordinal);

        async Task StartAsync(IReadOnlyList<Planned> items)
        {
            await slots.WaitAsync(ct);
            var r = requests++;
            inFlight[r] = Task.Run(async () =>
            {
                try
                {
                    await SendAsync(items, ct);
                }
                finally
                {
                    slots.Release();
                    inFlight.TryRemove(r, out _);
                }
            }, ct);
        }

        while (clock.Elapsed < duration && !ct.IsCancellationRequested)
        {
            if (rate is { } r)
            {
                var due = (long)Math.Floor(clock.Elapsed.TotalSeconds * r) + 1;
                if (started >= due)
                {
                    var next = TimeSpan.FromSeconds(started / r) - clock.Elapsed;
                    if (next > TimeSpan.Zero)
                    {
                        await Task.Delay(next < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : next, ct);
                    }

                    continue;
                }

                maxLag = Math.Max(maxLag, clock.Elapsed.TotalSeconds - started / r);
            }

            var item = Plan(started++);
            if (item.Kind == ItemMix.DraftWithTaggedPhoto || webhookBatch <= 1)
            {
                await StartAsync([item]);
                continue;
            }

            var waiting = CollectionsMarshal.GetValueRefOrAddDefault(held, WebhookObject(item.Kind), out _) ??= [];
            waiting.Add(item);
            if (waiting.Count >= webhookBatch)
            {
                held.Remove(WebhookObject(item.Kind));
                await StartAsync(waiting);
            }
        }

        var elapsed = clock.Elapsed;
        foreach (var partial in held.Values)
        {
            await StartAsync(partial);
        }

        await Task.WhenAll(inFlight.Values);
        return new TrafficResult(started, _accepted, new Dictionary<string, long>(_refused), new Dictionary<ItemMix, long>(_acceptedByKind), elapsed, maxLag,
            [.. _requestMs], _webhookRequests, _draftRequests);
    }

    private Planned Plan(long n)
    {
        var random = new Random(unchecked((int)n * 7919 + 17));
        var school = PickSchool(random);
        var kind = PickKind(random);
        return new Planned(n, school, kind, random);
    }

    private static string WebhookObject(ItemMix kind) => kind == ItemMix.Instagram ? "instagram" : "page";

    /// <summary>Sends one request: a draft, or one webhook POST with every comment of <paramref name="items"/>; counts each item.</summary>
    private async Task SendAsync(IReadOnlyList<Planned> items, CancellationToken ct)
    {
        var isDraft = items[0].Kind == ItemMix.DraftWithTaggedPhoto;
        Interlocked.Increment(ref isDraft ? ref _draftRequests : ref _webhookRequests);
        var watch = Stopwatch.StartNew();
        try
        {
            using var request = isDraft ? Draft(items[0].School, items[0].N, items[0].Random) : Webhook(items);
            using var response = await http.SendAsync(request, ct);
            _requestMs.Enqueue(watch.Elapsed.TotalMilliseconds);
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Add(ref _accepted, items.Count);
                foreach (var kind in items.CountBy(i => i.Kind))
                {
                    _acceptedByKind.AddOrUpdate(kind.Key, kind.Value, (_, c) => c + kind.Value);
                }
            }
            else
            {
                Refuse($"HTTP {(int)response.StatusCode}", items.Count);
            }
        }
        catch (HttpRequestException ex)
        {
            Refuse($"connection: {ex.HttpRequestError}", items.Count);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            Refuse("timeout", items.Count);
        }
    }

    private void Refuse(string reason, long items) => _refused.AddOrUpdate(reason, items, (_, c) => c + items);

    private SchoolTarget PickSchool(Random random) =>
        random.NextDouble() < hotShare ? schools[0] : schools[random.Next(schools.Count)];

    private ItemMix PickKind(Random random)
    {
        var roll = random.Next(_mix.Sum(m => m.Weight));
        foreach (var (kind, weight) in _mix)
        {
            if (roll < weight)
            {
                return kind;
            }

            roll -= weight;
        }

        return ItemMix.TextOnly;
    }

    private string Text(SchoolTarget school, ItemMix kind, Random random) => kind switch
    {
        ItemMix.Risky => s_risky[random.Next(s_risky.Length)],
        ItemMix.PupilNames => $"Well done {school.School.PupilNames[random.Next(school.School.PupilNames.Count)]} and {school.School.PupilNames[random.Next(school.School.PupilNames.Count)]} at the match on Saturday!",
        _ => s_plain[random.Next(s_plain.Length)],
    };

    /// <summary>
    /// One signed Meta webhook POST for comments of one object: an entry per account (in the order the accounts first
    /// appear), each with its comments as changes, in the shape of Meta's published examples.
    /// </summary>
    private HttpRequestMessage Webhook(IReadOnlyList<Planned> items)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var instagram = items[0].Kind == ItemMix.Instagram;
        var entries = items
            .GroupBy(i => instagram ? i.School.School.InstagramUserId : i.School.School.FacebookPageId, StringComparer.Ordinal)
            .Select(g => new
            {
                id = g.Key, time = now,
                changes = g.Select(i => instagram ? InstagramChange(i) : FacebookChange(i, now)).ToArray(),
            })
            .ToArray();
        var body = new { @object = WebhookObject(items[0].Kind), entry = entries };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/meta") { Content = content };
        request.Headers.TryAddWithoutValidation(MetaWebhooks.SignatureHeader, MetaWebhooks.Sign(appSecret, bytes));
        return request;
    }

    private object InstagramChange(Planned item)
    {
        var (school, random) = (item.School, item.Random);
        return new
        {
            field = "comments",
            value = new
            {
                from = new { id = $"ig-{random.Next(100_000)}", username = "a_parent" },
                media = new { id = "18000000000000001", media_product_type = "FEED" },
                id = $"{runTag}{item.N:D9}",
                text = Text(school, random.Next(2) == 0 ? ItemMix.TextOnly : ItemMix.PupilNames, random),
            },
        };
    }

    private object FacebookChange(Planned item, long now)
    {
        var (school, random) = (item.School, item.Random);
        var page = school.School.FacebookPageId;
        return new
        {
            field = "feed",
            value = new
            {
                item = "comment", verb = "add",
                comment_id = $"{page}_{runTag}{item.N:D9}",
                post_id = $"{page}_7001", parent_id = $"{page}_7001",
                from = new { id = $"fb-{random.Next(100_000)}", name = "A Parent" },
                message = Text(school, item.Kind, random),
                created_time = now,
            },
        };
    }

    private HttpRequestMessage Draft(SchoolTarget school, long n, Random random)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent($"Year 4 won the quiz! ({runTag}{n:D9})", Encoding.UTF8), "text" },
            { new StringContent(school.FacebookAccountId.ToString()), "accounts" },
        };
        var photo = new ByteArrayContent(_photos[random.Next(_photos.Length)]);
        photo.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(photo, "photos", "quiz.jpg");
        var request = new HttpRequestMessage(HttpMethod.Post, $"api/schools/{school.SchoolId}/drafts") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", school.AuthorToken);
        return request;
    }
}
