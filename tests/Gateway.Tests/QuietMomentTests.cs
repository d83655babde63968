using AiAgent.Gateway.Playout;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

public sealed class QuietMomentTests
{
    private readonly FakeTimeProvider _time = new();

    public static TheoryData<int, int, bool> Cases => new()
    {
        // caller last spoke (ms ago), agent last played (ms ago), quiet
        { 2_000, 300, true },    // answered, its last frame heard out
        { 2_000, 299, false },   // answered, its last frame may still be playing
        { 2_000, 100, false },
        { 200, 1_000, false },   // the caller spoke after the answer: owed a reply
        { 2_999, 5_000, false },
        { 3_000, 5_000, true },  // ... until 3 s of silence say no reply is coming
        { 20, 400, false },      // the caller is speaking
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_call_is_quiet_once_the_caller_is_answered_and_the_answer_heard_or_long_silent(int callerMsAgo, int agentMsAgo, bool quiet)
    {
        _time.Advance(TimeSpan.FromSeconds(10));
        var now = _time.GetTimestamp();

        var verdict = new QuietMoment(_time).IsQuiet(now, now - Ticks(callerMsAgo), now - Ticks(agentMsAgo));

        Assert.Equal(quiet, verdict);
    }

    [Fact]
    public void A_call_nobody_has_spoken_on_yet_is_quiet_after_the_unanswered_wait()
    {
        var start = _time.GetTimestamp();
        var quiet = new QuietMoment(_time);

        _time.Advance(QuietMoment.UnansweredWait - TimeSpan.FromMilliseconds(20));
        Assert.False(quiet.IsQuiet(_time.GetTimestamp(), start, start));
        _time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.True(quiet.IsQuiet(_time.GetTimestamp(), start, start));
    }

    private long Ticks(int milliseconds) => milliseconds * _time.TimestampFrequency / 1000;
}
