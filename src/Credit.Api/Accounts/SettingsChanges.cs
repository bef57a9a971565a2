namespace Credit.Api.Accounts;

/// <summary>
/// Changes to what decisions read besides the account (the company policy: limits, rates, rules; a group: its default
/// limit, its pool) take turns with the group commit, and each one counts. A decision notes the count before it reads
/// them and its commit is refused when a change landed since: it is decided again on the new settings. Without this an
/// order decided on yesterday's rate committed just after a controller lowered it, over the limit the new rate gives
/// (a load sweep: 3 orders up to 10 % over); a group's default limit and a group turning into a pool raced the same way.
/// </summary>
public sealed class SettingsChanges
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private long _count;

    /// <summary>How many changes have landed; read before the settings a decision is decided on.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Saves a change between two commits of decisions, and counts it (even when the save failed part-way).</summary>
    public async Task<T> Change<T>(Func<Task<T>> save, CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        try
        {
            return await save();
        }
        finally
        {
            Interlocked.Increment(ref _count);
            _turn.Release();
        }
    }

    /// <summary>The group commit's turn: no change lands until it is released.</summary>
    internal async Task<IDisposable> Turn(CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        return new Release(_turn);
    }

    private sealed class Release(SemaphoreSlim turn) : IDisposable
    {
        public void Dispose() => turn.Release();
    }
}

/// <summary>A commit refused because the settings its decision read have changed since; the decision is made again.</summary>
public sealed class SettingsChangedException() : Exception("The credit settings changed while the decision waited to be committed.");
