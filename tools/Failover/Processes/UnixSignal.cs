using System.Runtime.InteropServices;

namespace AiAgent.Failover.Processes;

/// <summary>The signals the harness sends.</summary>
internal enum UnixSignal
{
    /// <summary>Graceful stop, as Kubernetes and Ctrl+C ask for.</summary>
    Term = 15,

    /// <summary>Immediate death: the process gets no chance to clean up, as when a node dies.</summary>
    Kill = 9,
}

/// <summary>kill(2), for SIGTERM, which .NET cannot send (Process.Kill is SIGKILL).</summary>
internal static partial class UnixSignals
{
    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process is already gone.</summary>
    public static bool Send(int pid, UnixSignal signal) => SendSignal(pid, (int)signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
