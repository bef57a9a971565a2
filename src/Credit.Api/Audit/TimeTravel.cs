using Credit.Api.Accounts;
using Credit.Domain.Accounts;
using Microsoft.Extensions.Caching.Memory;

namespace Credit.Api.Audit;

/// <summary>
/// The account as it stood at a version or a moment: the newest checkpoint at or before that point, plus the
/// (at most <see cref="Checkpoints.Interval"/>) events after it. Checkpoints read for one question are
/// kept in memory for the next (an auditor walks one account's history), bounded by the number of documents
/// they hold; a copy is folded, never the kept state.
/// </summary>
public sealed class TimeTravel(Checkpoints checkpoints) : IDisposable
{
    private const long MaxKeptDocuments = 40_000;
    private readonly MemoryCache _kept = new(new MemoryCacheOptions { SizeLimit = MaxKeptDocuments });

    public Task<CreditAccount?> At(string customerId, long? version, DateTimeOffset? at, CancellationToken ct) =>
        checkpoints.Fold(customerId, version, at, checkpointVersion => KeptCopy(customerId, checkpointVersion, ct), ct);

    private async Task<CreditAccount?> KeptCopy(string customerId, long checkpointVersion, CancellationToken ct)
    {
        var key = (customerId, checkpointVersion);
        if (!_kept.TryGetValue(key, out CreditAccount? kept))
        {
            kept = await checkpoints.Load(customerId, checkpointVersion, ct);
            if (kept is not null)
                _kept.Set(key, kept, new MemoryCacheEntryOptions { Size = 1 + kept.Receivables.Count + kept.Payments.Count + kept.Orders.Count });
        }
        return kept?.Clone();
    }

    public void Dispose() => _kept.Dispose();
}
