using Credit.Api.Groups;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Policy;
using Credit.Projections.Directory;
using Marten;

namespace Credit.Api.Accounts;

/// <summary>A decision's surroundings, plus the pool document a pooled decision must rewrite to serialise.</summary>
public sealed record LoadedContext(CreditContext Context, CustomerGroup? Pool);

/// <summary>What a decision needs besides the account: the company policy, the group and its pool, today.</summary>
public sealed class CreditContexts(
    BusinessCalendar calendar, PolicyStore policies, IDocumentStore store, AccountCache cache, Audit.Seals seals, ILogger<CreditContexts> log)
{
    public Audit.Seals Seals => seals;

    public async Task<LoadedContext> For(CreditAccount? account, CancellationToken ct)
    {
        var policy = await policies.Current(ct);
        if (account?.Profile.GroupId is not { } groupId) return new(new CreditContext(policy, null, calendar.Today), null);

        await using var session = store.QuerySession();
        var (group, position) = await PositionOf(session, groupId, policy, ct);
        return new(new CreditContext(policy, position, calendar.Today), group?.SharedCreditLimit is null ? null : group);
    }

    /// <summary>The group as stored and as a decision reads it (its pool summed from its members); nulls when there is none.</summary>
    public async Task<(CustomerGroup? Group, GroupPosition? Position)> PositionOf(IQuerySession session, string groupId, CreditPolicy policy,
        CancellationToken ct)
    {
        var group = await LoadGroup(session, groupId, ct);
        if (group is null) return (null, null);
        var (exposure, unrated) = group.SharedCreditLimit is null ? (0m, null) : await PoolExposure(session, groupId, policy, ct);
        return (group, group.Position(exposure, unrated));
    }

    /// <summary>The group as stored now (null when there is none).</summary>
    public async Task<CustomerGroup?> Group(string groupId, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await LoadGroup(session, groupId, ct);
    }

    /// <summary>
    /// The group record, its limits checked against its seal: one edited in the database (a pool of 100 made 1,000,000)
    /// takes its name and limits from the group's latest hash-chained event instead, re-sealed so the next write mends it.
    /// </summary>
    public async Task<CustomerGroup?> LoadGroup(IQuerySession session, string groupId, CancellationToken ct)
    {
        var group = await session.LoadAsync<CustomerGroup>(groupId, ct);
        if (group is null || seals.GroupHolds(group)) return group;
        var saved = (await session.Events.FetchStreamAsync(CustomerGroup.StreamOf(groupId), token: ct))
            .Select(e => e.Data).OfType<GroupSaved>().LastOrDefault();
        if (saved is null) return group;
        if (group.Seal is not null)
            log.LogWarning("Group {Group} does not match its seal (edited outside the API): its last recorded change applies", groupId);
        (group.Name, group.DefaultCreditLimit, group.SharedCreditLimit) = (saved.Name, saved.DefaultCreditLimit, saved.SharedCreditLimit);
        group.Seal = seals.Group(group);
        return group;
    }

    /// <summary>
    /// The members' committed exposures in the company currency, from memory (loaded once); takes no member's gate.
    /// Unrated: the currency of a member the policy has no rate for (left out of the total), the first by code.
    /// </summary>
    public async Task<(decimal Exposure, string? Unrated)> PoolExposure(IQuerySession session, string groupId, CreditPolicy policy,
        CancellationToken ct)
    {
        var total = 0m;
        string? unrated = null;
        foreach (var member in await Members(session, groupId, ct))
        {
            var (exposure, currency, buysFromUs) = (await cache.Loaded(member.Id, ct)).Position;
            // A member without a rate makes the pool unsummable whatever it owes now: with nothing owed it counted as 0,
            // so the pool blocked every member only once that member paid a deposit, and named no currency before. A
            // supplier-only contact owing nothing cannot come to owe (it takes no orders or invoices): it is no part of it,
            // nor is its credit, which no member can use.
            if (!buysFromUs && exposure <= 0m) continue;
            // Several without a rate: the first by code, whatever order the members come in (a user setting one rate sees
            // the next named, not another chosen by chance).
            if (currency != policy.Currency && !policy.ExchangeRates.ContainsKey(currency))
                unrated = unrated is null || string.CompareOrdinal(currency, unrated) < 0 ? currency : unrated;
            else if (policy.ToCompanyCurrency(exposure, currency) is { } converted) total += converted;
        }
        return (total, unrated);
    }

    /// <summary>A group's members in one query (never one read per member).</summary>
    public static async Task<IReadOnlyList<AccountDirectoryEntry>> Members(IQuerySession session, string groupId, CancellationToken ct) =>
        await session.Query<AccountDirectoryEntry>().Where(a => a.GroupId == groupId).ToListAsync(ct);
}
