using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers.OpenAIRealtime;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>
/// When the conversation is quiet enough for a session switch: server VAD answers a caller's turn unasked
/// (<c>create_response</c>), so the moment between its <c>speech_stopped</c> and <c>response.created</c> is not one.
/// </summary>
public sealed class ConversationQuietTests
{
    private static RealtimeConversation NewConversation() => new(AudioFormat.Slin24, TimeProvider.System);

    [Fact]
    public void A_caller_turn_is_busy_from_speech_started_until_the_servers_answer_is_done()
    {
        var conversation = NewConversation();
        Assert.True(conversation.IsQuiet);

        conversation.SetUserSpeaking(true);
        Assert.False(conversation.IsQuiet);
        conversation.SetUserSpeaking(false);
        Assert.False(conversation.IsQuiet); // the server is creating the answer: a switch now would lose it
        conversation.UserItemCommitted("item_user_1");
        Assert.False(conversation.IsQuiet);
        conversation.ResponseCreated("resp_1");
        Assert.False(conversation.IsQuiet);
        conversation.ResponseDone("resp_1");
        Assert.True(conversation.IsQuiet);
    }

    [Fact]
    public void A_response_create_of_ours_waits_for_the_answer_the_server_is_creating()
    {
        var conversation = NewConversation();
        conversation.SetUserSpeaking(true);
        conversation.SetUserSpeaking(false);

        // A DTMF note between speech_stopped and response.created: asking now would collide with the server's answer.
        Assert.False(conversation.AddUserText("The caller pressed 1."));
        conversation.ResponseCreated("resp_1");
        var (_, createPending) = conversation.ResponseDone("resp_1");
        Assert.True(createPending);
    }

    [Fact]
    public void A_connection_lost_before_the_servers_answer_asks_for_it_on_the_next_one()
    {
        var conversation = NewConversation();
        conversation.BeginConnection(attempt: 0, rollover: false);
        conversation.SetUserSpeaking(true);
        conversation.SetUserSpeaking(false);

        var (_, resume) = conversation.Settle(epoch: 1, lost: true);

        Assert.True(resume);
        Assert.True(conversation.BeginConnection(attempt: 1, rollover: false).Resume);
    }

    [Fact]
    public void A_done_without_the_servers_created_ends_the_wait()
    {
        // The caller talked over an answer: its response.done may be the next word from the server. The session must
        // not stay busy for good on a turn the server chose not to answer.
        var conversation = NewConversation();
        conversation.ResponseCreated("resp_1");
        conversation.SetUserSpeaking(true);
        conversation.SetUserSpeaking(false);
        Assert.False(conversation.IsQuiet);

        conversation.ResponseDone("resp_1");

        Assert.True(conversation.IsQuiet);
    }
}
