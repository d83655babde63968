namespace AiAgent.Deploy.Tests;

/// <summary>The checkout's root (the folder holding <c>AiAgent.Orleans.sln</c>), found from the test binaries upwards.</summary>
internal static class RepositoryRoot
{
    public static string Directory { get; } = Find();

    /// <summary>A path below the root.</summary>
    public static string PathTo(params string[] parts) => Path.Combine([Directory, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiAgent.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no AiAgent.Orleans.sln above {AppContext.BaseDirectory}");
    }
}
