using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// Reads <c>config/ai-agent.yaml</c> (YamlDotNet) into <see cref="IConfiguration"/> keys such as
/// <c>audiosocket:port</c>, so each component binds and validates its own section with the options pattern
/// and environment variables can override single keys.
/// </summary>
/// <remarks>
/// Written by hand because the one packaged YAML source on the mirror clears all keys when a reload fails to
/// parse; a bad edit here keeps the last good keys and reports the error through <see cref="LastError"/>.
/// It lives in the contracts project because the gateway and the silo both read the file and the gateway may
/// reference nothing else of ours.
/// </remarks>
public sealed class YamlConfigurationSource : FileConfigurationSource
{
    /// <summary>The error of the last load, or null when it parsed.</summary>
    public string? LastError { get; internal set; }

    /// <inheritdoc/>
    public override IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        EnsureDefaults(builder);
        return new YamlConfigurationProvider(this);
    }
}

/// <summary>The provider behind <see cref="YamlConfigurationSource"/>.</summary>
public sealed class YamlConfigurationProvider(YamlConfigurationSource source) : FileConfigurationProvider(source)
{
    private readonly YamlConfigurationSource _source = source;
    private bool _loadedOnce;

    /// <inheritdoc/>
    public override void Load(Stream stream)
    {
        try
        {
            Data = Parse(stream);
            _source.LastError = null;
            _loadedOnce = true;
        }
        catch (Exception ex) when (ex is YamlException or InvalidDataException && _loadedOnce)
        {
            // A bad edit while running: keep the last good keys (Data is untouched) and let the host log it.
            _source.LastError = ex.Message;
        }
    }

    /// <summary>Flattens a YAML document into configuration keys; throws <see cref="InvalidDataException"/> naming the line.</summary>
    public static Dictionary<string, string?> Parse(Stream stream)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var yaml = new YamlStream();
        try
        {
            using var reader = new StreamReader(stream);
            yaml.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new InvalidDataException($"config YAML is not valid at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}", ex);
        }

        if (yaml.Documents.Count == 0)
        {
            return data;
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidDataException("config YAML must be a mapping of keys at the top level");
        }

        Flatten(root, prefix: null, data);
        return data;
    }

    private static void Flatten(YamlNode node, string? prefix, Dictionary<string, string?> data)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
                    Flatten(valueNode, prefix is null ? key : ConfigurationPath.Combine(prefix, key), data);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Flatten(sequence.Children[i], ConfigurationPath.Combine(prefix!, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), data);
                }

                break;
            case YamlScalarNode scalar when prefix is not null:
                var isNull = scalar.Style == ScalarStyle.Plain && scalar.Value is null or "~" or "null" or "";
                data[prefix] = isNull ? null : scalar.Value;
                break;
        }
    }
}

/// <summary>Registers the YAML file as a configuration source.</summary>
public static class YamlConfigurationExtensions
{
    /// <summary>Adds a YAML file; with <paramref name="reloadOnChange"/>, edits apply without a restart.</summary>
    public static IConfigurationBuilder AddYamlFile(this IConfigurationBuilder builder, string path, bool optional, bool reloadOnChange)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        return builder.Add(new YamlConfigurationSource
        {
            FileProvider = Directory.Exists(directory) ? new PhysicalFileProvider(directory) : null,
            Path = Path.GetFileName(full),
            Optional = optional,
            ReloadOnChange = reloadOnChange,
            ReloadDelay = 250,
        });
    }

    /// <summary>The YAML source of a configuration, if any (the host logs its reload errors).</summary>
    public static YamlConfigurationSource? FindYamlSource(this IConfigurationRoot configuration) =>
        configuration.Providers.OfType<YamlConfigurationProvider>().Select(p => (YamlConfigurationSource)p.Source).FirstOrDefault();
}
