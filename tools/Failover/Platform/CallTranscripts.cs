using System.Net;
using System.Text.Json;

namespace AiAgent.Failover.Platform;

/// <summary>How much of a call's transcript lies before and after an event.</summary>
/// <param name="LinesBefore">Transcript lines stamped before the event began.</param>
/// <param name="LinesAfter">Lines stamped after it was over.</param>
/// <param name="Error">Why the transcript could not be read (then both counts are 0).</param>
internal sealed record TranscriptCheck(int LinesBefore, int LinesAfter, string? Error)
{
    /// <summary>The transcript carries the conversation across the event.</summary>
    public bool BeforeAndAfter => LinesBefore > 0 && LinesAfter > 0;
}

/// <summary>Reads a call's transcript from <c>GET /api/calls/{id}</c> on any silo still running (docs/api.md).</summary>
internal static class CallTranscripts
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Counts the call's transcript lines before <paramref name="eventStart"/> and after <paramref name="eventEnd"/> (only times are read, never the text).</summary>
    public static async Task<TranscriptCheck> CheckAsync(
        IEnumerable<PlatformNode> silos, Guid callId, DateTimeOffset eventStart, DateTimeOffset eventEnd, CancellationToken cancellationToken)
    {
        var error = "no silo running";
        foreach (var silo in silos.Where(static s => s.IsRunning))
        {
            try
            {
                using var response = await s_http.GetAsync(new Uri(silo.HttpBase, $"api/calls/{callId}"), cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return new TranscriptCheck(0, 0, $"{silo.Name}: 404, no such call");
                }

                if (!response.IsSuccessStatusCode)
                {
                    error = $"{silo.Name}: HTTP {(int)response.StatusCode}";
                    continue;
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                using var json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
                int before = 0, after = 0;
                if (json.RootElement.TryGetProperty("transcript", out var lines) && lines.ValueKind == JsonValueKind.Array)
                {
                    foreach (var line in lines.EnumerateArray())
                    {
                        if (line.TryGetProperty("atUtc", out var at) && at.TryGetDateTimeOffset(out var time))
                        {
                            before += time < eventStart ? 1 : 0;
                            after += time > eventEnd ? 1 : 0;
                        }
                    }
                }

                return new TranscriptCheck(before, after, null);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                error = $"{silo.Name}: {ex.GetType().Name}: {ex.Message}";
            }
        }

        return new TranscriptCheck(0, 0, error);
    }
}
