using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;

namespace AiAgent.Grains.Calls;

/// <summary>The checks of a call's start (<see cref="ICallGrain.AttachAsync"/>) before anything is opened, and the provider choice.</summary>
internal static class CallStartValidation
{
    /// <summary>
    /// Throws when a call in <paramref name="state"/> cannot start with <paramref name="request"/>; returns the format
    /// agent audio is to be published in.
    /// </summary>
    public static AudioFormat Validate(Guid callId, CallState state, CallStartRequest request)
    {
        if (state == CallState.Ended)
        {
            throw new InvalidOperationException($"call {callId} has already ended");
        }

        if (!request.Format.IsSupported)
        {
            throw new ArgumentException($"AudioSocket format {request.Format} is not supported", nameof(request));
        }

        var playout = request.EffectivePlayoutFormat;
        if (!playout.IsSupported || playout.Encoding != AudioEncoding.Pcm16)
        {
            throw new ArgumentException($"playout format {playout} is not supported (Asterisk reads slin back)", nameof(request));
        }

        return playout;
    }

    /// <summary>
    /// The provider a restored call carries on with (<paramref name="restored"/>, when still registered), else the
    /// registered provider named <paramref name="name"/> (the current <c>default_provider</c>).
    /// </summary>
    public static IAgentProvider SelectProvider(IEnumerable<IAgentProvider> providers, string? restored, string name) =>
        (restored is null ? null : providers.FirstOrDefault(p => p.Name == restored)) ?? SelectProvider(providers, name);

    /// <summary>The registered provider named <paramref name="name"/> (the current <c>default_provider</c>).</summary>
    public static IAgentProvider SelectProvider(IEnumerable<IAgentProvider> providers, string name) =>
        providers.FirstOrDefault(p => p.Name == name)
        ?? throw new InvalidOperationException($"provider '{name}' is not registered in this silo");
}
