using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover.Processes;

/// <summary>
/// A process the harness started: its stdout and stderr go line by line to a log file (appended, so a restarted
/// process continues the same file after a marker line), and it can be signalled, awaited and stopped.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly LogFile _log;
    private readonly ILogger _logger;
    private readonly Stopwatch _age = Stopwatch.StartNew();

    private ChildProcess(string name, Process process, LogFile log, ILogger logger)
    {
        Name = name;
        _process = process;
        _log = log;
        _logger = logger;
    }

    /// <summary>The name used in logs and reports (<c>silo1</c>, <c>gateway</c>, <c>redis</c>).</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once it has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>How long ago it was started.</summary>
    public TimeSpan Age => _age.Elapsed;

    /// <summary>Starts <paramref name="fileName"/>, logging to <paramref name="logPath"/>.</summary>
    public static ChildProcess Start(
        string name, string fileName, IEnumerable<string> arguments, string logPath, string workingDirectory, ILogger logger)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var log = new LogFile(logPath);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => log.Write(e.Data);
        process.ErrorDataReceived += (_, e) => log.Write(e.Data);
        log.Write($"=== {DateTimeOffset.UtcNow:O} failover harness: {fileName} {string.Join(' ', start.ArgumentList)}");
        try
        {
            process.Start();
        }
        catch
        {
            log.Dispose();
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Log.ProcessStarted(logger, name, process.Id);
        return new ChildProcess(name, process, log, logger);
    }

    /// <summary>Sends a signal (nothing happens if it has already exited).</summary>
    public void Signal(UnixSignal signal)
    {
        if (!_process.HasExited && UnixSignals.Send(_process.Id, signal))
        {
            Log.Signalled(_logger, signal == UnixSignal.Kill ? "SIGKILL" : "SIGTERM", Name, _process.Id);
        }
    }

    /// <summary>Waits for the process to exit; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            Log.ProcessExited(_logger, Name, _process.ExitCode, _age.Elapsed.TotalSeconds);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>; true when it exited by itself.</summary>
    public async Task<bool> StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            return true;
        }

        Signal(UnixSignal.Term);
        if (await WaitForExitAsync(grace, cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        Log.ProcessStuck(_logger, Name, grace.TotalSeconds);
        Signal(UnixSignal.Kill);
        await WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
        return false;
    }

    /// <summary>Stops it if still running (SIGTERM, 15 s grace) and closes its log.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(15), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _process.Dispose();
            _log.Dispose();
        }
    }
}

/// <summary>
/// An append-only log file written from the process's output events, each line stamped with the UTC time it arrived
/// (the child's console logger writes within milliseconds), so a child's log lines up with the report's event steps;
/// lines after closing are dropped.
/// </summary>
internal sealed class LogFile(string path) : IDisposable
{
    private readonly StreamWriter _writer = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    private bool _closed;

    public void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_writer)
        {
            if (!_closed)
            {
                _writer.Write(DateTime.UtcNow.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture));
                _writer.WriteLine(line);
            }
        }
    }

    public void Dispose()
    {
        lock (_writer)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}
