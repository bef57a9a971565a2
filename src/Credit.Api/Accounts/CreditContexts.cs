using Credit.Api.Groups;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Policy;
using Marten;

namespace Credit.Api.Accounts;

/// <summary>A decision's surroundings, plus the pool document a pooled decision must rewrite to serialise.</summary>
public sealed record LoadedContext(CreditContext Context, CustomerGroup? Pool);

/// <summary>What a decision needs besides the account: the company policy, the group and its pool, today.</summary>
public sealed class CreditContexts(BusinessCalendar calendar, PolicyStore policies)
{
    public async Task<LoadedContext> For(IQuerySession session, CreditAccount? account, CancellationToken ct)
    {
        var policy = await policies.Current(ct);
        if (account?.Profile.GroupId is not { } groupId) return new(new CreditContext(policy, null, calendar.Today), null);

        var group = await session.LoadAsync<CustomerGroup>(groupId, ct);
        if (group is null) return new(new CreditContext(policy, null, calendar.Today), null);

        var exposure = group.SharedCreditLimit is null ? 0m : await PoolExposure(session, groupId, ct);
        var position = new GroupPosition(groupId, group.DefaultCreditLimit, group.SharedCreditLimit, exposure);
        return new(new CreditContext(policy, position, calendar.Today), group.SharedCreditLimit is null ? null : group);
    }

    public static async Task<decimal> PoolExposure(IQuerySession session, string groupId, CancellationToken ct) =>
        (await Members(session, groupId, ct)).Sum(m => m.Exposure);

    /// <summary>A group's member accounts in one query (never one read per member).</summary>
    public static async Task<IReadOnlyList<CreditAccount>> Members(IQuerySession session, string groupId, CancellationToken ct) =>
        await session.Query<CreditAccount>().Where(a => a.Profile.GroupId == groupId).ToListAsync(ct);
}
