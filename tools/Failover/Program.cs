using AiAgent.Failover;
using Microsoft.Extensions.Logging;

// Ctrl+C stops the run in progress: calls hang up, every child process is stopped, the report of finished runs is written.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

using var loggers = LoggerFactory.Create(static logging => logging
    .AddSimpleConsole(static o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
        o.UseUtcTimestamp = true;
    })
    .SetMinimumLevel(LogLevel.Information));
return await FailoverCommand.RunAsync(args, loggers.CreateLogger("failover"), cancel.Token);
