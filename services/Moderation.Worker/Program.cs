using Moderation.Worker;
using Moderation.Worker.Cli;

if (args.Length > 0 && WorkerCommands.IsCommand(args[0]))
{
    return await WorkerCommands.RunAsync(args);
}

var host = WorkerHost.CreateBuilder(args).Build();
await host.Services.PrepareAsync();
await host.RunAsync();
return 0;
