using AiAgent.Emulators.Common;
using AiAgent.Emulators.Deepgram;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AiAgent.Silo.Tests;

/// <summary>A real headless Chromium (Debian's, driven by Playwright) watches a call on the operators' page.</summary>
[Collection(SiloCollection.Name)]
public sealed class OperatorsPageBrowserTests(SiloHostFixture silo)
{
    /// <summary>Where the browser is; <c>CHROMIUM_PATH</c> overrides it.</summary>
    private static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    /// <summary>The screenshot kept as a test artifact.</summary>
    public static readonly string ScreenshotPath = Path.Combine(AppContext.BaseDirectory, "TestResults", "operators-page.png");

    private static readonly float WaitMs = (float)CallProbe.Timeout.TotalMilliseconds;

    [Fact]
    public async Task Operators_page_shows_the_live_call_and_its_transcript_as_it_grows()
    {
        Assert.True(File.Exists(ChromiumPath),
            $"Chromium is not installed at {ChromiumPath}: this test needs a real browser. Install it with 'apt-get install chromium' (test.sh does) or set CHROMIUM_PATH.");
        await using var call = await CallProbe.StartAsync(silo.Client);
        await CallScript.PlayGreetingAsync(call);
        await CallScript.TakeTurnAsync(call);

        // Playwright drives the system browser; it must never try to download its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 800 } });
        await page.GotoAsync(new Uri(silo.BaseAddress, "/operators").ToString());

        var row = page.Locator($"tr[data-call-id='{call.CallId}']");
        await row.WaitForAsync(new LocatorWaitForOptions { Timeout = WaitMs });
        Assert.Contains("local", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+:\d+$", await row.Locator("td.silo").InnerTextAsync()); // where the call runs: host:port
        await row.ClickAsync();
        var transcript = page.Locator("#transcript");
        await transcript.Locator("li.agent").First.WaitForAsync(new LocatorWaitForOptions { Timeout = WaitMs });
        await transcript.Locator("li.caller", new LocatorLocatorOptions { HasTextString = "caller turn 1" }).WaitForAsync(new LocatorWaitForOptions { Timeout = WaitMs });

        // The caller speaks again while the page is open: the new turn appears without a reload.
        await CallScript.TakeTurnAsync(call);
        await transcript.Locator("li.caller", new LocatorLocatorOptions { HasTextString = "caller turn 2" }).WaitForAsync(new LocatorWaitForOptions { Timeout = WaitMs });
        await page.Locator($"tr[data-call-id='{call.CallId}'] td.latency", new PageLocatorOptions { HasTextRegex = new System.Text.RegularExpressions.Regex(@"\d+ ms") })
            .WaitForAsync(new LocatorWaitForOptions { Timeout = WaitMs });
        Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath, FullPage = true });

        await call.Grain.HangupAsync(CallEndReason.CallerHangup);
        await row.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached, Timeout = WaitMs });
        Assert.True(new FileInfo(ScreenshotPath).Length > 10_000, "the screenshot is a real rendering");
    }

    [Fact]
    public async Task Operators_page_lists_the_tool_calls_the_model_made_with_their_outcome()
    {
        Assert.True(File.Exists(ChromiumPath), $"Chromium is not installed at {ChromiumPath}: install it with 'apt-get install chromium' or set CHROMIUM_PATH.");

        // A host of its own whose Deepgram emulator calls a function after the caller's first turn: the platform offers
        // no lookup_order, so the model gets an UnknownTool error result, and the page must show that call.
        await using var emulator = await DeepgramEmulator.StartAsync(new DeepgramEmulatorOptions
        {
            ApiKey = "emulator-key",
            ToolCalls = [new ScriptedToolCall(1, "lookup_order", """{"order_id":"A-17"}""")],
        });
        var config = TestSilo.WriteConfig("127.0.0.1", out var port, out _, emulator.BaseUrl);
        var app = silo.KeepUntilEnd(SiloHost.Build(["--config", config, "--default_provider=deepgram"]));
        await app.StartAsync();
        var client = app.Services.GetRequiredService<IClusterClient>();
        await using var call = await CallProbe.StartAsync(client);
        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(1.2));
        await call.WaitForSnapshotAsync(s => s.ToolCalls.Count > 0);

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{port}/operators");
        await page.Locator($"tr[data-call-id='{call.CallId}']").ClickAsync(new LocatorClickOptions { Timeout = WaitMs });

        var toolRow = page.Locator("#tool-calls tbody tr", new PageLocatorOptions { HasTextString = "lookup_order" });
        await toolRow.WaitForAsync(new LocatorWaitForOptions { Timeout = WaitMs });
        var cells = await toolRow.Locator("td").AllInnerTextsAsync();
        Assert.Equal("lookup_order", cells[1]);
        Assert.Equal("UnknownTool", cells[2]);
        Assert.Contains("A-17", cells[4], StringComparison.Ordinal); // the arguments, as the model wrote them
        Assert.Contains("unknown function", cells[5], StringComparison.Ordinal);
        Assert.Equal("failed", await toolRow.GetAttributeAsync("class"));
        Assert.False(await page.Locator("#no-tool-calls").IsVisibleAsync());

        await call.Grain.HangupAsync(CallEndReason.CallerHangup);
    }
}
