namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// Runs a dialplan on one simulated channel as Asterisk's PBX loop does: priority 1 of the dialled extension, then
/// each next priority unless an application jumps or ends the call; a missing extension goes to <c>i</c> if the
/// context has one, else the channel hangs up; running off the last priority hangs up ("auto fallthrough").
/// Applications run with their arguments substituted; <c>AudioSocket()</c> and <c>Dial(AudioSocket/…)</c> place real
/// AudioSocket calls through CallSim. See docs/callsim.md#dialplans for what is covered.
/// </summary>
public sealed class DialplanInterpreter(Dialplan dialplan)
{
    /// <summary>Runs one call through the dialplan and reports what happened. Cancelling hangs the caller up.</summary>
    public async Task<DialplanRunResult> RunAsync(DialplanRunSettings settings, CancellationToken cancellationToken = default)
    {
        using var ownHttp = settings.Http is null ? new HttpClient { Timeout = Timeout.InfiniteTimeSpan } : null;
        var functions = new DialplanFunctions(settings, settings.Http ?? ownHttp!);
        var channel = new DialplanChannel(dialplan, settings, functions);
        if (dialplan.Find(settings.Context) is null)
        {
            return channel.Finish(new DialplanOutcome(DialplanEnd.Failed, null, $"no context [{settings.Context}]"));
        }

        var applications = new DialplanApplications();
        for (var step = 0; step < settings.MaxSteps; step++)
        {
            var context = dialplan.Find(channel.Context);
            var extension = context?.Match(channel.Extension);
            if (extension is null)
            {
                if (context?.Match("i") is not null && channel.Extension != "i")
                {
                    channel.Note($"Invalid extension '{channel.Extension}' in context '{channel.Context}'");
                    channel.SetVariable("INVALID_EXTEN", channel.Extension);
                    channel.Extension = "i";
                    channel.Priority = 1;
                    continue;
                }

                return Hangup(channel, $"Channel '{channel.Name}' sent to invalid extension but no invalid handler: context,exten,priority={channel.Context},{channel.Extension},{channel.Priority}");
            }

            var priority = extension.Find(channel.Priority);
            if (priority is null)
            {
                return Hangup(channel, $"Auto fallthrough: {channel.Context},{channel.Extension} has no priority {channel.Priority}");
            }

            channel.Label = priority.Label;
            var arguments = await VariableSubstitution.ExpandAsync(priority.Arguments, channel, cancellationToken).ConfigureAwait(false);
            var executed = new ExecutedStep(channel.Location, priority.Application, arguments);
            channel.Record(executed);
            settings.OnStep?.Invoke(executed);

            ApplicationResult result;
            try
            {
                result = await applications.RunAsync(channel, priority.Application, arguments, cancellationToken).ConfigureAwait(false);
            }
            catch (DialplanException ex)
            {
                return channel.Finish(new DialplanOutcome(DialplanEnd.Failed, channel.Location, ex.Message));
            }

            if (result.End is { } end)
            {
                return channel.Finish(end);
            }

            if (result.Jump is { } jump)
            {
                if (!TryJump(channel, jump))
                {
                    return Hangup(channel, $"Priority '{jump.Priority}' must be a number > 0, or valid label");
                }

                continue;
            }

            channel.Priority++;
        }

        return channel.Finish(new DialplanOutcome(DialplanEnd.Failed, channel.Location, $"stopped after {settings.MaxSteps} applications (a loop?)"));
    }

    /// <summary>ast_parseable_goto: a label must exist in the target extension; a number is taken as it is.</summary>
    private bool TryJump(DialplanChannel channel, GotoTarget target)
    {
        var context = target.Context is { Length: > 0 } c ? c : channel.Context;
        var extension = target.Extension is { Length: > 0 } e ? e : channel.Extension;
        int priority;
        if (int.TryParse(target.Priority, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            priority = number;
        }
        else if (dialplan.Find(context)?.Match(extension)?.FindLabel(target.Priority) is { } labelled)
        {
            priority = labelled;
        }
        else
        {
            channel.Warn($"Priority '{target.Priority}' must be a number > 0, or valid label");
            return false;
        }

        channel.Context = context;
        channel.Extension = extension;
        channel.Priority = priority;
        return true;
    }

    private static DialplanRunResult Hangup(DialplanChannel channel, string detail)
    {
        channel.Note(detail);
        return channel.Finish(new DialplanOutcome(DialplanEnd.HungUp, channel.Location, detail));
    }
}
