using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// Reads <c>config/ai-agent.yaml</c> (YamlDotNet) into <see cref="IConfiguration"/> keys such as
/// <c>audiosocket:port</c>, so each component binds and validates its own section with the options pattern
/// and environment variables can override single keys.
/// </summary>
/// <remarks>
/// Written by hand, reload included: the stock file provider clears every key when a reload finds the file
/// missing or unparsable (an editor saving by delete-and-rename, a half-written file), which would silently
/// put every default back in force. Here a missing, empty or unparsable file on reload keeps the last good keys
/// and reports the error through <see cref="LastError"/>; only the first load may fail the start-up. It lives
/// in the contracts project because the gateway and the silo both read the file and the gateway may reference
/// nothing else of ours.
/// </remarks>
public sealed class YamlConfigurationSource : IConfigurationSource
{
    /// <summary>The file's full path.</summary>
    public required string Path { get; init; }

    /// <summary>Whether a missing file at start-up is fine (then no keys).</summary>
    public bool Optional { get; init; }

    /// <summary>Watch the file and reload on change.</summary>
    public bool ReloadOnChange { get; init; }

    /// <summary>
    /// Raises the change notifications for the file; null (the default) watches the file's folder with a
    /// <see cref="PhysicalFileProvider"/>, which polls when <c>DOTNET_USE_POLLING_FILE_WATCHER</c> is set.
    /// </summary>
    public IFileProvider? FileProvider { get; init; }

    /// <summary>How long to wait after a change before reading, so a write in progress can finish.</summary>
    public TimeSpan ReloadDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The error of the last load, or null when it parsed.</summary>
    public string? LastError { get; internal set; }

    /// <inheritdoc/>
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new YamlConfigurationProvider(this);
}

/// <summary>The provider behind <see cref="YamlConfigurationSource"/>.</summary>
public sealed class YamlConfigurationProvider(YamlConfigurationSource source) : ConfigurationProvider, IDisposable
{
    private PhysicalFileProvider? _ownWatcher;
    private IDisposable? _registration;

    // What the last read saw (null: no file). One save raises several file events (truncate, write, rename,
    // a ConfigMap's symlink swap); reloads that find the same bytes are dropped so an edit is applied, or
    // rejected and logged, exactly once.
    private byte[]? _lastContent;

    /// <summary>The source this provider reads.</summary>
    public YamlConfigurationSource Source => source;

    /// <inheritdoc/>
    public override void Load()
    {
        if (!File.Exists(source.Path))
        {
            Data = source.Optional
                ? new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
                : throw new FileNotFoundException($"config file '{source.Path}' does not exist", source.Path);
        }
        else
        {
            var content = File.ReadAllBytes(source.Path);
            Data = Parse(new MemoryStream(content, writable: false));
            _lastContent = content;
        }

        if (source.ReloadOnChange && _registration is null)
        {
            var watcher = source.FileProvider ?? (_ownWatcher = new PhysicalFileProvider(System.IO.Path.GetDirectoryName(source.Path)!));
            var name = System.IO.Path.GetFileName(source.Path);
            _registration = ChangeToken.OnChange(() => watcher.Watch(name), Reload);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _registration?.Dispose();
        _ownWatcher?.Dispose();
    }

    private void Reload()
    {
        Thread.Sleep(source.ReloadDelay);
        byte[]? content;
        try
        {
            content = File.Exists(source.Path) ? File.ReadAllBytes(source.Path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            source.LastError = ex.Message;
            OnReload();
            return;
        }

        if (SameContent(content, _lastContent))
        {
            return;
        }

        _lastContent = content;
        try
        {
            var data = content is null
                ? throw new FileNotFoundException($"config file '{source.Path}' does not exist", source.Path)
                : Parse(new MemoryStream(content, writable: false));
            if (data.Count == 0)
            {
                throw new InvalidDataException("the file is empty (a write in progress?)");
            }

            Data = data;
            source.LastError = null;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException)
        {
            // Keep the last good keys (Data is untouched); the host logs LastError.
            source.LastError = ex.Message;
        }

        OnReload();
    }

    private static bool SameContent(byte[]? a, byte[]? b) =>
        a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

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
    public static IConfigurationBuilder AddYamlFile(this IConfigurationBuilder builder, string path, bool optional, bool reloadOnChange) =>
        builder.Add(new YamlConfigurationSource { Path = System.IO.Path.GetFullPath(path), Optional = optional, ReloadOnChange = reloadOnChange });

    /// <summary>The YAML source of a configuration, if any (the host logs its reload errors).</summary>
    public static YamlConfigurationSource? FindYamlSource(this IConfigurationRoot configuration) =>
        configuration.Providers.OfType<YamlConfigurationProvider>().Select(p => p.Source).FirstOrDefault();
}
