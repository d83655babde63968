using AiAgent.Grains.Configuration;

namespace AiAgent.Grains.Providers.Local;

/// <summary>The <c>providers.local</c> block as a property of <see cref="ProvidersOptions"/>, added by this provider rather than by shared code.</summary>
public static class LocalProvidersOptionsExtensions
{
    extension(ProvidersOptions providers)
    {
        /// <summary><c>providers.local</c>.</summary>
        public LocalProviderOptions Local
        {
            get => providers.Get<LocalProviderOptions>(LocalProviderOptions.Name);
            set => providers.Set(LocalProviderOptions.Name, value);
        }
    }
}
