using System.Globalization;
using AiAgent.CallSim.Audio;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// <c>callsim --dialplan FILE --context C --exten E</c>: runs one call through a dialplan (an
/// <c>extensions.conf</c>, or the tested blocks of a Markdown file such as docs/asterisk.md) against a running
/// platform, and prints what Asterisk would have logged and where the call ended.
/// </summary>
public static class DialplanCommand
{
    /// <summary>The help text.</summary>
    public const string Usage = """
        usage: dotnet run --project tools/CallSim -- --dialplan FILE --context NAME --exten EXT [options]

          --dialplan FILE          extensions.conf text, or a Markdown file whose dialplans are marked
                                   <!-- tested: NAME --> (docs/asterisk.md): all its marked blocks, or --block
          --block NAME             only this marked block of the Markdown file
          --context NAME           the context the call enters
          --exten EXT              the extension dialled
          --map NAME:PORT=HOST:PORT  reach NAME:PORT (an AudioSocket service or a CURL URL's host) at HOST:PORT
                                   instead; repeatable (e.g. --map gateway-host:8090=127.0.0.1:8090)
          --asterisk-version V     the Asterisk imitated (default 22.10.0); before 20.14/21.9/22.4/23.0 the
                                   dialplan does not continue after the server ends the session
          --wav PATH               the caller's speech in each AudioSocket session (default: 1 s of silence)
          --caller-format F        the caller channel's first format, which Dial(AudioSocket/...) without c()
                                   speaks (default slin; ulaw for a G.711 caller)
          --patience SEC           how long the caller stays on after speaking before hanging up (default 30)

        exit code: 0 the call ended as Asterisk would end it, with no warning; 1 a warning, or a step the
        interpreter does not support; 2 bad command line or dialplan.
        """;

    /// <summary>Runs the command.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            await output.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        DialplanRunSettings settings;
        Dialplan dialplan;
        try
        {
            (dialplan, settings) = Parse(args);
        }
        catch (Exception ex) when (ex is FormatException or DialplanException or IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            await error.WriteLineAsync($"callsim: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var result = await new DialplanInterpreter(dialplan).RunAsync(settings, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(result.Describe()).ConfigureAwait(false);
        return result.Outcome.End != DialplanEnd.Failed && !result.Warnings.Any() ? 0 : 1;
    }

    private static (Dialplan Dialplan, DialplanRunSettings Settings) Parse(IReadOnlyList<string> args)
    {
        string? file = null, block = null, context = null, exten = null, wav = null;
        var version = AsteriskVersion.Default;
        var callerFormat = CallFormat.Slin;
        var patience = TimeSpan.FromSeconds(30);
        var endpoints = new EndpointMap();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new FormatException($"{name} needs a value");
            switch (name)
            {
                case "--dialplan": file = Value(); break;
                case "--block": block = Value(); break;
                case "--context": context = Value(); break;
                case "--exten": exten = Value(); break;
                case "--wav": wav = Value(); break;
                case "--map": endpoints.Add(Value()); break;
                case "--asterisk-version":
                    var given = Value();
                    version = AsteriskVersion.TryParse(given, out var parsed) ? parsed : throw new FormatException($"{name}: '{given}' is not a version such as 22.4.0");
                    break;
                case "--caller-format":
                    var formatName = Value();
                    callerFormat = CallFormat.TryParse(formatName, out var f) ? f : throw new FormatException($"{name}: '{formatName}' is not a format such as slin, slin16 or ulaw");
                    break;
                case "--patience":
                    var seconds = Value();
                    patience = double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= 86_400
                        ? TimeSpan.FromSeconds(s)
                        : throw new FormatException($"{name}: '{seconds}' is not a number of seconds from 0 to 86400");
                    break;
                default: throw new FormatException($"unknown option '{name}' with --dialplan (see --help)");
            }
        }

        if (file is null || context is null || exten is null)
        {
            throw new FormatException("--dialplan, --context and --exten are required");
        }

        var text = File.ReadAllText(file);
        var conf = file.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
            ? block is null ? string.Join("\n", DialplanDocument.TestedBlocks(text).Values) : DialplanDocument.TestedBlock(text, block)
            : text;
        var settings = new DialplanRunSettings
        {
            Context = context,
            Extension = exten,
            Version = version,
            Endpoints = endpoints,
            CallerPatience = patience,
            CallerFormat = callerFormat,
        };
        if (wav is not null)
        {
            CallAudio.FromWav(wav, CallFormat.Slin); // fail early on an unreadable file
            settings = settings with { CallerSpeech = format => CallAudio.FromWav(wav, format) };
        }

        return (Dialplan.Parse(conf), settings);
    }
}
