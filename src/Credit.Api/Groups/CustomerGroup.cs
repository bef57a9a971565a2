namespace Credit.Api.Groups;

/// <summary>
/// A customer group: a default limit for members without their own, and optionally one shared pool
/// (Dynamics 365 credit groups). Stored with optimistic concurrency: every pooled decision rewrites it,
/// so two members' racing documents are serialised by the pool.
/// </summary>
public sealed class CustomerGroup
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public decimal? DefaultCreditLimit { get; set; }
    public decimal? SharedCreditLimit { get; set; }
    public long Decisions { get; set; }
    /// <summary>Marten's optimistic-concurrency version, carried on the document so any session can check it.</summary>
    [Marten.Schema.Version]
    public Guid Version { get; set; }
    /// <summary>See <see cref="Audit.Seals.Group"/>: a record edited in the database gives way to the group's chained events.</summary>
    public string? Seal { get; set; }
    public string UpdatedBy { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }

    public static string StreamOf(string groupId) => $"~group~{groupId}";

    /// <summary>The group as a decision reads it: its limits, and its pool's exposure and missing rate (none outside a pool).</summary>
    public Domain.Policy.GroupPosition Position(decimal poolExposure = 0m, string? unratedCurrency = null) =>
        new(Id, DefaultCreditLimit, SharedCreditLimit, poolExposure, unratedCurrency);
}

public sealed record GroupSaved(string GroupId, string Name, decimal? DefaultCreditLimit, decimal? SharedCreditLimit);

/// <summary>
/// At start-up, seals the groups recorded before seals existed, from their latest recorded change (otherwise each
/// decision of their members would read the group's events to check them).
/// </summary>
public sealed class SealEarlierGroups(Marten.IDocumentStore store, Accounts.GroupCache groups) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var unsealed = await Marten.QueryableExtensions.ToListAsync(session.Query<CustomerGroup>().Where(g => g.Seal == null), ct);
        if (unsealed.Count == 0) return;
        foreach (var group in unsealed)
            if (await groups.Read(session, group.Id, ct) is { Seal: not null } sealedGroup) session.Store(sealedGroup);
        await session.SaveChangesAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
