using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Seeding;

namespace Moderation.Worker.Cli;

/// <summary>
/// One-shot commands: <c>migrate</c>, <c>seed FOLDER</c> (every *.json in it, in name order) and <c>schema-script</c>
/// (prints the schema EF would create, the reference for the next hand-written migration), and
/// <c>import-roster SCHOOL FILE [--dry-run]</c> (a roster and consent CSV; a file with any bad row applies nothing).
/// </summary>
public static class WorkerCommands
{
    private static readonly string[] s_commands = ["migrate", "seed", "schema-script", "import-roster"];

    public static bool IsCommand(string arg) => s_commands.Contains(arg, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(WorkerHost.Settings([.. args.Skip(args[0] switch { "seed" => 2, "import-roster" => 3, _ => 1 }).Where(a => a != "--dry-run")]));
            builder.AddModerationPersistence();
            builder.Services.AddModerationIdentityCore();
            builder.Services.AddScoped<DemoSeeder>();
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

        await db.Database.MigrateAsync();
        var school = await db.Schools.AsNoTracking().FirstOrDefaultAsync(s => s.Slug == args[1]);
        if (school is null)
        {
            await Console.Error.WriteLineAsync($"error: no school with the slug '{args[1]}'");
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
