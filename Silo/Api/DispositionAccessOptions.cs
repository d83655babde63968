using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AiAgent.Silo.Api;

/// <summary>
/// <c>asterisk.disposition_clients</c>: the addresses (CIDR blocks) allowed to read <c>GET /api/calls/{id}/disposition</c>
/// without an operator token: the Asterisk hosts, whose dialplan reads it with <c>CURL()</c>, which cannot easily send
/// a bearer header. Only that endpoint honours the list; the address is the TCP peer's (no forwarded-for header is
/// trusted). Default: loopback only.
/// </summary>
public sealed class DispositionAccessOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "asterisk";

    /// <summary>The blocks allowed when none are configured.</summary>
    public static readonly IReadOnlyList<string> LoopbackOnly = ["127.0.0.0/8", "::1/128"];

    /// <summary><c>asterisk.disposition_clients</c>: CIDR blocks such as <c>10.0.4.0/24</c>; unset means <see cref="LoopbackOnly"/>.</summary>
    /// <remarks>Null by default (not a pre-filled list), because the configuration binder appends to a list it finds filled.</remarks>
    [ConfigurationKeyName("disposition_clients")]
    public string[]? DispositionClients { get; set; }

    /// <summary>The configured blocks parsed; call after validation.</summary>
    public IReadOnlyList<IPNetwork> Networks() => [.. (DispositionClients ?? [.. LoopbackOnly]).Select(IPNetwork.Parse)];

    /// <summary>Whether a peer at <paramref name="address"/> may read dispositions.</summary>
    public static bool Allows(IReadOnlyList<IPNetwork> networks, IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        var peer = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        foreach (var network in networks)
        {
            if (network.Contains(peer))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Validates <see cref="DispositionAccessOptions"/> at start-up: every entry a CIDR block.</summary>
public sealed class DispositionAccessOptionsValidator : IValidateOptions<DispositionAccessOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, DispositionAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = (options.DispositionClients ?? [])
            .Where(block => !IPNetwork.TryParse(block, out _))
            .Select(block => $"asterisk.disposition_clients: '{block}' is not a CIDR block such as 10.0.4.0/24 or 127.0.0.1/32")
            .ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
