using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Platforms;
using Moderation.Domain.Screening;
using Moderation.Domain.Seeding;
using System.Text.Json;

namespace Moderation.Worker.Cli;

/// <summary>
/// One-shot commands: <c>migrate</c>, <c>seed FOLDER</c> (every *.json in it, in name order) and <c>schema-script</c>
/// (prints the schema EF would create, the reference for the next hand-written migration), and
/// <c>import-roster SCHOOL FILE [--dry-run]</c> (a roster and consent CSV; a file with any bad row applies nothing), and
/// <c>preview SCHOOL [--text TEXT | --text-file FILE] [--photo FILE]... [--channel CHANNEL]...</c> (prints the whole
/// screening result as JSON, storing nothing), <c>connect-account HANDLE [--url URL] [--username USER]
/// [--password-env VAR] [--token-env VAR] [--poll-seconds N] [--no-test]</c> (connects an account as the API does,
/// reading secrets from environment variables so they never appear in the process list), and
/// <c>verify-evidence FILE.zip</c> (checks an exported safeguarding evidence bundle offline; exit 0 when it verifies,
/// 1 when it does not), and <c>reconcile-consent SCHOOL [FILE.csv]</c> (a consent reconciliation run to the end, in
/// this process: exit 0 with the report, 1 when the file has bad rows and nothing was applied, 3 when a run is
/// already active).
/// </summary>
public static class WorkerCommands
{
    private static readonly string[] s_commands = ["migrate", "seed", "schema-script", "import-roster", "preview", "connect-account", "verify-evidence", "reconcile-consent"];

    public static bool IsCommand(string arg) => s_commands.Contains(arg, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] == "verify-evidence")
        {
            // Needs no database: a bundle is checked against its own hashes, wherever it was taken.
            return await VerifyEvidenceAsync(args);
        }

        try
        {
            var builder = Host.CreateApplicationBuilder(WorkerHost.Settings([.. args.Skip(args[0] switch { "seed" => 2, "import-roster" => 3, "preview" or "connect-account" or "reconcile-consent" => args.Length, _ => 1 }).Where(a => a != "--dry-run")]));
            builder.AddModerationPersistence();
            builder.Services.AddModerationIdentityCore();
            builder.Services.AddScoped<DemoSeeder>();
            if (args[0] == "preview")
            {
                builder.AddModerationScreening();
            }

            if (args[0] == "reconcile-consent")
            {
                builder.AddModerationNotifications();
            }

            if (args[0] == "connect-account")
            {
                builder.AddModerationPlatforms();
            }

            using var host = builder.Build();
            await using var scope = host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ModerationDbContext>();
            switch (args[0])
            {
                case "schema-script":
                    Console.WriteLine(db.Database.GenerateCreateScript());
                    return 0;
                case "migrate":
                    await db.Database.MigrateAsync();
                    Console.WriteLine("Database is up to date.");
                    return 0;
                case "import-roster":
                    return await ImportRosterAsync(args, scope.ServiceProvider, db);
                case "preview":
                    return await PreviewAsync(args, scope.ServiceProvider, db);
                case "connect-account":
                    return await ConnectAccountAsync(args, scope.ServiceProvider, db);
                case "reconcile-consent":
                    return await ReconcileConsentAsync(args, scope.ServiceProvider, db);
                default:
                    return await SeedAsync(args, scope.ServiceProvider, db);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IOException or Npgsql.NpgsqlException)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return 1;
        }
    }

    private static async Task<int> ConnectAccountAsync(string[] args, IServiceProvider services, ModerationDbContext db)
    {
        const string Usage = "usage: Moderation.Worker connect-account HANDLE [--url URL] [--username USER] [--password-env VAR] [--token-env VAR] [--poll-seconds N] [--no-test]";
        if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        string? url = null, username = null, password = null, token = null;
        int? pollSeconds = null;
        var test = true;
        for (var i = 2; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new InvalidDataException($"{args[i]} needs a value. {Usage}");
            string Secret(string variable) => Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
                ? value
                : throw new InvalidDataException($"the environment variable {variable} is not set.");
            switch (args[i])
            {
                case "--url": url = Next(); break;
                case "--username": username = Next(); break;
                case "--password-env": password = Secret(Next()); break;
                case "--token-env": token = Secret(Next()); break;
                case "--poll-seconds":
                    pollSeconds = int.TryParse(Next(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                        ? n : throw new InvalidDataException($"--poll-seconds takes a whole number of seconds. {Usage}");
                    break;
                case "--no-test": test = false; break;
                default: throw new InvalidDataException($"unknown option {args[i]}. {Usage}");
            }
        }

        var matches = await db.SocialAccounts.Where(a => a.Handle == args[1]).ToListAsync();
        if (matches.Count != 1)
        {
            await Console.Error.WriteLineAsync(matches.Count == 0
                ? $"error: no account has the handle {args[1]}."
                : $"error: {matches.Count} accounts have the handle {args[1]}: {string.Join(", ", matches.Select(m => $"{m.Platform} {m.Id}"))}.");
            return 2;
        }

        var account = matches[0];
        var result = await services.GetRequiredService<AccountSetup>().ConnectAsync(
            account, new ConnectRequest(token, username, password, url, pollSeconds, null, test), Domain.Audit.Actor.System("cli"), CancellationToken.None);
        foreach (var (field, messages) in result.Errors)
        {
            await Console.Error.WriteLineAsync($"error: {field}: {string.Join(" ", messages)}");
        }

        if (result.Refusal is { } refusal)
        {
            await Console.Error.WriteLineAsync($"error: {refusal}");
        }

        if (result.Errors.Count > 0 || result.Refusal is not null)
        {
            return 1;
        }

        Console.WriteLine($"Connected {account.Platform} account {account.Handle}{(test ? " (credentials checked with the platform)" : "")}.");
        return 0;
    }

    private static async Task<int> ImportRosterAsync(string[] args, IServiceProvider services, ModerationDbContext db)
    {
        if (args.Length < 3)
        {
            await Console.Error.WriteLineAsync("usage: Moderation.Worker import-roster SCHOOL_SLUG FILE.csv [--dry-run]");
            return 2;
        }

        if (!File.Exists(args[2]))
        {
            await Console.Error.WriteLineAsync($"error: no file {args[2]}");
            return 2;
        }

        var school = await FindSchoolAsync(db, args[1]);
        if (school is null)
        {
            return 2;
        }

        var dryRun = args.Contains("--dry-run");
        using var reader = new StreamReader(args[2]);
        var report = await services.GetRequiredService<Domain.Consent.RosterImport>()
            .ImportAsync(school.Id, Domain.Audit.Actor.System("cli:import-roster"), reader, dryRun, CancellationToken.None);
        foreach (var error in report.Errors)
        {
            await Console.Error.WriteLineAsync($"line {error.Line}: {error.Message}");
        }

        if (report.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"error: {report.Errors.Count} bad row(s); nothing was imported.");
            return 1;
        }

        foreach (var change in report.Changes)
        {
            Console.WriteLine(change);
        }

        Console.WriteLine($"{(dryRun ? "Dry run, nothing applied" : report.Changed ? "Applied" : "Nothing to change")}: {report.Rows} row(s), " +
            $"{report.PupilsAdded} pupil(s) added, {report.PupilsUpdated} updated, {report.ConsentsAdded} consent(s) added, " +
            $"{report.ConsentsUpdated} updated, {report.RowsUnchanged} row(s) unchanged.");
        return 0;
    }

    private static async Task<int> ReconcileConsentAsync(string[] args, IServiceProvider services, ModerationDbContext db)
    {
        if (args.Length is < 2 or > 3)
        {
            await Console.Error.WriteLineAsync("usage: Moderation.Worker reconcile-consent SCHOOL_SLUG [FILE.csv]");
            return 2;
        }

        if (args.Length == 3 && !File.Exists(args[2]))
        {
            await Console.Error.WriteLineAsync($"error: no file {args[2]}");
            return 2;
        }

        var school = await FindSchoolAsync(db, args[1]);
        if (school is null)
        {
            return 2;
        }

        var reconciler = services.GetRequiredService<Domain.Consent.Reconciliation.ConsentReconciler>();
        var csv = args.Length == 3 ? await File.ReadAllTextAsync(args[2]) : null;
        var (outcome, run) = await reconciler.StartAsync(school.Id, Domain.Consent.Reconciliation.ReconciliationTrigger.OnDemand,
            csv is null ? "the current consent list" : $"command line: {Path.GetFileName(args[2])}", "system:cli", csv, CancellationToken.None);
        if (outcome == Domain.Consent.Reconciliation.StartOutcome.AlreadyActive)
        {
            await Console.Error.WriteLineAsync($"error: run {run.Id} is already {run.Status.ToString().ToLowerInvariant()} for {args[1]}.");
            return 3;
        }

        await reconciler.ExecuteAsync(run.Id, CancellationToken.None);
        var done = await db.ConsentReconciliationRuns.AsNoTracking().FirstAsync(r => r.Id == run.Id);
        if (done.Status == Domain.Consent.Reconciliation.ReconciliationStatus.Rejected)
        {
            foreach (var error in JsonSerializer.Deserialize<List<Domain.Consent.RosterError>>(done.Errors!, ScreeningJson.Options)!)
            {
                await Console.Error.WriteLineAsync($"line {error.Line}: {error.Message}");
            }

            await Console.Error.WriteLineAsync("error: the file has bad rows; nothing was applied.");
            return 1;
        }

        Console.WriteLine(done.Report);
        Console.WriteLine($"Run {done.Id} {done.Status}: {done.Added} added, {done.Withdrawn} withdrawn, {done.Restricted} restricted, {done.Expired} expired; " +
            $"{done.Rescreened} re-screened, {done.TakenDown} taken down, {done.NeedsHuman} need a person.");
        return 0;
    }

    private static async Task<int> PreviewAsync(string[] args, IServiceProvider services, ModerationDbContext db)
    {
        const string usage = "usage: Moderation.Worker preview SCHOOL_SLUG [--text TEXT | --text-file FILE] [--photo FILE]... [--channel Website|SocialMedia|Press|InternalDisplays]...";
        if (args.Length < 2 || args[1].StartsWith("--", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync(usage);
            return 2;
        }

        string? text = null;
        var photos = new List<PhotoInput>();
        var channels = new List<string>();
        for (var i = 2; i < args.Length; i++)
        {
            if (i + 1 >= args.Length || args[i] is not ("--text" or "--text-file" or "--photo" or "--channel"))
            {
                await Console.Error.WriteLineAsync($"error: unexpected argument '{args[i]}'");
                await Console.Error.WriteLineAsync(usage);
                return 2;
            }

            var value = args[++i];
            if (args[i - 1] is "--text-file" or "--photo" && !File.Exists(value))
            {
                await Console.Error.WriteLineAsync($"error: no file {value}");
                return 2;
            }

            switch (args[i - 1])
            {
                case "--text":
                    text = value;
                    break;
                case "--text-file":
                    text = await File.ReadAllTextAsync(value);
                    break;
                case "--photo":
                    photos.Add(new PhotoInput(Guid.NewGuid(), Path.GetFileName(value), await File.ReadAllBytesAsync(value)));
                    break;
                default:
                    channels.Add(value);
                    break;
            }
        }

        var errors = ScreeningPreview.Validate(text, photos, channels, out var parsed);
        if (errors.Count > 0)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"error: {error}");
            }

            return 2;
        }

        var school = await FindSchoolAsync(db, args[1]);
        if (school is null)
        {
            return 2;
        }

        var result = await services.GetRequiredService<ScreeningPreview>().RunAsync(db, school.Id, text, photos, parsed, CancellationToken.None);
        Console.WriteLine(JsonSerializer.Serialize(result, s_previewJson));
        return 0;
    }

    private static async Task<int> VerifyEvidenceAsync(string[] args)
    {
        if (args.Length != 2)
        {
            await Console.Error.WriteLineAsync("usage: Moderation.Worker verify-evidence BUNDLE.zip");
            return 2;
        }

        if (!File.Exists(args[1]))
        {
            await Console.Error.WriteLineAsync($"error: no file {args[1]}");
            return 2;
        }

        await using var file = File.OpenRead(args[1]);
        var result = Domain.Safeguarding.Evidence.EvidenceBundle.Verify(file);
        Console.WriteLine($"case: {result.CaseId?.ToString() ?? "unknown"}");
        Console.WriteLine($"bundle sha256: {result.BundleSha256 ?? "unknown"}");
        Console.WriteLine($"files checked: {result.FilesChecked}");
        foreach (var problem in result.Problems)
        {
            Console.WriteLine($"problem: {problem}");
        }

        Console.WriteLine(result.Valid ? "VERIFIED: every file matches its SHA-256 and the manifest matches its bundle hash." : "NOT VERIFIED: the bundle has been changed or is incomplete.");
        return result.Valid ? 0 : 1;
    }

    private static readonly JsonSerializerOptions s_previewJson = new(ScreeningJson.Options) { WriteIndented = true };

    /// <summary>Brings the database up to date and finds the school, or says on stderr that there is none.</summary>
    private static async Task<Domain.Schools.School?> FindSchoolAsync(ModerationDbContext db, string slug)
    {
        await db.Database.MigrateAsync();
        var school = await db.Schools.AsNoTracking().FirstOrDefaultAsync(s => s.Slug == slug);
        if (school is null)
        {
            await Console.Error.WriteLineAsync($"error: no school with the slug '{slug}'");
        }

        return school;
    }

    private static async Task<int> SeedAsync(string[] args, IServiceProvider services, ModerationDbContext db)
    {
        if (args.Length < 2 || !Directory.Exists(args[1]))
        {
            await Console.Error.WriteLineAsync("usage: Moderation.Worker seed FOLDER   (a folder of seed *.json files)");
            return 2;
        }

        var files = Directory.GetFiles(args[1], "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            await Console.Error.WriteLineAsync($"error: no *.json seed files in {args[1]}");
            return 2;
        }

        // Read every file before writing anything, so a malformed one applies nothing.
        var data = files.Select(f => (File: f, Data: DemoSeeder.Read(f))).ToList();
        await db.Database.MigrateAsync();
        var seeder = services.GetRequiredService<DemoSeeder>();
        foreach (var (file, seed) in data)
        {
            var report = await seeder.SeedAsync(seed, CancellationToken.None);
            Console.WriteLine($"{Path.GetFileName(file)}: {report}");
        }

        return 0;
    }
}
