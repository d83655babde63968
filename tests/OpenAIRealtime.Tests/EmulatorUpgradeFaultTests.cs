using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text.Json;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Tests.Support;

using static AiAgent.OpenAIRealtime.Tests.Support.RawRealtimeSocket;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>
/// The emulator's probabilistic upgrade faults (<c>--fault-ratio</c>, <c>--fault-mix</c>, <c>--fault-seed</c>) seen
/// on the wire by a raw client: each kind's exact behaviour, the seeded draw, ratio 0, and the counters.
/// </summary>
public sealed class EmulatorUpgradeFaultTests
{
    private const string Key = "sk-emulator-fault-test";

    [Fact]
    public async Task A_429_fault_refuses_the_upgrade_with_the_rate_limit_body_and_headers()
    {
        await using var emulator = await StartAsync(UpgradeFaultKind.RateLimited);

        using var response = await UpgradeRequestAsync(emulator);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0", Assert.Single(response.Headers.GetValues("x-ratelimit-remaining-requests")));
        Assert.True(response.Headers.Contains("x-ratelimit-reset-requests"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("requests", error.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
        Assert.StartsWith("Rate limit reached for gpt-realtime", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        // A WebSocket client sees the status at its upgrade, as the platform does.
        using var socket = NewClient();
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(Uri(emulator), CancellationToken.None));
        Assert.Equal(HttpStatusCode.TooManyRequests, socket.HttpStatusCode);
        Assert.Equal(new UpgradeFaultCounts(2, 2, 0, 0, 2, 0), emulator.FaultCounts);
        await AssertCountersEndpointAsync(emulator, """{"connections":2,"drawn":2,"unfired":0,"drop":0,"stall":0,"429":2,"401":0}""");
    }

    [Fact]
    public async Task A_401_fault_refuses_a_right_key_as_a_wrong_key_is_refused()
    {
        await using var emulator = await StartAsync(UpgradeFaultKind.Unauthorized);

        using var response = await UpgradeRequestAsync(emulator);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain(Key, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(new UpgradeFaultCounts(1, 1, 0, 0, 0, 1), emulator.FaultCounts);

        // The shape is the one a wrong key gets without any fault.
        await using var plain = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { ApiKey = "sk-another-key" });
        using var wrongKey = await UpgradeRequestAsync(plain);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        using var wrongBody = JsonDocument.Parse(await wrongKey.Content.ReadAsStringAsync());
        Assert.Equal(
            wrongBody.RootElement.GetProperty("error").EnumerateObject().Select(static p => p.Name),
            error.EnumerateObject().Select(static p => p.Name));
    }

    [Fact]
    public async Task A_drop_fault_drops_the_connection_after_n_deltas_of_the_first_response()
    {
        await using var emulator = await StartAsync(UpgradeFaultKind.Drop, o => o.DisconnectAfterDeltas = 3);
        using var socket = await ConnectAsync(emulator);
        await SendAsync(socket, """{"type":"response.create","event_id":"cli_r"}""");

        var (deltas, ended) = await ReadResponseAsync(socket);

        Assert.Equal(3, deltas);
        Assert.Equal("dropped", ended);
        Assert.Equal(new UpgradeFaultCounts(1, 1, 1, 0, 0, 0), emulator.FaultCounts);
    }

    [Fact]
    public async Task A_stall_fault_sends_nothing_for_the_stall_time_then_drops()
    {
        await using var emulator = await StartAsync(UpgradeFaultKind.Stall, o =>
        {
            o.DisconnectAfterDeltas = 2;
            o.StallMs = 1_500;
        });
        using var socket = await ConnectAsync(emulator);
        await SendAsync(socket, """{"type":"response.create","event_id":"cli_r"}""");
        var deltas = 0;
        while (deltas < 2)
        {
            using var e = await ReceiveAsync(socket);
            deltas += Type(e) == "response.output_audio.delta" ? 1 : 0;
        }

        var silence = Stopwatch.StartNew();
        var (more, ended) = await ReadResponseAsync(socket);

        Assert.Equal(0, more);
        Assert.Equal("dropped", ended);
        Assert.True(silence.ElapsedMilliseconds >= 1_400, $"the stall ended after {silence.ElapsedMilliseconds} ms");
        Assert.Equal(new UpgradeFaultCounts(1, 1, 0, 1, 0, 0), emulator.FaultCounts);
        Assert.DoesNotContain(emulator.SentEvents, e => e.Type == "response.done");
    }

    [Fact]
    public async Task A_stalled_socket_answers_no_ping_so_a_client_with_a_pong_timeout_gives_up_first()
    {
        await using var emulator = await StartAsync(UpgradeFaultKind.Stall, o => o.StallMs = 60_000);
        using var socket = NewClient();
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(1);
        socket.Options.KeepAliveTimeout = TimeSpan.FromSeconds(1);
        await socket.ConnectAsync(Uri(emulator), CancellationToken.None);
        using (await ReceiveAsync(socket))
        {
        }

        await SendAsync(socket, """{"type":"response.create","event_id":"cli_r"}""");
        await emulator.WaitForServerEventAsync(e => e.Type == "response.output_audio.delta", Waits.Long);
        // Caller audio keeps flowing, as from the platform: the server's pending read returns and the stall stops reading.
        await SendAsync(socket, """{"type":"input_audio_buffer.clear"}""");

        var waited = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            while (true)
            {
                using var _ = await ReceiveAsync(socket, TimeSpan.FromSeconds(50));
            }
        });

        // Well before the 60 s stall ends: the client's own pong timeout aborted the silent socket.
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"gave up after {waited.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(WebSocketState.Aborted, socket.State);
    }

    [Fact]
    public async Task Ratio_zero_changes_nothing_and_counts_the_upgrades()
    {
        await using var emulator = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { ApiKey = Key, FaultRatio = 0, FaultSeed = 7 });
        for (var i = 0; i < 3; i++)
        {
            using var socket = await ConnectAsync(emulator);
            await SendAsync(socket, """{"type":"response.create","event_id":"cli_r"}""");
            var (deltas, ended) = await ReadResponseAsync(socket);
            Assert.True(deltas > 3);
            Assert.Equal("response.done", ended);
        }

        Assert.Equal(new UpgradeFaultCounts(3, 0, 0, 0, 0, 0), emulator.FaultCounts);
    }

    [Fact]
    public async Task The_same_seed_draws_the_same_faults_per_upgrade()
    {
        async Task<List<int>> StatusesAsync(int seed)
        {
            await using var emulator = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions
            {
                ApiKey = Key, FaultRatio = 0.5, FaultMix = [UpgradeFaultKind.RateLimited, UpgradeFaultKind.Unauthorized], FaultSeed = seed,
            });
            var statuses = new List<int>();
            for (var i = 0; i < 12; i++)
            {
                using var response = await UpgradeRequestAsync(emulator);
                statuses.Add((int)response.StatusCode);
            }

            var counts = emulator.FaultCounts;
            Assert.Equal(12, counts.Connections);
            Assert.Equal(statuses.Count(s => s == 429), counts.RateLimited);
            Assert.Equal(statuses.Count(s => s == 401), counts.Unauthorized);
            Assert.Equal(statuses.Count(s => s != 101), counts.Drawn);
            return statuses;
        }

        var first = await StatusesAsync(42);
        Assert.Equal(first, await StatusesAsync(42));
        Assert.Contains(101, first);
        Assert.Contains(first, s => s is 429 or 401);
    }

    [Theory]
    [InlineData("drop,stall,429,401", 4)]
    [InlineData("429", 1)]
    [InlineData(" drop , 429 ", 2)]
    public void A_fault_mix_parses(string text, int kinds) => Assert.Equal(kinds, UpgradeFaultNames.ParseMix(text).Count);

    [Theory]
    [InlineData("drop,timeout")]
    [InlineData(",")]
    public void A_bad_fault_mix_is_a_clear_error(string text) =>
        Assert.Contains("--fault-mix", Assert.Throws<ArgumentException>(() => UpgradeFaultNames.ParseMix(text)).Message, StringComparison.Ordinal);

    [Fact]
    public async Task A_ratio_outside_zero_to_one_is_refused_at_start() =>
        await Assert.ThrowsAsync<ArgumentException>(() => OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { FaultRatio = 1.5 }));

    private static Task<OpenAIRealtimeEmulator> StartAsync(UpgradeFaultKind kind, Action<OpenAIRealtimeEmulatorOptions>? configure = null)
    {
        var options = new OpenAIRealtimeEmulatorOptions { ApiKey = Key, FaultRatio = 1, FaultMix = [kind], FaultSeed = 1 };
        configure?.Invoke(options);
        return OpenAIRealtimeEmulator.StartAsync(options);
    }

    private static Uri Uri(OpenAIRealtimeEmulator emulator) => new($"{emulator.BaseUrl}/realtime?model=gpt-realtime");

    private static ClientWebSocket NewClient()
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Key);
        return socket;
    }

    /// <summary>A WebSocket upgrade request as plain HTTP, so a refusal's body can be read.</summary>
    private static async Task<HttpResponseMessage> UpgradeRequestAsync(OpenAIRealtimeEmulator emulator)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{emulator.Port}/v1/realtime?model=gpt-realtime");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Key);
        request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
        request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
        {
            // A refusal has a body; an accepted upgrade's stream is the WebSocket and is left unread.
            await response.Content.LoadIntoBufferAsync();
        }

        return response;
    }

    private static async Task AssertCountersEndpointAsync(OpenAIRealtimeEmulator emulator, string expected)
    {
        using var client = new HttpClient();
        Assert.Equal(expected, await client.GetStringAsync(new Uri($"http://127.0.0.1:{emulator.Port}/emulator/faults")));
    }

    private static async Task<ClientWebSocket> ConnectAsync(OpenAIRealtimeEmulator emulator)
    {
        var socket = NewClient();
        await socket.ConnectAsync(Uri(emulator), CancellationToken.None);
        using var created = await ReceiveAsync(socket);
        Assert.Equal("session.created", Type(created));
        return socket;
    }

    /// <summary>Counts audio deltas until <c>response.done</c> or the connection drops (no close frame).</summary>
    private static async Task<(int Deltas, string Ended)> ReadResponseAsync(ClientWebSocket socket)
    {
        var deltas = 0;
        try
        {
            while (true)
            {
                using var e = await ReceiveAsync(socket);
                switch (Type(e))
                {
                    case "response.output_audio.delta":
                        deltas++;
                        break;
                    case "response.done":
                        return (deltas, "response.done");
                }
            }
        }
        catch (WebSocketException)
        {
            return (deltas, "dropped");
        }
    }
}
