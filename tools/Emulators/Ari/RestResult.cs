namespace AiAgent.Emulators.Ari;

/// <summary>A REST answer: status and optional JSON body.</summary>
internal readonly record struct RestResult(int Status, string? Json = null)
{
    public static RestResult NoContent => new(204);

    public static RestResult Error(int status, string message) => new(status, AriEventJson.Message(message));

    public static readonly RestResult ChannelNotFound = Error(404, "Channel not found");

    public static readonly RestResult NotInStasis = Error(409, "Channel not in Stasis application");

    public static readonly RestResult BridgeNotFound = Error(404, "Bridge not found");
}
