namespace AiAgent.Asterisk.Tests;

/// <summary>The recorded ARI event streams (Captures/README.md).</summary>
internal static class Captures
{
    public const string AnswerVariableDtmfContinue = "stasis-answer-variable-dtmf-continue";
    public const string ContinueOnly = "stasis-continue-only";
    public const string Delete = "stasis-delete";
    public const string DeleteWithChannelSubscription = "stasis-delete-with-channel-subscription";
    public const string ExternalMediaCallerHangup = "externalmedia-audiosocket-bridge-caller-hangup";
    public const string ExternalMediaServerHangupFrame = "externalmedia-server-sends-hangup-frame";

    public static IEnumerable<string> All => [AnswerVariableDtmfContinue, ContinueOnly, Delete, DeleteWithChannelSubscription, ExternalMediaCallerHangup, ExternalMediaServerHangupFrame];

    public static string[] Lines(string name) =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Captures", name + ".jsonl")).Where(l => l.Length > 0).ToArray();
}
