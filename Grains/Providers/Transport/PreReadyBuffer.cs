namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// What a connection holds while its handshake is incomplete (nothing but the settings may go first): control
/// messages all, caller audio only the newest <c>budget</c> bytes; older audio is dropped and reported.
/// </summary>
internal sealed class PreReadyBuffer(int audioBudgetBytes, Action<AudioDropReason, int> dropped)
{
    private readonly Queue<OutboundItem> _audio = new();
    private readonly Queue<OutboundItem> _control = new();
    private int _audioBytes;

    /// <summary>True while anything is held.</summary>
    public bool HasItems => _audio.Count > 0 || _control.Count > 0;

    /// <summary>Holds <paramref name="item"/>; keep-alives and wake-ups are meaningless before ready and released.</summary>
    public void Hold(OutboundItem item)
    {
        switch (item.Kind)
        {
            case OutboundKind.Audio:
                _audio.Enqueue(item);
                _audioBytes += item.Length;
                while (_audioBytes > audioBudgetBytes && _audio.TryDequeue(out var old))
                {
                    _audioBytes -= old.Length;
                    dropped(AudioDropReason.BeforeReady, old.Length);
                    old.Release();
                }

                break;
            case OutboundKind.Control:
                _control.Enqueue(item);
                break;
            default:
                item.Release();
                break;
        }
    }

    /// <summary>The next held item: control messages first, then audio in order.</summary>
    public bool TryTake(out OutboundItem item)
    {
        if (_control.TryDequeue(out item))
        {
            return true;
        }

        if (_audio.TryDequeue(out item))
        {
            _audioBytes -= item.Length;
            return true;
        }

        return false;
    }

    /// <summary>Releases everything held.</summary>
    public void Clear()
    {
        while (TryTake(out var item))
        {
            item.Release();
        }
    }
}
