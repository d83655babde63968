using System.Net.Sockets;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// <c>AudioSocket(uuid,host:port)</c> and <c>Dial(AudioSocket/host:port/uuid[/c(codec)],timeout,options)</c>: each places
/// a real AudioSocket call with CallSim and then does what docs/protocols/asterisk.md#when-the-server-ends-the-session
/// says the application or the channel driver does with how the server ended it, for the configured version.
/// <c>Dial</c> to any other technology is recorded as the destination the call reached, not executed.
/// </summary>
internal sealed class AudioSocketApplications
{
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromMilliseconds(2000);

    /// <summary>app_audiosocket: always slin 8 kHz (0x10), needs an answered channel, returns 0 or -1.</summary>
    public async ValueTask<ApplicationResult> ApplicationAsync(DialplanChannel channel, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var uuidText = args[0];
        if (uuidText.Length == 0)
        {
            return Fail(channel, "app_audiosocket.c: UUID is required");
        }

        if (!Guid.TryParseExact(uuidText, "D", out var uuid))
        {
            return Fail(channel, $"app_audiosocket.c: Failed to parse UUID '{uuidText}'");
        }

        var service = args.Count > 1 ? args[1] : "";
        if (!EndpointMap.TrySplitService(service, out var host, out var port))
        {
            return Fail(channel, $"res_audiosocket.c: service '{service}' is not host:port");
        }

        if (!channel.Answered)
        {
            // Asterisk connects first and only then finds the channel not up: the server sees a connection close without a UUID.
            await ConnectAndCloseAsync(channel, host, port, cancellationToken).ConfigureAwait(false);
            return Fail(channel, "app_audiosocket.c: Channel is not answered");
        }

        var session = await RunSessionAsync(channel, uuid, host, port, CallFormat.Slin, labelLegacy: false, cancellationToken).ConfigureAwait(false);
        var summary = session.Summary;
        var version = channel.Settings.Version;
        return summary.Outcome switch
        {
            CallOutcome.ServerHangupFrame when version.ContinuesAfterServerHangup => Continue(channel, "the server sent 00 00 00: AudioSocket returned 0"),
            CallOutcome.ServerClosed when version.ContinuesAfterServerHangup => Continue(channel, "the server closed the socket: AudioSocket returned 0"),
            CallOutcome.ServerHangupFrame => Fail(channel, $"the server sent 00 00 00: on Asterisk {version} the application returns -1 and the channel hangs up"),
            CallOutcome.ServerClosed => Fail(channel, $"the server closed the socket: Asterisk {version} does not notice EOF and polls the dead socket until the caller hangs up (asterisk#234)"),
            _ => Ended(channel, summary),
        };
    }

    /// <summary>app_dial with chan_audiosocket: the channel answers at once; after it hangs up the caller continues only with <c>g</c>.</summary>
    public async ValueTask<ApplicationResult> DialAsync(DialplanChannel channel, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var destination = args[0];
        var options = args.Count > 2 ? args[2] : "";
        if (!destination.StartsWith("AudioSocket/", StringComparison.OrdinalIgnoreCase) || destination.Contains('&', StringComparison.Ordinal))
        {
            channel.Note($"Called {destination}");
            return ApplicationResult.Stop(new DialplanOutcome(DialplanEnd.Dialled, channel.Location, "dialled", destination));
        }

        var parts = destination.Split('/');
        var service = parts.Length > 1 ? parts[1] : "";
        var uuidText = parts.Length > 2 ? parts[2] : "";
        var format = channel.Settings.CallerFormat; // without c(): the caller's first format
        string? problem = null;
        if (!EndpointMap.TrySplitService(service, out var host, out var port))
        {
            problem = $"Destination '{destination}' needs host:port";
        }
        else if (uuidText.Length == 0)
        {
            problem = "chan_audiosocket.c: UUID is required";
        }
        else if (!Guid.TryParseExact(uuidText, "D", out _))
        {
            problem = $"chan_audiosocket.c: Failed to parse UUID '{uuidText}'";
        }

        foreach (var option in parts.Skip(3))
        {
            if (option.StartsWith("c(", StringComparison.Ordinal) && option.EndsWith(')') && !CallFormat.TryParse(option[2..^1], out format))
            {
                problem ??= $"chan_audiosocket.c: codec '{option[2..^1]}' not found";
            }
        }

        if (problem is not null)
        {
            // The channel cannot be created: app_dial sets CHANUNAVAIL and the dialplan goes on.
            channel.Error(problem);
            channel.SetVariable("DIALSTATUS", "CHANUNAVAIL");
            return ApplicationResult.Next;
        }

        var version = channel.Settings.Version;
        var session = await RunSessionAsync(channel, Guid.ParseExact(uuidText, "D"), host, port, format, !version.LabelsRates, cancellationToken).ConfigureAwait(false);
        var summary = session.Summary;
        if (summary.Outcome == CallOutcome.ConnectFailed)
        {
            channel.Error($"chan_audiosocket.c: {summary.Error}");
            channel.SetVariable("DIALSTATUS", "CHANUNAVAIL");
            return ApplicationResult.Next;
        }

        if (summary.Outcome is CallOutcome.ServerHangupFrame or CallOutcome.ServerClosed)
        {
            var how = summary.Outcome == CallOutcome.ServerHangupFrame ? "sent 00 00 00" : "closed the socket";
            if (!version.ContinuesAfterServerHangup)
            {
                return Fail(channel, $"the server {how}: on Asterisk {version} the dialplan does not continue (not observed there; assumed)");
            }

            channel.SetVariable("DIALSTATUS", "ANSWER");
            channel.SetVariable("HANGUPCAUSE", "16");
            return HasOption(options, 'g')
                ? Continue(channel, $"the server {how}: the AudioSocket channel hung up, Dial's g option continues the dialplan")
                : Fail(channel, $"the server {how}: the AudioSocket channel hung up, and without Dial's g option so does the caller");
        }

        return Ended(channel, summary);
    }

    private static async Task<CallResult> RunSessionAsync(
        DialplanChannel channel, Guid uuid, string host, int port, CallFormat format, bool labelLegacy, CancellationToken cancellationToken)
    {
        var settings = channel.Settings;
        settings.OnAudioSocketStarted?.Invoke(uuid);
        var audio = settings.CallerSpeech(format);
        var onSpeech = settings.OnAgentSpeech is { } speech ? () => speech(uuid) : (Action?)null;
        var targets = settings.Endpoints.ResolveAll(host, port);
        var conversation = settings.Conversation is { } talk && channel.Sessions.Count > 0 ? talk with { GreetingWait = TimeSpan.Zero } : settings.Conversation;
        CallResult result = null!;
        foreach (var (toHost, toPort) in targets)
        {
            // Several targets stand for a Service: the connection goes to the first that accepts.
            result = await AsteriskSimulator.RunCallAsync(new CallSettings
            {
                Host = toHost,
                Port = toPort,
                CallId = uuid,
                Audio = audio,
                LabelLegacy = labelLegacy,
                LeadingSilence = settings.LeadingSilence,
                Tail = settings.CallerPatience,
                ConnectTimeout = s_connectTimeout,
                CloseWait = TimeSpan.Zero, // Asterisk closes at once and checks nothing
                OnAgentSpeech = onSpeech,
                Conversation = conversation,
            }, cancellationToken).ConfigureAwait(false);
            if (result.Summary.Outcome != CallOutcome.ConnectFailed)
            {
                break;
            }

            if (targets.Count > 1)
            {
                channel.Note($"AudioSocket {uuid}: {toHost}:{toPort} did not accept ({result.Summary.Error})");
            }
        }

        channel.AddSession(result);
        var s = result.Summary;
        var via = targets.Count > 1 ? $" via {s.Target}" : "";
        channel.Note($"AudioSocket {uuid} to {host}:{port}{via} ({format.Name}{(labelLegacy ? ", labelled 0x10" : "")}): {s.Outcome} after {s.DurationMs:0} ms, {s.FramesSent} frames sent, {s.FramesReceived} received");
        return result;
    }

    /// <summary>The outcomes that end the call the same way for the application and the channel driver.</summary>
    private static ApplicationResult Ended(DialplanChannel channel, CallSummary summary) => summary.Outcome switch
    {
        CallOutcome.CallerHangup or CallOutcome.NotStarted => ApplicationResult.Stop(
            new DialplanOutcome(DialplanEnd.CallerHungUp, channel.Location, "the caller hung up while the AudioSocket session ran")),
        CallOutcome.ProtocolViolation => Fail(channel, $"res_audiosocket.c: {string.Join("; ", summary.ViolationDetails)}"),
        CallOutcome.ConnectFailed => Fail(channel, $"res_audiosocket.c: {summary.Error}"),
        _ => Fail(channel, $"res_audiosocket.c: {summary.Outcome} {summary.Error}"),
    };

    private static ApplicationResult Continue(DialplanChannel channel, string detail)
    {
        channel.Note(detail);
        return ApplicationResult.Next;
    }

    private static ApplicationResult Fail(DialplanChannel channel, string detail)
    {
        channel.Error(detail);
        return DialplanApplications.Hangup(channel, detail, logged: true);
    }

    /// <summary>A Dial option letter outside any parenthesised option argument.</summary>
    private static bool HasOption(string options, char option)
    {
        var depth = 0;
        foreach (var c in options)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth == 0 && c == option)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task ConnectAndCloseAsync(DialplanChannel channel, string host, int port, CancellationToken cancellationToken)
    {
        var (toHost, toPort) = channel.Settings.Endpoints.Resolve(host, port);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_connectTimeout);
        try
        {
            await socket.ConnectAsync(toHost, toPort, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            channel.Error($"res_audiosocket.c: connect to {host}:{port} failed: {ex.Message}");
        }
    }
}
