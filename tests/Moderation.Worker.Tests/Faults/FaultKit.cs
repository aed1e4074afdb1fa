using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Items;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Rota;
using Moderation.Domain.Routing;
using Moderation.Domain.Schools;
using Moderation.Testing;

namespace Moderation.Worker.Tests.Faults;

/// <summary>
/// What a fault test counts, from the database: items stored, items assigned (exactly one "assigned" audit entry and
/// one assignment row each), and decided items whose platform action completed.
/// </summary>
public sealed record FaultCounts(int Sent, int Stored, int Assigned, int Actioned, IReadOnlyList<string> Duplicates)
{
    public override string ToString() => $"sent={Sent} stored={Stored} assigned={Assigned} actioned={Actioned}";

    public static async Task<FaultCounts> ReadAsync(ModerationDbContext db, int sent)
    {
        var stored = await db.Items.CountAsync();
        var assignedAudit = await db.AuditEntries.Where(a => a.ItemId != null && a.Action == "assigned")
            .GroupBy(a => a.ItemId!.Value).Select(g => new { Item = g.Key, Count = g.Count() }).ToListAsync();
        var rows = await db.ItemAssignments.Where(a => a.UserId != null).GroupBy(a => a.ItemId).Select(g => new { Item = g.Key, Count = g.Count() }).ToListAsync();
        var actioned = await db.Items.CountAsync(i => i.State == ItemState.Actioned
            && db.PlatformActions.Any(a => a.ItemId == i.Id && a.Purpose == ActionPurpose.Decision && a.Status == ActionStatus.Done));
        var duplicates = assignedAudit.Where(a => a.Count > 1).Select(a => $"item {a.Item}: {a.Count} 'assigned' audit entries")
            .Concat(rows.Where(r => r.Count > 1).Select(r => $"item {r.Item}: {r.Count} assignment rows"))
            .ToList();
        var assigned = assignedAudit.Select(a => a.Item).Intersect(rows.Select(r => r.Item)).Count();
        return new FaultCounts(sent, stored, assigned, actioned, duplicates);
    }

    /// <summary>Every item sent is stored once and assigned exactly once; <paramref name="decided"/> items are actioned.</summary>
    public void ShouldBeExactlyOnce(int decided = 0)
    {
        Duplicates.Should().BeEmpty("no item is assigned twice");
        Stored.Should().Be(Sent, "every item sent is stored, once");
        Assigned.Should().Be(Sent, "every item is assigned");
        Actioned.Should().Be(decided, "every decision is carried out on the platform");
    }

    /// <summary>Items with an owner now (for waiting on).</summary>
    public static async Task<int> AssignedNowAsync(ModerationDbContext db) => await db.Items.CountAsync(i => i.AssignedAt != null);
}

/// <summary>Fleming Primary, the school the fault tests load: its Facebook account, and a rota that takes everything.</summary>
public static class FaultSchool
{
    public const string Slug = "fleming-primary";
    public const string PageId = "100200300400500";

    /// <summary>
    /// Two moderators on duty together round the clock with a cap that holds the whole load, so that every item is
    /// assigned on arrival (not alerted on), whatever the time of day the test runs at.
    /// </summary>
    public static async Task SetRotaAsync(ModerationDbContext db)
    {
        var school = (await db.Schools.SingleAsync(s => s.Slug == Slug)).Id;
        var amy = (await db.Users.SingleAsync(u => u.Email == "moderator@fleming.example")).Id;
        var tom = (await db.Users.SingleAsync(u => u.Email == "moderator2@fleming.example")).Id;
        await db.Rotas.Where(r => r.Schools.Any(s => s.SchoolId == school)).ExecuteDeleteAsync();
        var now = DateTimeOffset.UtcNow;
        var rota = new DutyRota { Id = Guid.NewGuid(), Name = "Fault tests", CreatedAt = now, UpdatedAt = now };
        rota.SetSchools([school]);
        foreach (var (member, position) in new[] { (amy, 0), (tom, 1) })
        {
            var rotation = new Rotation
            {
                Id = Guid.NewGuid(), RotaId = rota.Id, Name = $"Moderator {position + 1}", Layer = 1, Position = position,
                StartsOn = new DateOnly(2026, 9, 7), HandoffTime = new TimeOnly(8, 0), ShiftDays = 1, RunsInHolidays = true,
            };
            rotation.SetMembers([member]);
            rota.Rotations.Add(rotation);
        }

        db.Rotas.Add(rota);
        await db.RoutingSettings.Where(s => s.SchoolId == school).ExecuteDeleteAsync();
        db.RoutingSettings.Add(new SchoolRoutingSettings { SchoolId = school, Settings = new RoutingSettings { OpenItemCap = 500 }.ToJson(), UpdatedAt = now });
        await db.SaveChangesAsync();
    }

    /// <summary>Inbound comments on Fleming's Facebook Page, stored as a connector stores them.</summary>
    public static Task<List<Guid>> IngestAsync(IServiceProvider services, int count, string prefix) =>
        WorkerFixture.IngestCommentsAsync(services, count, prefix, a => a.Handle == "@FlemingPrimary" && a.Platform == Platform.Facebook);

    /// <summary>Connects Fleming's Facebook Page for webhooks only (no hide on arrival, so no Graph API is needed).</summary>
    public static Task ConnectForWebhooksAsync(ModerationDbContext db) =>
        db.SocialAccounts.Where(a => a.Platform == Platform.Facebook && a.ExternalId == PageId)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.ConnectionStatus, ConnectionStatus.Connected).SetProperty(a => a.PreModerated, false));
}

/// <summary>
/// Meta as a sender of webhooks: each body carries one new comment, signed with the app secret, and is posted until
/// the API answers 200, as Meta redelivers a webhook it got no 200 for. Several senders post at once.
/// </summary>
public sealed class MetaSender(Uri api, string appSecret)
{
    private int _accepted;
    private int _refused;

    public int Accepted => _accepted;

    /// <summary>Answers other than 200, and requests that failed outright, each retried.</summary>
    public int Refused => _refused;

    public ConcurrentDictionary<int, string> Errors { get; } = new();

    /// <summary>Sends comments number <paramref name="from"/> to <paramref name="to"/> (exclusive), each until it is accepted.</summary>
    public async Task SendAsync(int from, int to, string prefix, int senders = 4, CancellationToken ct = default)
    {
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(10) };
        var next = from - 1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < to)
            {
                var body = Body($"{prefix}_{i}", $"{prefix} {i}: lovely assembly this morning");
                var deadline = DateTime.UtcNow.AddMinutes(2);
                while (true)
                {
                    ct.ThrowIfCancellationRequested();
                    try
                    {
                        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/meta") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), Encoding.UTF8.GetBytes(body))));
                        using var response = await http.SendAsync(request, ct);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            Interlocked.Increment(ref _accepted);
                            break;
                        }

                        Errors[i] = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}";
                    }
                    catch (HttpRequestException ex)
                    {
                        Errors[i] = ex.Message;
                    }
                    catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
                    {
                        Errors[i] = ex.Message;
                    }

                    Interlocked.Increment(ref _refused);
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException($"Webhook {i} was never accepted; last answer: {Errors[i]}");
                    }

                    await Task.Delay(250, ct);
                }
            }
        }));
    }

    private static string Body(string commentId, string message) =>
        $$$"""{"object":"page","entry":[{"id":"{{{FaultSchool.PageId}}}","time":1795600805,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"{{{commentId}}}","post_id":"{{{FaultSchool.PageId}}}_7001","parent_id":"{{{FaultSchool.PageId}}}_7001","from":{"id":"5550001","name":"A Parent"},"message":"{{{message}}}","created_time":1795600800}}]}]}""";
}

/// <summary>The API or the worker as a child process, with its output kept for when a test fails.</summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServiceProcess(Process process) => _process = process;

    public Uri? Url { get; private init; }

    public string Output => string.Join('\n', _output.TakeLast(200));

    public int Id => _process.Id;

    /// <summary>The worker built beside the tests.</summary>
    public static ServiceProcess Worker(IReadOnlyDictionary<string, string> variables, params string[] settings) =>
        Start(Path.Combine(AppContext.BaseDirectory, "Moderation.Worker.dll"), variables, settings, null);

    /// <summary>
    /// The API from its own build output (built with the tests, not copied beside them: its appsettings.json would
    /// replace the worker's), on a free loopback port.
    /// </summary>
    public static ServiceProcess Api(IReadOnlyDictionary<string, string> variables, params string[] settings)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(RepoPaths.Root, "services", "Moderation.Api", "bin", output.Parent!.Name, output.Name, "Moderation.Api.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build tests/Moderation.Worker.Tests (it builds the API first).");
        }

        var port = FreePort();
        var url = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        // Started in its project folder, as `dotnet run` would: its content root, with wwwroot and appsettings.json.
        var process = Start(dll, variables, [$"--urls={url}", .. settings], Path.Combine(RepoPaths.Root, "services", "Moderation.Api"));
        return new ServiceProcess(process._process, process._output) { Url = url };
    }

    private ServiceProcess(Process process, ConcurrentQueue<string> output)
    {
        _process = process;
        _output = output;
    }

    private static ServiceProcess Start(string dll, IReadOnlyDictionary<string, string> variables, string[] settings, string? workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. settings])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var (key, value) in variables)
        {
            start.Environment[key] = value;
        }

        start.Environment["Logging__Console__FormatterName"] = "simple";
        var process = Process.Start(start)!;
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 2000 && _output.TryDequeue(out _))
        {
        }
    }

    /// <summary>Waits until the API answers its health endpoint.</summary>
    public async Task WaitUntilListeningAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.WaitForAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The API exited ({_process.ExitCode}):\n{Output}");
                }

                try
                {
                    using var response = await http.GetAsync("health/live");
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException)
                {
                    return false; // starting up on a busy machine
                }
            },
            up => up, "the API to listen", TimeSpan.FromSeconds(90));
    }

    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public bool HasExited => _process.HasExited;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }
}
