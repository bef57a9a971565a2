using System.Collections.Concurrent;
using Credit.Domain.Accounts;

namespace Credit.Api.Accounts;

/// <summary>
/// Accounts kept in memory once read, so a decision costs no read and no snapshot write: the state is folded
/// once (from the latest checkpoint plus the events after it) and then advanced with each committed decision.
/// Each customer has a gate: one decision (or consistent read) at a time. Another writer to the same stream
/// (another node) is caught by the append's expected version; the entry is then reloaded.
/// </summary>
public sealed class AccountCache(Checkpoints checkpoints)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _pools = new(StringComparer.Ordinal);

    public sealed class Entry(string id)
    {
        private sealed record Published(decimal Exposure);

        private Published _published = new(0m);
        public string Id { get; } = id;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        /// <summary>Null when the customer does not exist (yet). Read and changed only under <see cref="Gate"/>.</summary>
        public CreditAccount? Account { get; internal set; }
        public long Version { get; internal set; }
        public bool Loaded { get; internal set; }
        /// <summary>The committed exposure, readable without the gate (a pool adds up its members' figures).</summary>
        public decimal Exposure => Volatile.Read(ref _published).Exposure;

        internal void Publish() => Volatile.Write(ref _published, new Published(Account?.Exposure ?? 0m));
    }

    public Entry For(string customerId) => _entries.GetOrAdd(customerId, id => new Entry(id));

    /// <summary>The gate that serialises every decision of a pool's members (taken before the member's own gate).</summary>
    public SemaphoreSlim PoolGate(string groupId) => _pools.GetOrAdd(groupId, _ => new SemaphoreSlim(1, 1));

    /// <summary>Folds the account from the store the first time it is needed. Needs no gate: two loaders race to
    /// publish the same state and the first wins.</summary>
    public async Task<Entry> Loaded(string customerId, CancellationToken ct)
    {
        var entry = For(customerId);
        if (entry.Loaded) return entry;
        var account = await checkpoints.Fold(customerId, null, null, version => checkpoints.Load(customerId, version, ct), ct);
        lock (entry)
        {
            if (!entry.Loaded)
            {
                entry.Account = account;
                entry.Version = account?.Version ?? 0;
                entry.Loaded = true;
                entry.Publish();
            }
        }
        return entry;
    }

    /// <summary>After a conflicting write elsewhere: forget the state; the next use folds it again. Under the gate.</summary>
    public static void Invalidate(Entry entry)
    {
        lock (entry)
        {
            entry.Loaded = false;
            entry.Account = null;
            entry.Version = 0;
        }
    }

    /// <summary>Advances the state with events just committed. Under the gate.</summary>
    public static void Apply(Entry entry, IReadOnlyList<object> events)
    {
        foreach (var e in events) entry.Account = CreditAccount.Fold(entry.Account, e);
        entry.Version = entry.Account?.Version ?? 0;
        entry.Publish();
    }
}
