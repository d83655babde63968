using System.Text.Json;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Cli;

/// <summary>The command: parse, load the WAV, run the calls, write the recording, print the summary.</summary>
public static class CallSimCommand
{
    /// <summary>Exit code when every call passed.</summary>
    public const int Passed = 0;

    /// <summary>Exit code when a call failed its checks.</summary>
    public const int Failed = 1;

    /// <summary>Exit code for a bad command line or input file.</summary>
    public const int BadInput = 2;

    /// <summary>Runs the command; Ctrl+C (the token) hangs up the calls in progress and still prints the summary.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        CliOptions? options;
        IReadOnlyList<CallSettings> calls;
        try
        {
            options = CommandLine.Parse(args, Path.Combine(AppContext.BaseDirectory, "assets", "hello.wav"));
            if (options is null)
            {
                await output.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
                return Passed;
            }

            var audio = CallAudio.FromWav(options.Wav, options.Format);
            calls = options.ToCallSettings(audio);
            foreach (var call in calls)
            {
                call.Validate();
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"callsim: {ex.Message}").ConfigureAwait(false);
            return BadInput;
        }

        var result = await AsteriskSimulator.RunAsync(calls, options.EffectiveRamp, cancellationToken).ConfigureAwait(false);
        if (options.Out is { } path)
        {
            var first = result.Calls[0];
            try
            {
                WavRecording.Write(path, first.Format, first.ReceivedAudio.Span);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"callsim: --out {path}: {ex.Message}").ConfigureAwait(false);
            }
        }

        var text = (options.Calls, options.Json) switch
        {
            (1, true) => JsonSerializer.Serialize(result.Calls[0].Summary, CallSimJsonContext.Default.CallSummary),
            (1, false) => SummaryText.Format(result.Calls[0].Summary, result.Load.PacerLateness),
            (_, true) => JsonSerializer.Serialize(result.Load, CallSimJsonContext.Default.LoadSummary),
            _ => SummaryText.Format(result.Load),
        };
        await output.WriteLineAsync(text).ConfigureAwait(false);
        return result.Load.Failed == 0 ? Passed : Failed;
    }
}
