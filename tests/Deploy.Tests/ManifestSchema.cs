using k8s;
using YamlDotNet.Core;

namespace AiAgent.Deploy.Tests;

/// <summary>
/// Reads rendered manifests strictly against the Kubernetes API types of KubernetesClient (generated from the
/// Kubernetes OpenAPI definitions): each document's <c>apiVersion</c>/<c>kind</c> picks its type, and a field the type
/// does not have (a misspelling, a field at the wrong level) or a value of the wrong shape fails the read.
/// </summary>
internal static class ManifestSchema
{
    /// <summary>Every object in <paramref name="yaml"/> (documents separated by <c>---</c>).</summary>
    /// <exception cref="ManifestSchemaException">A document does not match its kind's schema, or its kind is unknown.</exception>
    public static IReadOnlyList<IKubernetesObject> Read(string yaml)
    {
        try
        {
            return [.. KubernetesYaml.LoadAllFromString(yaml, typeMap: null, strict: true).Cast<IKubernetesObject>()];
        }
        catch (Exception ex) when (ex is YamlException or ArgumentException or KeyNotFoundException)
        {
            throw new ManifestSchemaException($"a manifest does not match the Kubernetes API: {Describe(ex)}", ex);
        }
    }

    private static string Describe(Exception ex) =>
        ex is YamlException yaml ? $"{yaml.Message} (line {yaml.Start.Line}){(yaml.InnerException is { } inner ? $": {inner.Message}" : "")}" : ex.Message;
}

/// <summary>A rendered manifest that does not match the Kubernetes API types.</summary>
internal sealed class ManifestSchemaException(string message, Exception inner) : Exception(message, inner);
