using AiAgent.Grains.Configuration;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>The <c>providers.openai_realtime</c> block as a property of <see cref="ProvidersOptions"/>, added by this provider rather than by shared code.</summary>
public static class OpenAIRealtimeProvidersOptionsExtensions
{
    extension(ProvidersOptions providers)
    {
        /// <summary><c>providers.openai_realtime</c>.</summary>
        public OpenAIRealtimeOptions OpenAIRealtime
        {
            get => providers.Get<OpenAIRealtimeOptions>(OpenAIRealtimeOptions.Name);
            set => providers.Set(OpenAIRealtimeOptions.Name, value);
        }
    }
}
