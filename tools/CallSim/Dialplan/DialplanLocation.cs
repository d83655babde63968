namespace AiAgent.CallSim.Dialplan;

/// <summary>Where a channel is in the dialplan: context, extension, priority (and its label, if it has one).</summary>
public sealed record DialplanLocation(string Context, string Extension, int Priority, string? Label = null)
{
    /// <inheritdoc />
    public override string ToString() => $"{Context},{Extension},{Priority}{(Label is null ? "" : $"({Label})")}";
}
