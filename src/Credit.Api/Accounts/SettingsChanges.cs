using System.Collections.Concurrent;

namespace Credit.Api.Accounts;

/// <summary>What a decision read besides the account: how many policy changes, and changes of its group and of the group
/// it moves the customer into, had landed.</summary>
public sealed record SettingsRead(long Policy, string? GroupId, long Group, string? JoiningId = null, long Joining = 0);

/// <summary>
/// Changes to what decisions read besides the account (the company policy: limits, rates, rules; a group: its default
/// limit, its pool) take turns with the group commit, and each one that changes something counts. A decision notes the
/// counts before it reads them (<see cref="Read"/>) and its commit is refused when the policy or its own group changed
/// since: it is decided again on the new settings. Without this an order decided on yesterday's rate committed just after
/// a controller lowered it, over the limit the new rate gives (a load sweep: 3 orders up to 10 % over); a group's default
/// limit and a group turning into a pool raced the same way. A save that changes nothing (or only what reports read), or
/// another group's change, refuses nothing (counting every save, a burst of them refused the same decisions until they
/// gave up).
/// </summary>
public sealed class SettingsChanges
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _groups = new(StringComparer.Ordinal);
    private long _policy;

    /// <summary>The counts a decision on a customer of this group (or none) reads; before the policy and the group are read.</summary>
    public SettingsRead Read(string? groupId) =>
        new(Volatile.Read(ref _policy), groupId, groupId is null ? 0 : _groups.GetValueOrDefault(groupId));

    /// <summary>
    /// The counts with the group the decision moves the customer into; before that group is read. A group turning into a
    /// pool as a customer joined it took in the newcomer without the pool's gate: a member's grant beside it missed its debt.
    /// </summary>
    public SettingsRead Joining(SettingsRead read, string groupId) =>
        read with { JoiningId = groupId, Joining = _groups.GetValueOrDefault(groupId) };

    /// <summary>Whether nothing a decision read has changed since; asked by the group commit in its turn.</summary>
    internal bool Holds(SettingsRead read) =>
        read.Policy == Volatile.Read(ref _policy) && (read.GroupId is null || _groups.GetValueOrDefault(read.GroupId) == read.Group)
        && (read.JoiningId is null || _groups.GetValueOrDefault(read.JoiningId) == read.Joining);

    /// <summary>Saves a policy change between two commits of decisions; counted when it changed something (or failed part-way).</summary>
    public Task<T> ChangePolicy<T>(Func<Task<(T Result, bool Changed)>> save, CancellationToken ct) =>
        Change(save, () => Interlocked.Increment(ref _policy), ct);

    /// <summary>The same for a group's change.</summary>
    public Task<T> ChangeGroup<T>(string groupId, Func<Task<(T Result, bool Changed)>> save, CancellationToken ct) =>
        Change(save, () => _groups.AddOrUpdate(groupId, 1, (_, n) => n + 1), ct);

    private async Task<T> Change<T>(Func<Task<(T Result, bool Changed)>> save, Action count, CancellationToken ct)
    {
        await _turn.WaitAsync(ct);
        var counted = false;
        try
        {
            var (result, changed) = await save();
            if (changed) count();
            counted = true;
            return result;
        }
        finally
        {
            if (!counted) count(); // it may have committed before it failed
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
