using AiAgent.CallSim.Audio;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// The test API over HTTP for offline trials (<c>dotnet run --project tools/Emulators -- ari</c>), same credentials as
/// ARI: <c>POST /emulator/calls?app=NAME[&amp;args=a,b][&amp;wav=PATH&amp;format=slin16]</c> places a caller (answer:
/// <c>{"channel_id":…}</c>); <c>POST /emulator/calls/{id}/dtmf?digit=5</c>; <c>POST /emulator/calls/{id}/hangup</c>;
/// <c>POST /emulator/calls/{id}/say?wav=PATH[&amp;format=slin16]</c>; <c>GET /emulator/calls/{id}</c>;
/// <c>POST /emulator/drop-events[?graceful=true]</c>. The far ends of originated channels (a warm transfer's human):
/// <c>POST /emulator/endpoints?endpoint=PJSIP/sales-desk&amp;action=answer|busy|reject|ring[&amp;after_ms=N][&amp;cause=N]</c>
/// scripts an endpoint; <c>GET /emulator/dialled</c> lists the originated channels;
/// <c>POST /emulator/dialled/{id}/answer</c>, <c>…/reject[?cause=17]</c>, <c>…/dtmf?digit=1</c>, <c>…/hangup</c> act on one.
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
                    w.WriteBoolean("on_hold", call.OnHold);
                    w.WriteNumber("dead_air_moments", call.DeadAir.Count);
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
            case ("POST", ["endpoints"]):
                return ScriptEndpoint(emulator, Q("endpoint"), Q("action"), Q("after_ms"), Q("cause"));
            case ("GET", ["dialled"]):
                return new(200, AriEventJson.Object(w =>
                {
                    w.WriteStartArray();
                    foreach (var dialled in emulator.Dialled)
                    {
                        w.WriteStartObject();
                        w.WriteString("channel_id", dialled.ChannelId);
                        w.WriteString("endpoint", dialled.Endpoint);
                        w.WriteString("state", dialled.State);
                        w.WriteBoolean("in_stasis", dialled.InStasis);
                        w.WriteBoolean("gone", dialled.IsGone);
                        w.WriteString("bridge_id", dialled.BridgeId);
                        if (dialled.DestroyedCause is { } cause)
                        {
                            w.WriteNumber("destroyed_cause", cause);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }));
            case ("POST", ["dialled", var id, "answer"]) when emulator.FindDialled(id) is { } dialled:
                await dialled.AnswerAsync().ConfigureAwait(false);
                return RestResult.NoContent;
            case ("POST", ["dialled", var id, "reject"]) when emulator.FindDialled(id) is { } dialled:
                await dialled.RejectAsync(int.TryParse(Q("cause"), System.Globalization.CultureInfo.InvariantCulture, out var rejectCause) ? rejectCause : 17).ConfigureAwait(false);
                return RestResult.NoContent;
            case ("POST", ["dialled", var id, "dtmf"]) when emulator.FindDialled(id) is { } dialled && Q("digit") is { Length: 1 } dialledDigit:
                await dialled.SendDtmfAsync(dialledDigit[0]).ConfigureAwait(false);
                return RestResult.NoContent;
            case ("POST", ["dialled", var id, "hangup"]) when emulator.FindDialled(id) is { } dialled:
                await dialled.HangUpAsync().ConfigureAwait(false);
                return RestResult.NoContent;
            case ("POST", ["drop-events"]):
                emulator.DropEventConnections(graceful: Q("graceful") == "true");
                return RestResult.NoContent;
            default:
                return RestResult.Error(404, "Unknown emulator control request");
        }
    }

    private static RestResult ScriptEndpoint(AriEmulator emulator, string? endpoint, string? action, string? afterMs, string? cause)
    {
        if (string.IsNullOrEmpty(endpoint) || !endpoint.Contains('/', StringComparison.Ordinal))
        {
            return RestResult.Error(400, "endpoint=TECH/resource is required");
        }

        var after = TimeSpan.FromMilliseconds(int.TryParse(afterMs, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms >= 0 ? ms : 0);
        var script = action switch
        {
            "answer" => AriEndpointScript.AnswerAfter(after),
            "busy" => AriEndpointScript.BusyAfter(after),
            "reject" => AriEndpointScript.RejectAfter(after, int.TryParse(cause, System.Globalization.CultureInfo.InvariantCulture, out var c) ? c : 21),
            "ring" => AriEndpointScript.Rings,
            _ => null,
        };
        if (script is null)
        {
            return RestResult.Error(400, "action must be answer, busy, reject or ring");
        }

        emulator.ScriptEndpoint(endpoint, script);
        return RestResult.NoContent;
    }

    /// <summary>A WAV file as the caller's audio, at the rate of the external media it will be bridged with.</summary>
    private static ReadOnlyMemory<byte>? ReadWav(string path, string? format) =>
        CallFormat.TryParse(format ?? "slin16", out var parsed) ? CallAudio.FromWav(path, parsed).Bytes : null;
}
