using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Reporting;
using Credit.Domain.Decisions;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Balances;

/// <summary>Amounts in the customer's currency. HeldOrders: the amount of its held orders (HeldOrderCount: how many).
/// Status: ok, on-hold, or blocked (the smallest credit invoice would be refused now; StatusReasons say why).</summary>
public sealed record BalanceView(
    string CustomerId,
    string Currency,
    decimal? CreditLimit,
    [property: OneOf(typeof(LimitSource))] string LimitSource,
    decimal Outstanding,
    decimal OpenOrders,
    decimal Exposure,
    decimal? Available,
    decimal Overdue,
    [property: OneOf("ok", "on-hold", "blocked")] string Status,
    decimal HeldOrders,
    int HeldOrderCount,
    decimal UnappliedCredit,
    IReadOnlyDictionary<string, decimal> Aging,
    DateTimeOffset? UpdatedAt,
    PoolFigures? Group,
    string? MissingExchangeRate,
    IReadOnlyList<ReasonView> StatusReasons);

public static class GetBalanceEndpoint
{
    /// <summary>
    /// The figures come from the reporting read model (waiting briefly so a client reads its own writes);
    /// the effective limit and the status ("blocked": the smallest credit invoice would be refused now, statusReasons
    /// saying for what) from the account's decision context. Aging buckets are named after the policy's agingBuckets: current, d1_30, d31_60,
    /// d61_90, over90 for the default [30, 60, 90]; d1_15, d16_45, d46_120, over120 for [15, 45, 120].
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/balance")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(BalanceView), 200)]
    public static async Task<IResult> Get(string customerId, HttpContext http, AccountStore accounts, ReportingReads reads, CancellationToken ct)
    {
        // Read-model figures first: waiting for the projection must not hold the account's gate.
        var customer = await reads.CaughtUp(customerId, ct);
        var (outstanding, orders) = await reads.Figures(customerId, ct);

        await using var read = await accounts.Read(customerId, ct);
        var (account, context) = read;
        if (account is null) return Problems.Result(404, ErrorCodes.CustomerNotFound);
        if (!Caller.Of(http).MayRead(account.Profile.AssignedTo)) return Problems.Result(403, ErrorCodes.CustomerNotAssigned);
        // Every recorded document, as the credit decision and the outstanding figure count them: open items as of
        // today left a payment dated later out of the items only (unapplied credit came out as the payment's amount,
        // and a later-dated invoice as negative unapplied credit). Days past due still count from today.
        var items = await reads.OpenItems(customerId, DateOnly.MaxValue, ct);

        var limit = CreditRules.EffectiveLimitOf(account, context.Group, context.Policy);
        var exposure = outstanding + orders.OpenOrders;
        var standing = CreditRules.StandingOf(account, context.Policy, context.Group, context.Today);
        return Results.Ok(new BalanceView(customerId, account.Currency, limit.Amount, Problems.LimitSourceName(limit.Source), outstanding,
            orders.OpenOrders, exposure, limit.Amount - exposure, items.Where(i => i.DueOn < context.Today).Sum(i => i.OpenAmount),
            Problems.StandingName(standing.Standing),
            orders.HeldOrders, orders.HeldOrderCount, items.Sum(i => i.OpenAmount) - outstanding,
            Aging.Buckets(items.Select(i => (i.DueOn, i.OpenAmount)), context.Policy.AgingBuckets, context.Today), customer?.UpdatedAt,
            CreditRules.PoolOf(context.Group, context.Policy),
            // creditLimit 0 above is "nothing can be granted", not a limit someone set: this says why.
            CreditRules.MissingRateOf(limit, account.Currency, context.Group),
            Problems.StatusReasons(standing.Reasons)));
    }
}
