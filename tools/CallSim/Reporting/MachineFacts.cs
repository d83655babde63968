using System.Runtime.InteropServices;

namespace AiAgent.CallSim.Reporting;

/// <summary>The machine a run measured on: a figure means little without the cores and the load beside it.</summary>
/// <param name="ProcessorCount">Logical processors this process may use.</param>
/// <param name="Os">Operating system description.</param>
/// <param name="DotNet">The .NET runtime.</param>
/// <param name="LoadAverageBefore">/proc/loadavg's 1, 5 and 15 minute figures before the run; null where absent.</param>
/// <param name="LoadAverageAfter">The same after the run.</param>
public sealed record MachineFacts(int ProcessorCount, string Os, string DotNet, string? LoadAverageBefore, string? LoadAverageAfter)
{
    /// <summary>The facts now, with the load average read before the run.</summary>
    public static MachineFacts Now(string? loadAverageBefore) =>
        new(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, loadAverageBefore, ReadLoadAverage());

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg; null where it cannot be read.</summary>
    public static string? ReadLoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length >= 3 ? string.Join(' ', fields[..3]) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
