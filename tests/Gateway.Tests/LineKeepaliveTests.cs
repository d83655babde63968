using AiAgent.Gateway.Playout;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

public sealed class LineKeepaliveTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(999, false)]
    [InlineData(1_000, true)]
    [InlineData(5_000, true)]
    public void Silence_is_due_once_neither_side_has_sent_for_the_interval(int silentMs, bool due)
    {
        var keepalive = new LineKeepalive(_time, TimeSpan.FromSeconds(1));

        _time.Advance(TimeSpan.FromMilliseconds(silentMs));

        Assert.Equal(due, keepalive.IsDue(_time.GetTimestamp()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_frame_either_way_restarts_the_interval(bool inbound)
    {
        var keepalive = new LineKeepalive(_time, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromMilliseconds(800));
        if (inbound)
        {
            keepalive.OnInbound(_time.GetTimestamp());
        }
        else
        {
            keepalive.OnOutbound(_time.GetTimestamp());
        }

        _time.Advance(TimeSpan.FromMilliseconds(800));
        Assert.False(keepalive.IsDue(_time.GetTimestamp()));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.True(keepalive.IsDue(_time.GetTimestamp()));
    }

    [Fact]
    public void A_zero_interval_disables_keepalive()
    {
        var keepalive = new LineKeepalive(_time, TimeSpan.Zero);

        _time.Advance(TimeSpan.FromHours(1));

        Assert.False(keepalive.IsDue(_time.GetTimestamp()));
    }
}
