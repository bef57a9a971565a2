using System.Collections.Concurrent;
using Credit.Domain.Accounts;

namespace Credit.Api.Accounts;

/// <summary>
/// Accounts kept in memory once read, so a decision costs no read and no snapshot write: the state is folded
/// once (from the latest checkpoint plus the events after it) and then advanced with each committed decision.
/// Each customer has a gate: one decision (or consistent read) at a time. Another writer to the same stream
/// (another node) is caught by the append's expected version; the entry is then reloaded.
/// At most <c>Credit:Accounts:InMemory</c> accounts (10,000 by default) holding at most
/// <c>Credit:Accounts:InMemoryEvents</c> events between them (1,000,000 by default) stay: past a tenth over either,
/// the least recently used ones whose gate is free are let go, to be folded again from their checkpoint when next
/// needed. The count alone does not bound memory: an account's state grows with its history (~0.7 KB of heap per
/// event in the bench), so 10,000 long-lived accounts could hold tens of millions of events.
/// </summary>
public sealed class AccountCache(Checkpoints checkpoints, IConfiguration config, ILogger<AccountCache> log)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _pools = new(StringComparer.Ordinal);
    private readonly int _capacity = Math.Max(config.GetValue("Credit:Accounts:InMemory", 10_000), 1);
    private readonly long _eventCapacity = Math.Max(config.GetValue("Credit:Accounts:InMemoryEvents", 1_000_000L), 1);
    private readonly EventTally _events = new();
    private int _count;
    private int _trimming;

    /// <summary>Events folded into the accounts held, kept up to date by the entries as they load and advance.</summary>
    public sealed class EventTally
    {
        private long _total;
        public long Total => Interlocked.Read(ref _total);
        public long Add(long delta) => Interlocked.Add(ref _total, delta);
    }

    public sealed class Entry(string id, EventTally? tally = null)
    {
        private sealed record Published(decimal Exposure, string Currency, bool BuysFromUs);

        private Published _published = new(0m, Domain.Money.Currency.Default, true);
        public string Id { get; } = id;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        /// <summary>Null when the customer does not exist (yet). Read and changed only under <see cref="Gate"/>.</summary>
        public CreditAccount? Account { get; internal set; }
        public long Version { get; private set; }
        private volatile bool _loaded;
        public bool Loaded { get => _loaded; internal set => _loaded = value; }
        /// <summary>Let go by the cache (under the gate): whoever takes the gate after that must take the new entry's.</summary>
        public bool Evicted { get; internal set; }
        internal long LastUsed;
        /// <summary>The committed exposure and its currency, and whether the contact buys from us at all, readable without
        /// the gate (a pool adds up its members' figures).</summary>
        public (decimal Exposure, string Currency, bool BuysFromUs) Position
        {
            get
            {
                var published = Volatile.Read(ref _published);
                return (published.Exposure, published.Currency, published.BuysFromUs);
            }
        }

        internal void Publish() => Volatile.Write(ref _published,
            new Published(Account?.Exposure ?? 0m, Account?.Currency ?? Domain.Money.Currency.Default, Account?.Profile.BuysFromUs ?? true));

        /// <summary>Sets the version and counts the change in the cache's tally (not once let go). Whoever
        /// holds the gate or the entry's lock calls it; returns the tally's new total.</summary>
        internal long SetVersion(long version)
        {
            var delta = version - Version;
            Version = version;
            return tally is null || Evicted ? 0 : tally.Add(delta);
        }
    }

    private int TrimAbove => _capacity + _capacity / 10 + 1;
    private long TrimAboveEvents => _eventCapacity + _eventCapacity / 10 + 1;

    /// <summary>Accounts (and unknown ids asked for) held now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Events folded into the accounts held now.</summary>
    public long Events => _events.Total;

    private bool OverCapacity => Count > TrimAbove || Events > TrimAboveEvents;

    public Entry For(string customerId)
    {
        while (true)
        {
            if (!_entries.TryGetValue(customerId, out var entry))
            {
                entry = new Entry(customerId, _events);
                if (!_entries.TryAdd(customerId, entry)) continue;
                if (Interlocked.Increment(ref _count) > TrimAbove) StartTrim();
            }
            Volatile.Write(ref entry.LastUsed, Environment.TickCount64);
            return entry;
        }
    }

    /// <summary>The customer's entry with its gate taken and its account loaded; release the gate when done.</summary>
    public async Task<Entry> Enter(string customerId, CancellationToken ct)
    {
        while (true)
        {
            var entry = For(customerId);
            await entry.Gate.WaitAsync(ct);
            if (entry.Evicted)
            {
                entry.Gate.Release();
                continue;
            }
            try
            {
                return await Load(entry, ct);
            }
            catch
            {
                entry.Gate.Release();
                throw;
            }
        }
    }

    /// <summary>The gate that serialises every decision of a pool's members (taken before the member's own gate).</summary>
    public SemaphoreSlim PoolGate(string groupId) => _pools.GetOrAdd(groupId, _ => new SemaphoreSlim(1, 1));

    /// <summary>Folds the account from the store the first time it is needed. Needs no gate: two loaders race to
    /// publish the same state and the first wins.</summary>
    public Task<Entry> Loaded(string customerId, CancellationToken ct) => Load(For(customerId), ct);

    private async Task<Entry> Load(Entry entry, CancellationToken ct)
    {
        if (entry.Loaded) return entry;
        var customerId = entry.Id;
        var account = await checkpoints.Fold(customerId, null, null, version => checkpoints.Load(customerId, version, ct), ct);
        lock (entry)
        {
            if (!entry.Loaded)
            {
                entry.Account = account;
                if (entry.SetVersion(account?.Version ?? 0) > TrimAboveEvents) StartTrim();
                entry.Publish(); // builds the account's open position while nobody else can reach the account
                entry.Loaded = true; // last: whoever sees the entry loaded (without this lock) may change the account
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
            entry.SetVersion(0);
        }
    }

    /// <summary>Advances the state with events just committed. Under the gate.</summary>
    public void Apply(Entry entry, IReadOnlyList<object> events)
    {
        foreach (var e in events) entry.Account = CreditAccount.Fold(entry.Account, e);
        long total;
        lock (entry) total = entry.SetVersion(entry.Account?.Version ?? 0);
        entry.Publish();
        if (total > TrimAboveEvents) StartTrim();
    }

    private void StartTrim()
    {
        if (Interlocked.CompareExchange(ref _trimming, 1, 0) != 0) return;
        _ = Task.Run(() =>
        {
            try
            {
                // Again while entries added during a trim keep it over, as long as there is something to let go.
                while (Trim() > 0 && OverCapacity) { }
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Trimming the in-memory accounts failed");
            }
            finally
            {
                Volatile.Write(ref _trimming, 0);
            }
        });
    }

    /// <summary>Lets go of the least recently used entries down to both capacities, skipping any whose gate is taken
    /// (a decision or read in flight keeps its account); how many it let go.</summary>
    internal int Trim()
    {
        var excess = Count - _capacity;
        var excessEvents = Events - _eventCapacity;
        if (excess <= 0 && excessEvents <= 0) return 0;
        var evicted = 0;
        var oldest = _entries.Values.OrderBy(e => Volatile.Read(ref e.LastUsed)).ToArray();
        foreach (var entry in oldest)
        {
            if (excess <= 0 && excessEvents <= 0) break;
            if (!entry.Gate.Wait(0)) continue;
            try
            {
                if (!_entries.TryRemove(new KeyValuePair<string, Entry>(entry.Id, entry))) continue;
                lock (entry) // a loader (without the gate) may be setting the version: it counts only if not let go
                {
                    entry.Evicted = true;
                    _events.Add(-entry.Version);
                    excessEvents -= entry.Version;
                }
                Interlocked.Decrement(ref _count);
                excess--;
                evicted++;
            }
            finally
            {
                entry.Gate.Release();
            }
        }
        return evicted;
    }
}
