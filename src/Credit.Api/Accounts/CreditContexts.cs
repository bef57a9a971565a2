using Credit.Api.Hosting;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Policy;
using Marten;

namespace Credit.Api.Accounts;

/// <summary>What a decision needs besides the account: the company policy, the group, today's business date.</summary>
public sealed class CreditContexts(BusinessCalendar calendar)
{
    public Task<CreditContext> For(IQuerySession session, CreditAccount? account, CancellationToken ct) =>
        Task.FromResult(new CreditContext(CreditPolicy.Default, null, calendar.Today));
}
