using k8s;
using k8s.Models;

namespace AiAgent.Deploy.Tests;

/// <summary>The objects of one rendered kustomization, looked up by type and name.</summary>
internal sealed class Manifests(string yaml, IReadOnlyList<IKubernetesObject> objects)
{
    /// <summary>The rendered YAML, as <c>kubectl apply -k</c> would send it.</summary>
    public string Yaml { get; } = yaml;

    public IReadOnlyList<IKubernetesObject> Objects { get; } = objects;

    public static async Task<Manifests> RenderAsync(string directory)
    {
        var yaml = await Kustomize.RenderAsync(directory);
        return new Manifests(yaml, ManifestSchema.Read(yaml));
    }

    public IEnumerable<T> All<T>()
        where T : IKubernetesObject<V1ObjectMeta> => Objects.OfType<T>();

    public T Get<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        All<T>().SingleOrDefault(o => o.Metadata.Name == name)
        ?? throw new KeyNotFoundException($"no {typeof(T).Name} named {name} in the rendered manifests");

    /// <summary>The one container of a Deployment's pods.</summary>
    public V1Container Container(string deployment) => Assert.Single(Get<V1Deployment>(deployment).Spec.Template.Spec.Containers);
}

/// <summary>k8s/ and k8s/grafana/ rendered once for every test of the collection.</summary>
public sealed class RenderedManifests : IAsyncLifetime
{
    internal Manifests Platform { get; private set; } = null!;

    internal Manifests Grafana { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var version = await Kustomize.VersionAsync();
        Assert.True(version >= Kustomize.Minimum, $"kubectl embeds kustomize {version}; k8s/ needs {Kustomize.Minimum} or later (kubectl 1.27+)");
        Platform = await Manifests.RenderAsync(RepositoryRoot.PathTo("k8s"));
        Grafana = await Manifests.RenderAsync(RepositoryRoot.PathTo("k8s", "grafana"));
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class RenderedCollection : ICollectionFixture<RenderedManifests>
{
    public const string Name = "rendered manifests";
}
