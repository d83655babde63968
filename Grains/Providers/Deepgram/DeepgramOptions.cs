namespace AiAgent.Grains.Providers.Deepgram;

/// <summary><c>providers.deepgram</c>. Filled in by the Deepgram provider work.</summary>
public sealed class DeepgramOptions
{
    /// <summary>The provider's config name.</summary>
    public const string Name = "deepgram";

    /// <summary>Appends an error per invalid key to <paramref name="errors"/>, each prefixed with <paramref name="path"/>.</summary>
    /// <param name="path">The YAML path of this block.</param>
    /// <param name="errors">Where errors go.</param>
    /// <param name="isDefault">True when this provider is <c>default_provider</c> (then a missing API key is an error).</param>
    public void Validate(string path, List<string> errors, bool isDefault)
    {
        _ = path;
        _ = errors;
        _ = isDefault;
    }
}
