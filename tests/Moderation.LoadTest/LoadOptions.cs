using System.Globalization;

namespace Moderation.LoadTest;

/// <summary>The command line: what to send, how fast, for how long, and to how many worker processes.</summary>
public sealed record LoadOptions
{
    /// <summary>Items per second; null means as fast as the API accepts them (<c>--rate max</c>).</summary>
    public double? Rate { get; init; } = 200;
    public int DurationSeconds { get; init; } = 30;
    public int Workers { get; init; } = 1;
    public int Schools { get; init; } = 20;

    /// <summary>
    /// Pupils on each school's roll: Fleming Primary's four (whose names the comments use and the photos tag), then
    /// generated pupils, each with social media and website consent. A real school has hundreds.
    /// </summary>
    public int Pupils { get; init; } = LoadTrust.FlemingPupilCount;

    /// <summary>The share of the traffic that goes to one school (the viral post); the rest is spread evenly.</summary>
    public double HotShare { get; init; } = 0.3;

    /// <summary>Requests in flight at once; at a set rate, more are not started until one ends (and the lag is reported).</summary>
    public int Connections { get; init; } = 64;
    public int DrainTimeoutSeconds { get; init; } = 300;
    public bool Baseline { get; init; } = true;
    public int BaselineSeconds { get; init; } = 10;

    /// <summary>pgbench clients: the worker's busiest endpoint's concurrency (screening, 16 messages at a time).</summary>
    public int PgClients { get; init; } = 16;

    /// <summary>
    /// Npgsql's Maximum Pool Size for each host. Its default (100) lets the API and two workers open 300 connections,
    /// more than the server's max_connections (200), which the first two-worker run did.
    /// </summary>
    public int PoolSize { get; init; } = 30;

    /// <summary>
    /// Comments per webhook POST. Meta batches a busy post's comments into one delivery (several entries, several
    /// changes each); 1 sends each comment on its own. Rates stay in items per second.
    /// </summary>
    public int WebhookBatch { get; init; } = 1;

    /// <summary>
    /// Seconds of warm-up traffic (25 items/s to the demo school, left out of the figures) before the measured run:
    /// long enough and the hosts' code has been compiled at its final tier, as in a service that has been running.
    /// </summary>
    public int WarmupSeconds { get; init; } = 4;

    /// <summary>
    /// Weights of the mix, in <see cref="Traffic.Kinds"/> order: plain, risky, naming pupils, Instagram, drafts with a
    /// tagged photo. The default is the realistic mix; others measure one kind's cost alone (docs/benchmarks.md).
    /// </summary>
    public IReadOnlyList<int> Mix { get; init; } = Traffic.DefaultMix;

    public const string Usage = """
        usage: dotnet run -c Release --project tests/Moderation.LoadTest -- [run] [options]
               dotnet run -c Release --project tests/Moderation.LoadTest -- baseline [--baseline-seconds S] [--pg-clients N]
          --rate N|max           items per second, or as fast as the API accepts them (default 200)
          --duration S           seconds of sending (default 30)
          --workers 1|2          worker processes sharing the queues (default 1)
          --schools N            schools in the load trust, 1-500 (default 20)
          --pupils N             pupils on each school's roll, 4-3000 (default 4, Fleming Primary's; the rest generated)
          --hot F                share of the items for one school, 0-1 (default 0.3)
          --connections N        requests in flight at most, 1-1024 (default 64)
          --drain-timeout S      how long to wait for the pipeline to finish after sending (default 300)
          --baseline-seconds S   length of each baseline measurement (default 10)
          --pg-clients N         pgbench clients (default 16)
          --pool-size N          Npgsql Maximum Pool Size of each host, 5-100 (default 30)
          --warmup S             seconds of warm-up at 25 items/s before measuring, 1-600 (default 4)
          --no-baseline          skip the PostgreSQL and RabbitMQ baselines
          --webhook-batch N      comments per webhook POST, 1-100, as Meta batches a busy post's comments: one entry
                                 per page or Instagram account, its comments as changes; the rate stays in items/s
                                 (default 1: each comment on its own)
          --mix T,R,N,I,D        weights of plain, risky, pupil-naming and Instagram comments and drafts with a tagged
                                 photo, whole numbers 0-100 with at least one above 0 (default 40,15,20,10,15)
        Needs the servers from infra/up.sh and `source infra/env.sh`. MODERATION_TEST_SUFFIX is appended to the
        database and vhost names (moderation_load).
        """;

    /// <summary>Parses the arguments after the command; every problem is listed, and any problem means no options.</summary>
    public static (LoadOptions? Options, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var errors = new List<string>();
        var o = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--no-baseline")
            {
                o = o with { Baseline = false };
                continue;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"unexpected argument '{name}'");
                continue;
            }

            if (i + 1 >= args.Count)
            {
                errors.Add($"{name} needs a value");
                continue;
            }

            var value = args[++i];
            switch (name)
            {
                case "--rate":
                    if (value == "max")
                    {
                        o = o with { Rate = null };
                    }
                    else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && rate <= 100_000)
                    {
                        o = o with { Rate = rate };
                    }
                    else
                    {
                        errors.Add($"--rate must be a number of items per second above 0 and at most 100000, or 'max'; got '{value}'");
                    }

                    break;
                case "--duration":
                    o = o with { DurationSeconds = Int(name, value, 1, 3600, errors, o.DurationSeconds) };
                    break;
                case "--workers":
                    o = o with { Workers = Int(name, value, 1, 2, errors, o.Workers) };
                    break;
                case "--schools":
                    o = o with { Schools = Int(name, value, 1, 500, errors, o.Schools) };
                    break;
                case "--pupils":
                    o = o with { Pupils = Int(name, value, LoadTrust.FlemingPupilCount, 3000, errors, o.Pupils) };
                    break;
                case "--connections":
                    o = o with { Connections = Int(name, value, 1, 1024, errors, o.Connections) };
                    break;
                case "--drain-timeout":
                    o = o with { DrainTimeoutSeconds = Int(name, value, 1, 7200, errors, o.DrainTimeoutSeconds) };
                    break;
                case "--baseline-seconds":
                    o = o with { BaselineSeconds = Int(name, value, 1, 600, errors, o.BaselineSeconds) };
                    break;
                case "--pg-clients":
                    o = o with { PgClients = Int(name, value, 1, 90, errors, o.PgClients) };
                    break;
                case "--pool-size":
                    o = o with { PoolSize = Int(name, value, 5, 100, errors, o.PoolSize) };
                    break;
                case "--warmup":
                    o = o with { WarmupSeconds = Int(name, value, 1, 600, errors, o.WarmupSeconds) };
                    break;
                case "--webhook-batch":
                    o = o with { WebhookBatch = Int(name, value, 1, 100, errors, o.WebhookBatch) };
                    break;
                case "--mix":
                    var weights = value.Split(',').Select(w => int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 100 ? n : -1).ToList();
                    if (weights.Count == Traffic.Kinds.Count && !weights.Contains(-1) && weights.Sum() > 0)
                    {
                        o = o with { Mix = weights };
                    }
                    else
                    {
                        errors.Add($"--mix must be {Traffic.Kinds.Count} whole numbers from 0 to 100, comma-separated, not all 0 " +
                                   $"({string.Join(", ", Traffic.Kinds)}); got '{value}'");
                    }

                    break;
                case "--hot":
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var hot) && hot is >= 0 and <= 1)
                    {
                        o = o with { HotShare = hot };
                    }
                    else
                    {
                        errors.Add($"--hot must be a share between 0 and 1; got '{value}'");
                    }

                    break;
                default:
                    errors.Add($"unknown option '{name}'");
                    break;
            }
        }

        return errors.Count == 0 ? (o, errors) : (null, errors);
    }

    private static int Int(string name, string value, int min, int max, List<string> errors, int fallback)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
        {
            return n;
        }

        errors.Add($"{name} must be a whole number from {min} to {max}; got '{value}'");
        return fallback;
    }
}
