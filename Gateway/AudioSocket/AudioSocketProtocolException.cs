namespace AiAgent.Gateway.AudioSocket;

/// <summary>What was wrong with the bytes an AudioSocket peer sent.</summary>
public enum AudioSocketProtocolError
{
    /// <summary>The kind byte is not one the protocol defines.</summary>
    UnknownKind,

    /// <summary>The payload length exceeds <c>audiosocket.max_frame_bytes</c>.</summary>
    Oversized,

    /// <summary>An audio frame with an odd number of bytes (16-bit samples cannot be split).</summary>
    OddAudioLength,

    /// <summary>An audio frame with no payload: Asterisk itself rejects one as an invalid message and hangs up.</summary>
    EmptyAudio,

    /// <summary>A UUID frame whose payload is not 16 bytes.</summary>
    BadUuidLength,

    /// <summary>A DTMF frame whose payload is not 1 byte.</summary>
    BadDtmfLength,

    /// <summary>The first frame is not a UUID frame.</summary>
    MissingUuid,

    /// <summary>A second UUID frame in the same session.</summary>
    DuplicateUuid,

    /// <summary>The peer closed the connection in the middle of a frame.</summary>
    Truncated,

    /// <summary>The peer sent an error frame (kind 0xFF).</summary>
    PeerError,
}

/// <summary>Thrown by <see cref="AudioSocketFrameReader"/> when a header is invalid; the session cannot continue.</summary>
public sealed class AudioSocketProtocolException(AudioSocketProtocolError error, byte kind, int length, string message)
    : Exception(message)
{
    /// <summary>What was wrong.</summary>
    public AudioSocketProtocolError Error { get; } = error;

    /// <summary>The kind byte of the offending header.</summary>
    public byte Kind { get; } = kind;

    /// <summary>The payload length of the offending header.</summary>
    public int Length { get; } = length;
}
