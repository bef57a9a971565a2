using Credit.Domain.Accounts;

namespace Credit.Projections.Accounts;

/// <summary>
/// The account as it stood after a given version, kept every <see cref="Interval"/> events so time travel
/// folds at most that many events instead of the whole stream.
/// </summary>
public sealed class AccountCheckpoint
{
    public const int Interval = 500;

    public string Id { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public long Version { get; set; }
    /// <summary>Timestamp of the event at <see cref="Version"/>.</summary>
    public DateTimeOffset Timestamp { get; set; }
    public CreditAccount Account { get; set; } = new();

    public static string IdOf(string customerId, long version) => $"{customerId}@{version:D12}";
}
