using System.Net;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Asterisk;

/// <summary>Validates <see cref="AsteriskModeOptions"/> at start-up; <c>asterisk.ari</c> only when the mode is <c>ari</c>. Every error names its key.</summary>
public sealed class AsteriskModeOptionsValidator : IValidateOptions<AsteriskModeOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, AsteriskModeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (!AsteriskModeOptions.Modes.Contains(options.Mode, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"asterisk.mode: '{options.Mode}' is not valid; allowed values: {string.Join(", ", AsteriskModeOptions.Modes)}");
        }
        else if (options.UsesAri)
        {
            ValidateAri(options.Ari, errors);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateAri(AriOptions ari, List<string> errors)
    {
        if (!Uri.TryCreate(ari.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"asterisk.ari.url: '{ari.Url}' is not an http(s) URL such as http://pbx:8088/ari");
        }

        Required(errors, "asterisk.ari.app", ari.App);
        Required(errors, "asterisk.ari.username", ari.Username);
        Required(errors, "asterisk.ari.transfer_context", ari.TransferContext);
        if (string.IsNullOrWhiteSpace(ari.PasswordEnv))
        {
            errors.Add("asterisk.ari.password_env: must name the environment variable that holds the ARI password");
        }
        else if (ari.ReadPassword() is null)
        {
            errors.Add($"asterisk.ari.password_env: the environment variable {ari.PasswordEnv} is not set (asterisk.mode is 'ari')");
        }

        var hosts = ari.ExternalHosts();
        if (hosts.Count == 0 || hosts.Any(host => !IPEndPoint.TryParse(host, out _) && !IsHostAndPort(host)))
        {
            errors.Add($"asterisk.ari.external_host: '{ari.ExternalHost}' is not host:port or a comma-separated list of them (the gateways as Asterisk reaches them)");
        }

        if (!AriOptions.Formats.Contains(ari.Format, StringComparer.Ordinal))
        {
            errors.Add($"asterisk.ari.format: '{ari.Format}' is not valid; allowed values: {string.Join(", ", AriOptions.Formats)}");
        }
    }

    private static bool IsHostAndPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0
            && Uri.CheckHostName(value[..colon]) is UriHostNameType.Dns or UriHostNameType.IPv4
            && int.TryParse(value[(colon + 1)..], out var port) && port is >= 1 and <= 65_535;
    }

    private static void Required(List<string> errors, string key, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{key}: must not be empty");
        }
    }
}
