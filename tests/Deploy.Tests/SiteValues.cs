namespace AiAgent.Deploy.Tests;

/// <summary><c>k8s/site.env</c>, the per-site values (kustomize's env-file format: <c>key=value</c>, <c>#</c> comments).</summary>
internal static class SiteValues
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Values = new(Load);

    public static string AsteriskCidr => Values.Value["asterisk_cidr"];

    public static string OperatorsCidr => Values.Value["operators_cidr"];

    public static string PrometheusNamespace => Values.Value["prometheus_namespace"];

    public static IReadOnlyDictionary<string, string> All => Values.Value;

    private static Dictionary<string, string> Load() =>
        File.ReadLines(RepositoryRoot.PathTo("k8s", "site.env"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
}
