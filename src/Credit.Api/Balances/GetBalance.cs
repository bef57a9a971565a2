using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Projections.Balances;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Balances;

public sealed record BalanceView(
    string CustomerId,
    string Currency,
    decimal? CreditLimit,
    string LimitSource,
    decimal Outstanding,
    decimal OpenOrders,
    decimal Exposure,
    decimal? Available,
    decimal Overdue,
    string Status,
    decimal HeldOrders,
    int HeldOrderCount,
    decimal UnappliedCredit,
    IReadOnlyDictionary<string, decimal> Aging,
    long Version,
    DateTimeOffset UpdatedAt);

public static class GetBalanceEndpoint
{
    /// <summary>How long a read waits for the daemon to reach the account's latest event before answering.</summary>
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(3);

    [WolverineGet("/api/customers/{customerId}/balance")]
    [Authorize(Roles = Roles.Readers)]
    public static async Task<IResult> Get(string customerId, HttpContext http, IQuerySession session, CreditContexts contexts, CancellationToken ct)
    {
        var state = await session.Events.FetchStreamStateAsync(customerId, ct);
        if (state is null) return Problems.Result(404, ErrorCodes.CustomerNotFound);

        // The read model is eventually consistent; wait briefly so a client reads its own writes.
        var balance = await session.LoadAsync<CustomerBalance>(customerId, ct);
        var deadline = DateTime.UtcNow + CatchUpWait;
        while ((balance is null || balance.Version < state.Version) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, ct);
            balance = await session.LoadAsync<CustomerBalance>(customerId, ct);
        }
        if (balance is null) return Problems.Result(503, "SERVICE_UNAVAILABLE");
        if (!Caller.Of(http).MayActOn(balance.AssignedTo)) return Problems.Result(403, ErrorCodes.CustomerNotAssigned);

        var (context, _) = await contexts.For(session, balance.Account, ct);
        return Results.Ok(View(balance, context));
    }

    public static BalanceView View(CustomerBalance b, CreditContext context)
    {
        var account = b.Account;
        var limit = CreditRules.EffectiveLimitOf(account, context.Group, context.Policy);
        var exposure = b.Outstanding + b.OpenOrders;
        var overdue = b.OpenItems.Where(i => i.DueOn < context.Today).Sum(i => i.Open);
        // "blocked": the smallest possible credit invoice would be refused right now.
        var probe = CreditRules.Decide(account, context.Policy, context.Group,
            new CreditRequest(DocumentKind.Invoice, Domain.Money.Currency.MinorUnit(b.Currency), context.Today), context.Today);
        var status = b.OnHold ? "on-hold" : probe.Allowed ? "ok" : "blocked";
        return new BalanceView(b.Id, b.Currency, limit.Amount, Problems.LimitSourceName(limit.Source), b.Outstanding, b.OpenOrders,
            exposure, limit.Amount - exposure, overdue, status, b.HeldOrders, b.HeldOrderCount, b.UnappliedCredit,
            Aging(b.OpenItems, context.Policy.AgingBuckets, context.Today), b.Version, b.UpdatedAt);
    }

    /// <summary>Open amounts by days past due; bucket bounds from the policy (default 30/60/90).</summary>
    public static IReadOnlyDictionary<string, decimal> Aging(IEnumerable<OpenItem> items, IReadOnlyList<int> bounds, DateOnly today)
    {
        var names = new List<string> { "current" };
        var lower = 1;
        foreach (var upper in bounds) { names.Add($"d{lower}_{upper}"); lower = upper + 1; }
        names.Add($"over{bounds[^1]}");
        var buckets = names.ToDictionary(n => n, _ => 0m);
        foreach (var item in items)
        {
            var daysPastDue = today.DayNumber - item.DueOn.DayNumber;
            var index = daysPastDue <= 0 ? 0 : 1 + bounds.Count(b => daysPastDue > b);
            buckets[names[index]] += item.Open;
        }
        return buckets;
    }
}
