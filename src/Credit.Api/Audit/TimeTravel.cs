using Credit.Api.Accounts;
using Credit.Domain.Accounts;
using Microsoft.Extensions.Caching.Memory;

namespace Credit.Api.Audit;

/// <summary>
/// The account as it stood at a version or a moment: the newest checkpoint at or before that point, plus the
/// (at most <see cref="Checkpoints.Interval"/>) events after it. Checkpoint images read for one question are
/// kept in memory for the next (an auditor walks one account's history), bounded by their bytes; each question
/// folds onto an account read fresh from the image, never a shared one.
/// </summary>
public sealed class TimeTravel(Checkpoints checkpoints) : IDisposable
{
    private const long MaxKeptBytes = 32 << 20;
    private readonly MemoryCache _kept = new(new MemoryCacheOptions { SizeLimit = MaxKeptBytes });

    public Task<CreditAccount?> At(string customerId, long? version, DateTimeOffset? at, CancellationToken ct) =>
        checkpoints.Fold(customerId, version, at, checkpointVersion => FromKeptImage(customerId, checkpointVersion, ct), ct);

    private async Task<CreditAccount?> FromKeptImage(string customerId, long checkpointVersion, CancellationToken ct)
    {
        var key = (customerId, checkpointVersion);
        if (!_kept.TryGetValue(key, out byte[]? image))
        {
            image = await checkpoints.LoadImage(customerId, checkpointVersion, ct);
            if (image is not null) _kept.Set(key, image, new MemoryCacheEntryOptions { Size = image.Length });
        }
        return image is null ? null : AccountImage.Read(image);
    }

    public void Dispose() => _kept.Dispose();
}
