using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace AiAgent.Deploy.Tests;

/// <summary>
/// <c>kubectl kustomize DIR</c>, the renderer <c>kubectl apply -k</c> uses. The manifests use kustomize 5 features
/// (<c>labels</c>, <c>replacements</c>), so an older kubectl is reported as such rather than as a rendering error.
/// </summary>
internal static class Kustomize
{
    /// <summary>The oldest kustomize the manifests are written for (kubectl 1.27 and later embed it).</summary>
    public static readonly Version Minimum = new(5, 0);

    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Renders <paramref name="directory"/>; throws with kubectl's message when it fails.</summary>
    public static async Task<string> RenderAsync(string directory)
    {
        var (exitCode, output, error) = await RunAsync("kustomize", directory);
        return exitCode == 0
            ? output
            : throw new InvalidOperationException($"kubectl kustomize {directory} failed ({exitCode}):{Environment.NewLine}{error}");
    }

    /// <summary>The kustomize version kubectl embeds.</summary>
    public static async Task<Version> VersionAsync()
    {
        var (exitCode, output, error) = await RunAsync("version", "--client", "-o", "json");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"kubectl version failed ({exitCode}): {error}");
        }

        using var json = JsonDocument.Parse(output);
        var text = json.RootElement.GetProperty("kustomizeVersion").GetString() ?? "";
        return Version.Parse(text.TrimStart('v'));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("kubectl is not installed (./test.sh installs it)", ex);
        }

        using (process)
        using (var cancellation = new CancellationTokenSource(Limit))
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellation.Token);
            var error = process.StandardError.ReadToEndAsync(cancellation.Token);
            try
            {
                await process.WaitForExitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl {string.Join(' ', arguments)} did not finish within {Limit.TotalSeconds} s");
            }

            return (process.ExitCode, await output, await error);
        }
    }
}
