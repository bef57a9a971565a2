using Credit.Api.Groups;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Policy;

namespace Credit.Api.Accounts;

/// <summary>A decision's surroundings, plus the pool document a pooled decision must rewrite to serialise.</summary>
public sealed record LoadedContext(CreditContext Context, CustomerGroup? Pool);

/// <summary>What a decision needs besides the account: the company policy, the group and its pool, today; all from memory.</summary>
public sealed class CreditContexts(BusinessCalendar calendar, PolicyStore policies, GroupCache groups, AccountCache cache, Audit.Seals seals)
{
    public Audit.Seals Seals => seals;

    public async Task<LoadedContext> For(CreditAccount? account, CancellationToken ct)
    {
        var policy = await policies.Current(ct);
        if (account?.Profile.GroupId is not { } groupId) return new(new CreditContext(policy, null, calendar.Today), null);

        var (group, position) = await PositionOf(groupId, policy, ct);
        return new(new CreditContext(policy, position, calendar.Today), group?.SharedCreditLimit is null ? null : group);
    }

    /// <summary>The group as kept and as a decision reads it (its pool summed from its members); nulls when there is none.</summary>
    public async Task<(CustomerGroup? Group, GroupPosition? Position)> PositionOf(string groupId, CreditPolicy policy, CancellationToken ct)
    {
        var group = await groups.Group(groupId, ct);
        if (group is null) return (null, null);
        var (exposure, unrated) = group.SharedCreditLimit is null ? (0m, null) : await PoolExposure(groupId, policy, ct);
        return (group, group.Position(exposure, unrated));
    }

    /// <summary>The group as it stands now (null when there is none).</summary>
    public Task<CustomerGroup?> Group(string groupId, CancellationToken ct) => groups.Group(groupId, ct);

    /// <summary>The ids of the group's members.</summary>
    public Task<IReadOnlyList<string>> Members(string groupId, CancellationToken ct) => groups.Members(groupId, ct);

    /// <summary>
    /// The members' committed exposures in the company currency, from memory (loaded once); takes no member's gate.
    /// Unrated: the currency of a member the policy has no rate for (left out of the total), the first by code.
    /// </summary>
    public async Task<(decimal Exposure, string? Unrated)> PoolExposure(string groupId, CreditPolicy policy, CancellationToken ct)
    {
        var total = 0m;
        string? unrated = null;
        foreach (var member in await groups.Members(groupId, ct))
        {
            var (exposure, currency, buysFromUs) = (await cache.Loaded(member, ct)).Position;
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
}
