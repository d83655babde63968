namespace AiAgent.Grains.Providers.Local;

/// <summary>
/// The caller's turn as the local agent records it for its echo: chunks of the echo's chunk size, filled as the audio
/// comes and handed over whole to the echo (<see cref="TakeChunks"/>), so a turn costs its own length and no more.
/// </summary>
/// <remarks>
/// One buffer grown by doubling held 128 KB for a 4 s turn at 8 kHz (on the large-object heap) for the whole call, and
/// the echo copied it again; chunks are small-object arrays that live only until the echo has played.
/// </remarks>
internal sealed class TurnRecording(int chunkBytes, int maxBytes)
{
    private readonly List<byte[]> _chunks = [];
    private int _lastChunkLength;

    /// <summary>Bytes recorded in this turn.</summary>
    public int Length { get; private set; }

    /// <summary>True when the turn has reached its limit (<c>max_turn_ms</c>): nothing more is taken.</summary>
    public bool IsFull => Length >= maxBytes;

    /// <summary>Appends audio, up to the turn's limit.</summary>
    public void Append(ReadOnlySpan<byte> audio)
    {
        audio = audio[..Math.Min(audio.Length, maxBytes - Length)];
        while (!audio.IsEmpty)
        {
            if (_chunks.Count == 0 || _lastChunkLength == _chunks[^1].Length)
            {
                _chunks.Add(new byte[Math.Min(chunkBytes, maxBytes - Length)]);
                _lastChunkLength = 0;
            }

            var last = _chunks[^1];
            var take = Math.Min(audio.Length, last.Length - _lastChunkLength);
            audio[..take].CopyTo(last.AsSpan(_lastChunkLength));
            _lastChunkLength += take;
            Length += take;
            audio = audio[take..];
        }
    }

    /// <summary>The turn's audio in order (the caller owns the arrays from now on); the recording starts empty again.</summary>
    public ReadOnlyMemory<byte>[] TakeChunks()
    {
        var chunks = new ReadOnlyMemory<byte>[_chunks.Count];
        for (var i = 0; i < chunks.Length; i++)
        {
            chunks[i] = i == chunks.Length - 1 ? _chunks[i].AsMemory(0, _lastChunkLength) : _chunks[i];
        }

        Clear();
        return chunks;
    }

    /// <summary>Forgets the turn.</summary>
    public void Clear()
    {
        _chunks.Clear();
        _lastChunkLength = 0;
        Length = 0;
    }
}
