using AiAgent.Grains.Configuration;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>The <c>providers.deepgram</c> block as a property of <see cref="ProvidersOptions"/>, added by this provider rather than by shared code.</summary>
public static class DeepgramProvidersOptionsExtensions
{
    extension(ProvidersOptions providers)
    {
        /// <summary><c>providers.deepgram</c>.</summary>
        public DeepgramOptions Deepgram
        {
            get => providers.Get<DeepgramOptions>(DeepgramOptions.Name);
            set => providers.Set(DeepgramOptions.Name, value);
        }
    }
}
