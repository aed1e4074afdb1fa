using Moderation.LoadTest;

// dotnet run -c Release --project tests/Moderation.LoadTest -- [run|baseline] [options]   (LoadOptions.Usage)
// Figures are recorded in docs/benchmarks.md. Missing a target is reported, not failed: no test asserts a time.
var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "run";
if (command is "help" || args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}

if (command is not ("run" or "baseline"))
{
    Console.Error.WriteLine($"error: unknown command '{command}'");
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

var (options, errors) = LoadOptions.Parse(args.Length > 0 && args[0] == command ? args[1..] : args);
if (options is null)
{
    foreach (var error in errors)
    {
        Console.Error.WriteLine($"error: {error}");
    }

    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    if (command == "baseline")
    {
        var env = new Moderation.Testing.TestEnvironment("moderation_load");
        Console.WriteLine($"Load average at start: {LoadRun.LoadAverage()}");
        await env.CreateAsync();
        var b = await Baselines.RunAsync(env, options.PgClients, options.BaselineSeconds, Console.WriteLine, cancel.Token);
        Console.WriteLine($"pgbench TPC-B-like ({b.PgClients} clients): {b.PgbenchTpcb:0} tps; single-row INSERT: {b.PgbenchInsert:0} commits/s "
            + $"({b.PgClients} clients), {b.PgbenchInsertOneClient:0} (1 client); RabbitMQ: {b.RabbitPublished:0} published/s, {b.RabbitConsumed:0} consumed/s");
        Console.WriteLine($"Load average at the end: {LoadRun.LoadAverage()}");
        return 0;
    }

    return await new LoadRun(options, Console.Out).RunAsync(cancel.Token);
}
catch (LoadToolException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
catch (InvalidOperationException ex) when (ex.Message.Contains("is not set", StringComparison.Ordinal))
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("error: interrupted");
    return 130;
}
