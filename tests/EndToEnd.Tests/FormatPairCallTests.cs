using System.Runtime.InteropServices;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.OpenAIRealtime;

namespace AiAgent.EndToEnd.Tests;

/// <summary>A provider that takes µ-law 8 kHz in and gives PCM16 24 kHz out, as OpenAI Realtime can be told to.</summary>
public sealed class MixedFormatOpenAIFixture : IAsyncLifetime
{
    public OpenAIRealtimeEmulator Emulator { get; private set; } = null!;

    public PlatformProcess Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { ApiKey = "sk-format-pairs" });
        Platform = await PlatformProcess.StartAsync(
            Yaml("pcm16", 24_000),
            new Dictionary<string, string> { ["AIAGENT_E2E_OPENAI_KEY"] = "sk-format-pairs" });
    }

    public string Yaml(string outputEncoding, int outputRate) => $"""
        default_provider: openai_realtime
        providers:
          openai_realtime:
            api_key_env: AIAGENT_E2E_OPENAI_KEY
            base_url: {Emulator.BaseUrl}
            input_encoding: pcmu
            input_sample_rate: 8000
            output_encoding: {outputEncoding}
            output_sample_rate: {outputRate}
        """;

    /// <summary>Edits the watched config (providers apply to the next call) and waits until the silo reloaded it.</summary>
    public async Task UseOutputFormatAsync(string encoding, int rate)
    {
        if (_current == (encoding, rate))
        {
            return;
        }

        var reloads = Platform.CountLog(l => l.Contains("Configuration reloaded", StringComparison.Ordinal));
        await File.WriteAllTextAsync(Platform.ConfigPath, Yaml(encoding, rate));
        await Platform.WaitForLogAsync(_ => Platform.CountLog(l => l.Contains("Configuration reloaded", StringComparison.Ordinal)) > reloads);
        _current = (encoding, rate);
    }

    private (string, int) _current = ("pcm16", 24_000);

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}

[Collection(PlatformLanes.FormatLane)]
public sealed class FormatPairCallTests(MixedFormatOpenAIFixture fixture) : IClassFixture<MixedFormatOpenAIFixture>
{
    /// <summary>Provider output format × AudioSocket format, through the real grain, stream, gateway and socket.</summary>
    [Theory]
    [InlineData("pcm16", 24_000, "slin")]
    [InlineData("pcm16", 24_000, "slin16")]
    [InlineData("pcm16", 24_000, "slin24")]
    [InlineData("pcm16", 24_000, "slin48")]
    [InlineData("pcmu", 8_000, "slin")]
    [InlineData("pcmu", 8_000, "slin16")]
    [InlineData("pcma", 8_000, "slin")]
    [InlineData("pcma", 8_000, "slin48")]
    public async Task Agent_audio_reaches_the_caller_in_exact_frames_at_the_right_speed(string outputEncoding, int outputRate, string callFormat)
    {
        await fixture.UseOutputFormatAsync(outputEncoding, outputRate);
        var format = CallFormat.All.Single(f => f.Name == callFormat);
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = fixture.Platform.AudioSocketPort,
            Audio = CallAudio.Silence(TimeSpan.FromSeconds(7), format), // room for a slow start: the whole greeting must fit
            LeadingSilence = TimeSpan.Zero,
            Tail = TimeSpan.FromSeconds(0.5),
            Record = true,
        });

        Assert.True(result.Summary.Passed, result.Summary.Error);
        Assert.Equal(0, result.Summary.WrongSizeFrames);
        Assert.Equal(result.Summary.FramesReceived * format.FrameBytes, result.ReceivedAudio.Length);
        var update = fixture.Emulator.ReceivedEvents.Last(e => e.Type == "session.update").Json;
        using (var json = System.Text.Json.JsonDocument.Parse(update))
        {
            var audio = json.RootElement.GetProperty("session").GetProperty("audio");
            Assert.Equal("audio/pcmu", audio.GetProperty("input").GetProperty("format").GetProperty("type").GetString());
            var expectedOutput = outputEncoding == "pcm16" ? "audio/pcm" : $"audio/{outputEncoding}";
            Assert.Equal(expectedOutput, audio.GetProperty("output").GetProperty("format").GetProperty("type").GetString());
        }

        // The greeting's speech must span as long on the phone as in the 24 kHz source: a wrong rate anywhere in
        // the chain would stretch or squeeze it (and shift its pitch by the same ratio).
        var received = MemoryMarshal.Cast<byte, short>(result.ReceivedAudio.Span);
        var heard = SpeechSpan(received, format.SampleRate);
        var source = SpeechSpan(VoiceAssets.Greeting, VoiceAssets.SampleRate);
        Assert.True(
            heard.TotalMilliseconds >= source.TotalMilliseconds * 0.97 && heard.TotalMilliseconds <= source.TotalMilliseconds * 1.03,
            $"heard {heard.TotalMilliseconds:0} ms of speech, the source has {source.TotalMilliseconds:0} ms; the platform's warnings:{Environment.NewLine}{fixture.Platform.Warnings()}");
    }

    /// <summary>From the first to the last sample louder than −30 dBFS.</summary>
    private static TimeSpan SpeechSpan(ReadOnlySpan<short> samples, int sampleRate)
    {
        const int threshold = 1036;
        int first = -1, last = -1;
        for (var i = 0; i < samples.Length; i++)
        {
            if (Math.Abs((int)samples[i]) > threshold)
            {
                first = first < 0 ? i : first;
                last = i;
            }
        }

        Assert.True(first >= 0, "no speech in the audio");
        return TimeSpan.FromSeconds((double)(last - first) / sampleRate);
    }
}
