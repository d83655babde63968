using AiAgent.CallSim.Cli;

// Ctrl+C hangs the calls up like callers putting the phone down; the summary still prints.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return await CallSimCommand.RunAsync(args, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
