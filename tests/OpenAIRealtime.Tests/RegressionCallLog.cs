using System.Diagnostics;
using AiAgent.Emulators.Common;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.OpenAIRealtime.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>
/// The regression call of docs/regressions/openai-call-framework.md, provider ↔ emulator: greeting, a caller turn,
/// barge-in with truncate, DTMF, hang-up. It asserts the sequence and prints the log and figures (no timing
/// assertions: figures vary with machine load). Run with
/// <c>dotnet test tests/OpenAIRealtime.Tests --filter RegressionCall --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class RegressionCallLog(ITestOutputHelper output)
{
    [Theory]
    [InlineData("slin8")]
    [InlineData("slin24")]
    public async Task RegressionCall_through_the_emulator(string call)
    {
        var callFormat = ProviderConversationTests.Call(call);
        var callId = Guid.NewGuid();
        await using var h = await Harness.StartAsync();
        await using var session = h.CreateSession(callFormat, callId);
        var events = new EventReader(session);
        var clock = Stopwatch.StartNew();

        await session.StartAsync(CancellationToken.None);
        var configured = clock.Elapsed;
        await events.NextAsync<SessionStarted>();
        var firstGreeting = await events.NextAsync<AgentAudio>();
        var firstGreetingAt = clock.Elapsed;
        await events.NextAsync<AgentAudioDone>();
        var greetingBytes = events.Seen.OfType<AgentAudio>().Sum(a => (long)a.Audio.Length);
        var greetingChunks = events.Seen.OfType<AgentAudio>().Count();

        var callerAudio = CallerAudio.SpeechThenSilence(session.Formats.Input);
        await CallerAudio.SendAsync(session, callerAudio);
        var sentAt = clock.Elapsed;
        await events.NextAsync<UserSpeechStopped>();
        var userFinal = await events.NextAsync<UserTranscript>(t => t.IsFinal);
        var answer = await events.NextAsync<AgentAudio>(a => a.UtteranceId != firstGreeting.UtteranceId);
        var answerAt = clock.Elapsed;
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == answer.UtteranceId);

        // The caller barges in after hearing 1.2 s of the answer.
        await session.NotifyPlayoutInterruptedAsync(answer.UtteranceId, 1_200, CancellationToken.None);
        await h.Emulator.WaitForServerEventAsync(s => s.Type == "conversation.item.truncated", Waits.Long);

        await session.SendDtmfAsync('5', CancellationToken.None);
        var dtmfAnswer = await events.NextAsync<AgentAudio>(a => a.UtteranceId > answer.UtteranceId);
        await events.NextAsync<AgentAudioDone>(d => d.UtteranceId == dtmfAnswer.UtteranceId);

        await session.StopAsync(CancellationToken.None);
        await events.DrainAsync();
        var duration = clock.Elapsed;
        var responses = events.Seen.OfType<ProviderUsage>().Count();

        Assert.Single(h.Logs.WithEventId(4110)); // conversation.item.truncated
        Assert.Equal(3, responses);
        Assert.Empty(h.Logs.WithEventId(ProtocolAuditTests.ServerErrorLog));
        Assert.DoesNotContain(events.Seen, e => e is ProviderError);
        Assert.False(events.Seen.OfType<SessionEnded>().Single().HangUp);
        ProviderConversationTests.AssertAllClientEventsAreGa(h.Emulator);

        output.WriteLine($"call {callId} ({callFormat}), provider formats in {session.Formats.Input} / out {session.Formats.Output}");
        output.WriteLine($"duration {duration.TotalMilliseconds:0} ms (wall clock; caller audio sent faster than real time)");
        output.WriteLine($"connect + session.update -> session.updated: {configured.TotalMilliseconds:0} ms; first greeting audio at {firstGreetingAt.TotalMilliseconds:0} ms");
        output.WriteLine($"greeting: {greetingChunks} chunks, {greetingBytes} bytes = {session.Formats.Output.MillisecondsOf(greetingBytes)} ms of audio ({VoiceAssets.GreetingText})");
        output.WriteLine($"caller turn: {session.Formats.Input.MillisecondsOf(callerAudio.Length)} ms sent; transcript '{userFinal.Text}'; first answer audio {(answerAt - sentAt).TotalMilliseconds:0} ms after the last caller byte was queued");
        output.WriteLine($"responses: {responses}, caller audio bytes dropped: {h.Logs.WithEventId(ProtocolAuditTests.CallerAudioDroppedLog).Sum(l => (long)l.State["Bytes"]!)}");
        output.WriteLine("log (Information and above):");
        foreach (var log in h.Logs.Entries.Where(l => l.Level >= LogLevel.Information))
        {
            output.WriteLine($"  {log.Level} [{log.EventId}] {log.Message}");
        }
    }
}
