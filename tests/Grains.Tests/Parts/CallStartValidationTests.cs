using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;

namespace AiAgent.Grains.Tests.Parts;

public sealed class CallStartValidationTests
{
    private static readonly Guid CallId = Guid.NewGuid();

    private static CallStartRequest Request(AudioFormat format, AudioFormat? playout = null) =>
        new(format, "gateway", null, TimeSpan.FromMilliseconds(20)) { PlayoutFormat = playout };

    public static TheoryData<AudioFormat, AudioFormat?, AudioFormat> Accepted => new()
    {
        { AudioFormat.Slin8, null, AudioFormat.Slin8 },
        { AudioFormat.Slin16, null, AudioFormat.Slin16 },
        { AudioFormat.Mulaw8, AudioFormat.Slin8, AudioFormat.Slin8 }, // a G.711 call is answered in slin
        { AudioFormat.Alaw8, AudioFormat.Slin8, AudioFormat.Slin8 },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void A_supported_request_gives_its_playout_format(AudioFormat format, AudioFormat? playout, AudioFormat expected)
    {
        Assert.Equal(expected, CallStartValidation.Validate(CallId, CallState.New, Request(format, playout)));
    }

    public static TheoryData<AudioFormat, AudioFormat?> Rejected => new()
    {
        { new AudioFormat(AudioEncoding.Mulaw, 16_000), null }, // G.711 is 8 kHz only
        { AudioFormat.Mulaw8, null }, // Asterisk reads slin back, never µ-law
        { AudioFormat.Slin8, AudioFormat.Alaw8 },
        { AudioFormat.Slin8, new AudioFormat(AudioEncoding.Pcm16, 8_000, 2) },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void An_unsupported_format_is_rejected(AudioFormat format, AudioFormat? playout)
    {
        Assert.Throws<ArgumentException>(() => CallStartValidation.Validate(CallId, CallState.New, Request(format, playout)));
    }

    [Fact]
    public void An_ended_call_cannot_start_again()
    {
        var error = Assert.Throws<InvalidOperationException>(() => CallStartValidation.Validate(CallId, CallState.Ended, Request(AudioFormat.Slin8)));
        Assert.Contains(CallId.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_provider_is_the_registered_one_of_that_name()
    {
        IAgentProvider[] providers = [new NamedProvider("local"), new NamedProvider("deepgram")];

        Assert.Same(providers[1], CallStartValidation.SelectProvider(providers, "deepgram"));
        Assert.Throws<InvalidOperationException>(() => CallStartValidation.SelectProvider(providers, "openai_realtime"));
    }

    private sealed class NamedProvider(string name) : IAgentProvider
    {
        public string Name => name;

        public IAgentSession CreateSession(AgentSessionContext context) => throw new NotSupportedException();
    }
}
