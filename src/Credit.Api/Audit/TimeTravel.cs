using Credit.Domain.Accounts;
using Credit.Projections.Accounts;
using Marten;
using Microsoft.Extensions.Caching.Memory;

namespace Credit.Api.Audit;

/// <summary>
/// The account as it stood at a version or a moment: the newest checkpoint at or before that point, plus the
/// (at most <see cref="AccountCheckpoint.Interval"/>) events after it. Checkpoints read for one question are
/// kept in memory for the next (an auditor walks one account's history), bounded by the number of documents
/// they hold; a copy is folded, never the kept state.
/// </summary>
public sealed class TimeTravel(IDocumentStore store) : IDisposable
{
    private const long MaxKeptDocuments = 40_000;
    private readonly MemoryCache _kept = new(new MemoryCacheOptions { SizeLimit = MaxKeptDocuments });

    private sealed class CheckpointRef
    {
        public string Id { get; set; } = "";
        public long Version { get; set; }
    }

    public async Task<CreditAccount?> At(string customerId, long? version, DateTimeOffset? at, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var candidates = session.Query<AccountCheckpoint>().Where(c => c.CustomerId == customerId);
        if (version is { } v) candidates = candidates.Where(c => c.Version <= v);
        if (at is { } moment) candidates = candidates.Where(c => c.Timestamp <= moment);
        var found = await candidates.OrderByDescending(c => c.Version)
            .Select(c => new CheckpointRef { Id = c.Id, Version = c.Version }).FirstOrDefaultAsync(ct);

        CreditAccount? start = null;
        if (found is not null)
        {
            if (!_kept.TryGetValue(found.Id, out CreditAccount? kept))
            {
                kept = (await session.LoadAsync<AccountCheckpoint>(found.Id, ct))?.Account;
                if (kept is not null)
                    _kept.Set(found.Id, kept, new MemoryCacheEntryOptions { Size = 1 + kept.Receivables.Count + kept.Payments.Count + kept.Orders.Count });
            }
            start = kept?.Clone();
        }
        if (start is not null && start.Version == version) return start;
        return await session.Events.AggregateStreamAsync(customerId, version ?? 0, at, start, (start?.Version ?? 0) + 1, ct) ?? start;
    }

    public void Dispose() => _kept.Dispose();
}
