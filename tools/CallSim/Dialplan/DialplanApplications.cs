using System.Globalization;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// The applications the documented dialplans use. Each behaves as its Asterisk namesake does for the arguments
/// shown in docs/asterisk.md; an application not listed here stops the run with a clear <see cref="DialplanEnd.Failed"/>.
/// </summary>
internal sealed class DialplanApplications
{
    /// <summary>The applications this interpreter knows (names compare ignoring case, as Asterisk's do).</summary>
    public static IReadOnlyList<string> Supported { get; } =
        ["Answer", "AudioSocket", "Dial", "Goto", "GotoIf", "Hangup", "NoOp", "Queue", "Set", "TryExec", "Verbose", "Wait"];

    private readonly AudioSocketApplications _audioSocket = new();

    public async ValueTask<ApplicationResult> RunAsync(DialplanChannel channel, string application, string arguments, CancellationToken cancellationToken)
    {
        switch (application.ToUpperInvariant())
        {
            case "ANSWER":
                channel.Answered = true;
                return ApplicationResult.Next;
            case "NOOP":
                return ApplicationResult.Next;
            case "VERBOSE":
                var parts = ApplicationArguments.Split(arguments, 2);
                channel.Note(parts.Count > 1 ? parts[1] : parts[0]);
                return ApplicationResult.Next;
            case "SET":
                return Set(channel, arguments);
            case "GOTO":
                return arguments.Length == 0
                    ? Hangup(channel, "Goto requires an argument ([[context,]extension,]priority)")
                    : ApplicationResult.JumpTo(GotoTarget.Parse(arguments));
            case "GOTOIF":
                return GotoIf(channel, arguments);
            case "HANGUP":
                return Hangup(channel, arguments.Length == 0 ? "Hangup()" : $"Hangup({arguments})", arguments);
            case "WAIT":
                return await WaitAsync(channel, arguments, cancellationToken).ConfigureAwait(false);
            case "QUEUE":
                return ApplicationResult.Stop(new DialplanOutcome(DialplanEnd.Dialled, channel.Location, "queued", $"Queue({arguments})"));
            case "AUDIOSOCKET":
                return await _audioSocket.ApplicationAsync(channel, ApplicationArguments.Split(arguments), cancellationToken).ConfigureAwait(false);
            case "DIAL":
                return await _audioSocket.DialAsync(channel, ApplicationArguments.Split(arguments), cancellationToken).ConfigureAwait(false);
            case "TRYEXEC":
                return await TryExecAsync(channel, arguments, cancellationToken).ConfigureAwait(false);
            default:
                throw new DialplanException(
                    $"application '{application}' (line of {channel.Location}) is not supported by this interpreter; supported: {string.Join(", ", Supported)}");
        }
    }

    public static ApplicationResult Hangup(DialplanChannel channel, string detail, string? cause = null, bool logged = false)
    {
        channel.SetVariable("HANGUPCAUSE", cause is { Length: > 0 } ? cause : "16");
        if (!logged)
        {
            channel.Note(detail);
        }

        return ApplicationResult.Stop(new DialplanOutcome(DialplanEnd.HungUp, channel.Location, detail));
    }

    /// <summary>
    /// app_exec's <c>TryExec(app(args))</c>: runs the application and always returns to the dialplan, with
    /// <c>TRYSTATUS</c> <c>SUCCESS</c> (it returned 0) or <c>FAILED</c> (it returned -1, which without TryExec hangs the
    /// channel up). A channel that is itself hung up (<c>Hangup()</c>, the caller) stays hung up.
    /// </summary>
    private async ValueTask<ApplicationResult> TryExecAsync(DialplanChannel channel, string arguments, CancellationToken cancellationToken)
    {
        var open = arguments.IndexOf('(', StringComparison.Ordinal);
        var name = (open < 0 ? arguments : arguments[..open]).Trim();
        if (name.Length == 0)
        {
            channel.SetVariable("TRYSTATUS", "NOAPP");
            return ApplicationResult.Next;
        }

        var inner = open < 0 ? "" : arguments[(open + 1)..].TrimEnd();
        inner = inner.EndsWith(')') ? inner[..^1] : inner;
        var result = await RunAsync(channel, name, inner, cancellationToken).ConfigureAwait(false);
        var failed = result.End is { End: DialplanEnd.HungUp } && !string.Equals(name, "Hangup", StringComparison.OrdinalIgnoreCase);
        if (failed)
        {
            channel.SetVariable("TRYSTATUS", "FAILED");
            return ApplicationResult.Next;
        }

        if (result.End is null)
        {
            channel.SetVariable("TRYSTATUS", "SUCCESS");
        }

        return result;
    }

    /// <summary>pbx_builtin_setvar: the name is everything before the first <c>=</c>; the value is kept as it is, quotes included.</summary>
    private static ApplicationResult Set(DialplanChannel channel, string arguments)
    {
        var equals = arguments.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            channel.Warn("Set requires an '=' to be a valid assignment.");
            return ApplicationResult.Next;
        }

        var name = arguments[..equals];
        if (name.Contains('(', StringComparison.Ordinal))
        {
            throw new DialplanException($"Set({name}=…): writing a dialplan function is not supported by this interpreter");
        }

        if (name.Contains(' ', StringComparison.Ordinal))
        {
            channel.Warn($"Please avoid unnecessary spaces on variables as it may lead to unexpected results ('{name}' set to '{arguments[(equals + 1)..]}').");
        }

        channel.SetVariable(name, arguments[(equals + 1)..]);
        return ApplicationResult.Next;
    }

    /// <summary><c>GotoIf(condition?[iftrue]:[iffalse])</c>; a branch left empty continues at the next priority.</summary>
    private static ApplicationResult GotoIf(DialplanChannel channel, string arguments)
    {
        var question = arguments.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            channel.Warn("GotoIf requires an argument (condition?iftrue:iffalse)");
            return ApplicationResult.Next;
        }

        var branches = arguments[(question + 1)..];
        var colon = branches.IndexOf(':', StringComparison.Ordinal);
        var branch = DialplanExpression.IsTrue(arguments[..question].Trim())
            ? (colon < 0 ? branches : branches[..colon])
            : (colon < 0 ? "" : branches[(colon + 1)..]);
        return branch.Trim().Length == 0 ? ApplicationResult.Next : ApplicationResult.JumpTo(GotoTarget.Parse(branch));
    }

    private static async ValueTask<ApplicationResult> WaitAsync(DialplanChannel channel, string arguments, CancellationToken cancellationToken)
    {
        if (!double.TryParse(arguments, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
        {
            channel.Warn($"Wait: '{arguments}' is not a number of seconds");
            return ApplicationResult.Next;
        }

        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), channel.Settings.Time, cancellationToken).ConfigureAwait(false);
            return ApplicationResult.Next;
        }
        catch (OperationCanceledException)
        {
            return ApplicationResult.Stop(new DialplanOutcome(DialplanEnd.CallerHungUp, channel.Location, "the caller hung up during Wait()"));
        }
    }
}
