using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moderation.Domain.Accounts;
using Moderation.Domain.Audit;
using Moderation.Domain.Consent;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Seeding;
using Npgsql;

namespace Moderation.Benchmarks.Consent;

public sealed record RosterImportFigures(double FirstCheckSeconds, double FirstApplySeconds, double ChangeCheckSeconds, double ChangeApplySeconds, int Rows);

/// <summary>
/// How long the consent page's import takes for a school of 2,000 pupils, in a database of its own
/// (<c>moderation_bench_roster</c>): the page's "Check the file" (a dry run of <see cref="RosterImport"/>) and "Apply"
/// for a first import of the whole list, then for the next export with 5% of the pupils withdrawing social-media
/// consent. Wall time of each call, as the page waits for it; one run each, so read it as an order of magnitude.
/// </summary>
public static class RosterImportBenchmark
{
    public const int Pupils = 2_000;

    public static async Task<RosterImportFigures> RunAsync(TextWriter output)
    {
        var (host, schoolId) = await BenchDatabase.SeededHostAsync("moderation_bench_roster");
        using var seeded = host;

        var first = Csv(withdrawEvery: 0);
        var next = Csv(withdrawEvery: 20);
        output.WriteLine($"file: {Pupils:N0} rows, {Encoding.UTF8.GetByteCount(first) / 1024:N0} KB");
        var (check1, report1) = await TimeAsync(host.Services, schoolId, first, dryRun: true);
        var (apply1, _) = await TimeAsync(host.Services, schoolId, first, dryRun: false);
        var (check2, report2) = await TimeAsync(host.Services, schoolId, next, dryRun: true);
        var (apply2, _) = await TimeAsync(host.Services, schoolId, next, dryRun: false);
        output.WriteLine($"first import: check {check1:0.00} s ({report1.PupilsAdded} pupils, {report1.ConsentsAdded} consents to add), apply {apply1:0.00} s");
        output.WriteLine($"next export: check {check2:0.00} s ({report2.ConsentsUpdated} consents to change), apply {apply2:0.00} s");
        return new RosterImportFigures(check1, apply1, check2, apply2, Pupils);
    }

    private static async Task<(double Seconds, RosterImportReport Report)> TimeAsync(IServiceProvider services, Guid schoolId, string csv, bool dryRun)
    {
        using var scope = services.CreateScope();
        var import = scope.ServiceProvider.GetRequiredService<RosterImport>();
        var clock = Stopwatch.StartNew();
        var report = await import.ImportAsync(schoolId, Actor.System("benchmark"), new StringReader(csv), dryRun, CancellationToken.None);
        return (clock.Elapsed.TotalSeconds, report);
    }

    /// <summary>An MIS export of <see cref="Pupils"/> pupils, four channels each; every <paramref name="withdrawEvery"/>th withdraws social media.</summary>
    private static string Csv(int withdrawEvery)
    {
        var csv = new StringBuilder("MIS id,Legal forename,Preferred forename,Surname,Year group,Website,Social media,Press,Internal displays,Restriction,Never publish,Effective from,Expires on,Source\n");
        for (var i = 1; i <= Pupils; i++)
        {
            var social = withdrawEvery > 0 && i % withdrawEvery == 0 ? "objected" : "granted";
            csv.Append($"ROSTER{i},Forename{i},,Surname{i},Year {i % 6 + 1},granted,{social},granted,granted,,no,01/09/2026,23/07/2027,MIS export\n");
        }

        return csv.ToString();
    }
}
