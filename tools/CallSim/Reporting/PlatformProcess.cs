using System.Diagnostics;
using System.Globalization;

namespace AiAgent.CallSim.Reporting;

/// <summary>A platform process's CPU time, resident set, threads and open handles at one moment.</summary>
/// <param name="CpuTime">User + system CPU time since it started.</param>
/// <param name="RssBytes">Resident set (VmRSS); null where /proc is not readable.</param>
/// <param name="Threads">Threads (<c>Threads:</c> of /proc/PID/status); null where it is not readable.</param>
/// <param name="OpenHandles">Open file descriptors (sockets, files, pipes: the entries of /proc/PID/fd); null where it is not readable.</param>
/// <param name="GcHeapBytes">
/// The managed heap as the platform's last collection left it (<c>dotnet_gc_last_collection_heap_size_bytes</c>, all
/// generations, from its <c>/metrics</c>): what is live rather than what the GC keeps in reserve; null without
/// <c>--metrics</c>.
/// </param>
public readonly record struct PlatformSample(TimeSpan CpuTime, long? RssBytes, int? Threads = null, int? OpenHandles = null, long? GcHeapBytes = null);

/// <summary>
/// Reads another process's cost (<c>--platform-pid</c>): CPU time as .NET's <see cref="Process.TotalProcessorTime"/>
/// gives it (on Linux utime + stime from <c>/proc/PID/stat</c> over the kernel's clock ticks), and VmRSS from
/// <c>/proc/PID/status</c>, with its thread count, and its open descriptors from <c>/proc/PID/fd</c>.
/// </summary>
public static class PlatformProcess
{
    /// <summary>Samples process <paramref name="pid"/>.</summary>
    /// <exception cref="InvalidOperationException">No such process, or its figures cannot be read; the message says which.</exception>
    public static PlatformSample Sample(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            var cpu = process.TotalProcessorTime;
            var status = ReadStatus(pid);
            return new PlatformSample(
                cpu,
                (status is null ? null : ParseVmRssBytes(status)) ?? process.WorkingSet64,
                status is null ? null : ParseThreads(status),
                CountOpenHandles(pid));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            throw new InvalidOperationException($"--platform-pid {pid}: {ex.Message}", ex);
        }
    }

    /// <summary>VmRSS in bytes from the text of <c>/proc/PID/status</c>; null when the line is missing.</summary>
    public static long? ParseVmRssBytes(string status)
    {
        foreach (var raw in status.AsSpan().EnumerateLines())
        {
            if (!raw.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                continue;
            }

            var value = raw["VmRSS:".Length..].Trim();
            var space = value.IndexOf(' ');
            var number = space < 0 ? value : value[..space];
            return long.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb * 1024 : null; // the kernel's "kB" is KiB
        }

        return null;
    }

    /// <summary>The thread count from the text of <c>/proc/PID/status</c>; null when the line is missing.</summary>
    public static int? ParseThreads(string status)
    {
        foreach (var raw in status.AsSpan().EnumerateLines())
        {
            if (raw.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.TryParse(raw["Threads:".Length..].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var threads) ? threads : null;
            }
        }

        return null;
    }

    private static string? ReadStatus(int pid)
    {
        var path = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status";
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? CountOpenHandles(int pid)
    {
        var path = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd";
        try
        {
            return Directory.Exists(path) ? Directory.EnumerateFileSystemEntries(path).Count() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
