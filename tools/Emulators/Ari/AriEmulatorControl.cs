using AiAgent.CallSim.Audio;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// The test API over HTTP for offline trials (<c>dotnet run --project tools/Emulators -- ari</c>), same credentials as
/// ARI: <c>POST /emulator/calls?app=NAME[&amp;args=a,b][&amp;wav=PATH&amp;format=slin16]</c> places a caller (answer:
/// <c>{"channel_id":…}</c>); <c>POST /emulator/calls/{id}/dtmf?digit=5</c>; <c>POST /emulator/calls/{id}/hangup</c>;
/// <c>POST /emulator/calls/{id}/say?wav=PATH[&amp;format=slin16]</c>; <c>GET /emulator/calls/{id}</c>;
/// <c>POST /emulator/drop-events[?graceful=true]</c>.
/// </summary>
internal static class AriEmulatorControl
{
    public static async Task<RestResult> HandleAsync(AriEmulator emulator, string method, string[] parts, IQueryCollection query)
    {
        string? Q(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        switch (method, parts)
        {
            case ("POST", ["calls"]):
                var options = new AriCallOptions();
                if (Q("wav") is { Length: > 0 } wav)
                {
                    if (ReadWav(wav, Q("format")) is not { } audio)
                    {
                        return RestResult.Error(400, "format must be a slin format, e.g. slin16");
                    }

                    options.Audio = audio;
                }

                try
                {
                    var call = await emulator.PlaceCallAsync(Q("app") ?? "aiagent", (Q("args") ?? "arg1").Split(','), options).ConfigureAwait(false);
                    return new(200, AriEventJson.Object(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("channel_id", call.ChannelId);
                        w.WriteEndObject();
                    }));
                }
                catch (InvalidOperationException e)
                {
                    return RestResult.Error(409, e.Message);
                }

            case ("POST", ["calls", var id, "dtmf"]) when emulator.FindCall(id) is { } call && Q("digit") is { Length: 1 } digit:
                await call.SendDtmfAsync(digit[0]).ConfigureAwait(false);
                return RestResult.NoContent;
            case ("POST", ["calls", var id, "say"]) when emulator.FindCall(id) is { } call && Q("wav") is { Length: > 0 } saidWav:
                if (ReadWav(saidWav, Q("format")) is not { } said)
                {
                    return RestResult.Error(400, "format must be a slin format, e.g. slin16");
                }

                call.Say(said);
                return RestResult.NoContent;
            case ("POST", ["calls", var id, "hangup"]) when emulator.FindCall(id) is { } call:
                await call.HangUpAsync().ConfigureAwait(false);
                return RestResult.NoContent;
            case ("GET", ["calls", var id]) when emulator.FindCall(id) is { } call:
                return new(200, AriEventJson.Object(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("channel_id", call.ChannelId);
                    w.WriteString("state", call.State);
                    w.WriteBoolean("in_stasis", call.InStasis);
                    w.WriteBoolean("gone", call.IsGone);
                    w.WriteString("bridge_id", call.BridgeId);
                    w.WriteNumber("heard_frames", call.HeardFrames);
                    w.WriteNumber("frames_to_gateway", call.FramesToGateway);
                    w.WriteNumber("longest_gap_to_gateway_ms", Math.Round(call.LongestGapToGateway.TotalMilliseconds, 1));
                    w.WriteStartArray("media_leg_switch_gaps_ms");
                    foreach (var gap in call.MediaLegSwitchGaps)
                    {
                        w.WriteNumberValue(Math.Round(gap.TotalMilliseconds, 1));
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }));
            case ("POST", ["drop-events"]):
                emulator.DropEventConnections(graceful: Q("graceful") == "true");
                return RestResult.NoContent;
            default:
                return RestResult.Error(404, "Unknown emulator control request");
        }
    }

    /// <summary>A WAV file as the caller's audio, at the rate of the external media it will be bridged with.</summary>
    private static ReadOnlyMemory<byte>? ReadWav(string path, string? format) =>
        CallFormat.TryParse(format ?? "slin16", out var parsed) ? CallAudio.FromWav(path, parsed).Bytes : null;
}
