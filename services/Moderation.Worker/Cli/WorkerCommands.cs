using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Accounts;
using Moderation.Domain.Persistence;
using Moderation.Domain.Seeding;

namespace Moderation.Worker.Cli;

/// <summary>
/// One-shot commands: <c>migrate</c>, <c>seed FOLDER</c> (every *.json in it, in name order) and <c>schema-script</c>
/// (prints the schema EF would create, the reference for the next hand-written migration).
/// </summary>
public static class WorkerCommands
{
    private static readonly string[] s_commands = ["migrate", "seed", "schema-script"];

    public static bool IsCommand(string arg) => s_commands.Contains(arg, StringComparer.Ordinal);

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            var builder = Host.CreateApplicationBuilder(WorkerHost.Settings([.. args.Skip(args[0] == "seed" ? 2 : 1)]));
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
