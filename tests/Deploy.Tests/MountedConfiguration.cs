using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace AiAgent.Deploy.Tests;

/// <summary>The <c>ai-agent.yaml</c> the pods mount (the rendered <c>ai-agent-config</c> ConfigMap), read by dotted key.</summary>
internal sealed class MountedConfiguration
{
    public const string FileName = "ai-agent.yaml";

    private readonly YamlMappingNode _root;

    private MountedConfiguration(string text)
    {
        Text = text;
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        _root = (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public string Text { get; }

    public static MountedConfiguration From(Manifests manifests) =>
        new(manifests.Get<V1ConfigMap>("ai-agent-config").Data[FileName]);

    /// <summary>The scalar at <paramref name="key"/> (<c>section.key</c>).</summary>
    public string this[string key] =>
        Find(key) is YamlScalarNode scalar ? scalar.Value ?? "" : throw new KeyNotFoundException($"{key} is not a value set in the mounted {FileName}");

    /// <summary>Whether <paramref name="key"/> (<c>section.key</c>) is set, to a value, a list or a section.</summary>
    public bool Contains(string key) => Find(key) is not null;

    public int Port(string key) => int.Parse(this[key], System.Globalization.CultureInfo.InvariantCulture);

    private YamlNode? Find(string key)
    {
        YamlNode? node = _root;
        foreach (var part in key.Split('.'))
        {
            node = node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(part), out var child) ? child : null;
        }

        return node;
    }
}
