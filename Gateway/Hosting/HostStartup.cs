using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.Hosting;

/// <summary>
/// Runs a host (the silo or the standalone gateway) until it is stopped. A start-up failure the operator fixes outside
/// the code (an invalid setting, a port another process holds) is written as such and gives exit code 1, rather than
/// an unhandled-exception abort (SIGABRT, exit code 134, a core dump where enabled) that buries the reason in a stack
/// trace.
/// </summary>
public static class HostStartup
{
    /// <summary>Starts <paramref name="app"/> and waits for its shutdown; 0 after a normal stop, 1 when it could not start.</summary>
    /// <param name="app">The built host (the caller disposes it).</param>
    /// <param name="errors">Where a start-up failure is written (standard error).</param>
    /// <param name="portKeys">The configuration keys of the ports this host listens on, named when one is taken.</param>
    public static async Task<int> RunAsync(WebApplication app, TextWriter errors, IEnumerable<string> portKeys)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            await app.StartAsync();
        }
        catch (Exception ex) when (ConfigurationErrors(ex) is { } invalid)
        {
            await WriteAsync(errors, InvalidConfigurationException.Heading, invalid);
            return 1;
        }
        catch (Exception ex) when (PortInUse(ex) is { } reason)
        {
            var ports = string.Join(", ", portKeys.Select(key => $"{key.Replace(':', '.')} {app.Configuration[key]}"));
            await WriteAsync(errors, "Cannot start: a port is already in use (by another process, or another instance of this one):",
                [reason, $"this process listens on {ports}"]);
            return 1;
        }

        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>
    /// The errors when <paramref name="exception"/> reports settings that cannot be used (a missing config file, an
    /// unknown key, a value out of range), otherwise null.
    /// </summary>
    public static IReadOnlyList<string>? ConfigurationErrors(Exception exception) => exception switch
    {
        InvalidConfigurationException invalid => invalid.Errors,
        OptionsValidationException invalid => [.. invalid.Failures],
        FileNotFoundException or InvalidDataException => [exception.Message],
        _ => null,
    };

    /// <summary>
    /// What could not be bound when <paramref name="exception"/> says a port is taken: Kestrel's HTTP endpoints wrap
    /// <see cref="AddressInUseException"/> in an <see cref="IOException"/> that names the address; Orleans and the
    /// AudioSocket listener throw it bare.
    /// </summary>
    private static string? PortInUse(Exception exception) => exception switch
    {
        AddressInUseException => exception.Message,
        IOException { InnerException: AddressInUseException } => exception.Message,
        _ => null,
    };

    /// <summary>Writes <paramref name="heading"/> and each line under it, indented.</summary>
    public static async Task WriteAsync(TextWriter writer, string heading, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteLineAsync(heading);
        foreach (var line in lines)
        {
            await writer.WriteLineAsync($"  {line}");
        }
    }
}
