namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// Parses the documented command-line forms into configuration keys: <c>--key=value</c>,
/// <c>--section:key=value</c> and <c>--key value</c> (a later argument wins). Pure: every argument either becomes a
/// key or an error naming it, so nothing is dropped without a word.
/// </summary>
public static class CommandLineOverrides
{
    /// <summary>The keys the arguments set and one error per argument that cannot be used.</summary>
    /// <param name="Keys">Configuration keys (sections joined by <c>:</c>) and their values.</param>
    /// <param name="Errors">Each names the argument as given.</param>
    public sealed record Result(IReadOnlyDictionary<string, string?> Keys, IReadOnlyList<string> Errors);

    /// <summary>Parses <paramref name="args"/>.</summary>
    public static Result Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var keys = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"'{arg}': not a --key=value, --section:key=value or --key value argument");
                continue;
            }

            var body = arg[2..];
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            string key;
            string value;
            if (equals >= 0)
            {
                key = body[..equals];
                value = body[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                key = body;
                value = args[++i];
            }
            else
            {
                errors.Add($"'{arg}': no value (use --key=value or --key value)");
                continue;
            }

            if (KeyError(key) is { } error)
            {
                errors.Add($"'{arg}': {error}");
                continue;
            }

            keys[key] = value;
        }

        return new Result(keys, errors);
    }

    private static string? KeyError(string key) =>
        key.Length == 0 ? "the key is empty"
        : key.Any(char.IsWhiteSpace) ? "a key has no spaces"
        : key.StartsWith(':') || key.EndsWith(':') || key.Contains("::", StringComparison.Ordinal)
            ? "a section path is names joined by single ':' (--section:key=value)"
        : null;
}
