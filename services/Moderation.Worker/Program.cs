using Moderation.Worker.Cli;

namespace Moderation.Worker;

// An explicit entry point: a top-level Program would clash with the API's Program in tests that host both.
internal static class WorkerProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && WorkerCommands.IsCommand(args[0]))
        {
            return await WorkerCommands.RunAsync(args);
        }

        var host = WorkerHost.CreateBuilder(args).Build();
        await host.Services.PrepareAsync();
        await host.RunAsync();
        return 0;
    }
}
