using AiAgent.Grains.Interfaces.Asterisk;

namespace AiAgent.Grains.Asterisk;

/// <summary>An in-memory, time-bounded lease (see <see cref="IAriLeaseGrain"/>).</summary>
public sealed class AriLeaseGrain(TimeProvider time) : Grain, IAriLeaseGrain
{
    private string? _holder;
    private DateTimeOffset _expiresAt;

    /// <inheritdoc/>
    public Task<bool> TryAcquireAsync(string holder, TimeSpan duration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holder);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        var now = time.GetUtcNow();
        if (_holder is not null && _holder != holder && now < _expiresAt)
        {
            return Task.FromResult(false);
        }

        _holder = holder;
        _expiresAt = now + duration;
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public Task ReleaseAsync(string holder)
    {
        if (_holder == holder)
        {
            _holder = null;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<string?> GetHolderAsync() =>
        Task.FromResult(_holder is not null && time.GetUtcNow() < _expiresAt ? _holder : null);
}
