namespace Credit.Api.Holds;

/// <summary>
/// A pool's gate held by a long pass (a hold review, a bounce's look) in turns of <see cref="Length"/>: between two, the
/// members' writers queued meanwhile go first (the gate serves its waiters in turn, so the pass is never starved either).
/// Holding it throughout a pass over hundreds of orders kept every member's orders waiting for it (sweep AE: 20-28 s).
/// </summary>
public sealed class GateTurns(SemaphoreSlim gate) : IDisposable
{
    public static readonly TimeSpan Length = TimeSpan.FromMilliseconds(50);

    private readonly System.Diagnostics.Stopwatch _held = new();
    private bool _holding;

    public async Task Enter(CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        _holding = true;
        _held.Restart();
    }

    /// <summary>Lets the waiting writers go first once the turn is over; true when it did (what they changed must be read again).</summary>
    public async Task<bool> YieldIfDue(CancellationToken ct)
    {
        if (_held.Elapsed <= Length) return false;
        _holding = false;
        gate.Release();
        await Enter(ct);
        return true;
    }

    public void Dispose()
    {
        if (!_holding) return;
        _holding = false;
        gate.Release();
    }
}
