namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// <c>[[context,]extension,]priority</c> as Goto and GotoIf take it; the priority is a number or a label of the
/// target extension. Parts left out stay where the channel is.
/// </summary>
public sealed record GotoTarget(string? Context, string? Extension, string Priority)
{
    /// <summary>Parses the target text.</summary>
    public static GotoTarget Parse(string text)
    {
        var parts = text.Split(',', 3);
        return parts.Length switch
        {
            1 => new GotoTarget(null, null, parts[0].Trim()),
            2 => new GotoTarget(null, parts[0].Trim(), parts[1].Trim()),
            _ => new GotoTarget(parts[0].Trim(), parts[1].Trim(), parts[2].Trim()),
        };
    }
}
