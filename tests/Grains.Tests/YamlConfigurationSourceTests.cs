using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace AiAgent.Grains.Tests;

public sealed class YamlConfigurationSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("aiagent-yaml-").FullName;

    private string PathOf => System.IO.Path.Combine(_directory, "ai-agent.yaml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Nested_keys_and_sequences_flatten_to_configuration_paths()
    {
        using var yaml = new MemoryStream("""
            default_provider: deepgram
            audiosocket:
              port: 9000
            tags: [a, b]
            empty: ~
            """u8.ToArray());

        var data = YamlConfigurationProvider.Parse(yaml);

        Assert.Equal("deepgram", data["default_provider"]);
        Assert.Equal("9000", data["audiosocket:port"]);
        Assert.Equal("b", data["tags:1"]);
        Assert.Null(data["empty"]);
    }

    [Fact]
    public void Invalid_yaml_at_start_up_names_the_line()
    {
        using var yaml = new MemoryStream("audiosocket:\n  port: [9000\n"u8.ToArray());
        var error = Assert.Throws<InvalidDataException>(() => YamlConfigurationProvider.Parse(yaml));
        Assert.Contains("line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reload_that_finds_the_file_missing_empty_or_broken_keeps_the_last_good_keys()
    {
        await File.WriteAllTextAsync(PathOf, "default_provider: deepgram\n");
        var configuration = new ConfigurationBuilder().AddYamlFile(PathOf, optional: false, reloadOnChange: true).Build();
        var source = configuration.FindYamlSource()!;

        await ReloadAfterAsync(configuration, () => File.Delete(PathOf));
        Assert.Equal("deepgram", configuration["default_provider"]);
        Assert.NotNull(source.LastError);

        await ReloadAfterAsync(configuration, () => File.WriteAllText(PathOf, ""));
        Assert.Equal("deepgram", configuration["default_provider"]);
        Assert.Contains("empty", source.LastError, StringComparison.Ordinal);

        await ReloadAfterAsync(configuration, () => File.WriteAllText(PathOf, "default_provider: [broken\n"));
        Assert.Equal("deepgram", configuration["default_provider"]);

        await ReloadAfterAsync(configuration, () => File.WriteAllText(PathOf, "default_provider: openai_realtime\n"));
        Assert.Equal("openai_realtime", configuration["default_provider"]);
        Assert.Null(source.LastError);
    }

    [Fact]
    public void A_change_event_that_finds_the_same_bytes_does_not_reload()
    {
        File.WriteAllText(PathOf, "default_provider: deepgram\n");
        var changes = new TriggeredFileProvider();
        var configuration = new ConfigurationBuilder()
            .Add(new YamlConfigurationSource { Path = PathOf, ReloadOnChange = true, ReloadDelay = TimeSpan.Zero, FileProvider = changes })
            .Build();
        var reloads = 0;
        using var counting = ChangeToken.OnChange(configuration.GetReloadToken, () => reloads++);

        // One save raises several events (truncate, write, rename): only events that find new bytes reload.
        changes.Raise();
        File.WriteAllText(PathOf, "default_provider: local\n");
        changes.Raise();
        changes.Raise();

        Assert.Equal(1, reloads);
        Assert.Equal("local", configuration["default_provider"]);
    }

    private static async Task ReloadAfterAsync(IConfigurationRoot configuration, Action edit)
    {
        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = ChangeToken.OnChange(configuration.GetReloadToken, () => reloaded.TrySetResult());
        edit();
        await reloaded.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    /// <summary>Raises the file-change notification when the test says so (callbacks run synchronously).</summary>
    private sealed class TriggeredFileProvider : IFileProvider
    {
        private CancellationTokenSource _change = new();

        public void Raise()
        {
            var fired = _change;
            _change = new CancellationTokenSource();
            fired.Cancel();
        }

        public IChangeToken Watch(string filter) => new CancellationChangeToken(_change.Token);

        public IFileInfo GetFileInfo(string subpath) => new NotFoundFileInfo(subpath);

        public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;
    }
}
