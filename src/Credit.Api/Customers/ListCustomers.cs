using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Api.Reporting;
using Credit.Domain.Decisions;
using Credit.Domain.Policy;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

/// <summary>One line of the customer list: the balance's figures, in the customer's currency.</summary>
public sealed record CustomerSummary(
    string CustomerId, string Name, string? GroupId, string Currency, decimal? CreditLimit,
    [property: OneOf(typeof(LimitSource))] string LimitSource, decimal Outstanding, decimal OpenOrders, decimal Exposure,
    decimal? Available, decimal Overdue, bool OnHold, decimal HeldOrders, int HeldOrderCount, decimal UnappliedCredit,
    string? MissingExchangeRate, PoolFigures? Group,
    [property: OneOf("ok", "on-hold", "blocked")] string Status, IReadOnlyList<ReasonView> StatusReasons);

public static class ListCustomersEndpoint
{
    /// <summary>The status filter's values, its default first.</summary>
    internal static readonly string[] Statuses = ["all", "over-limit", "on-hold", "overdue", "held-orders", "blocked", "ok"];

    /// <summary>
    /// The customers with their limit, balance, exposure, available credit, overdue amount and held orders (ERPNext's
    /// "Customer Credit Balance"), by id; a clerk sees only its customers. status narrows it to those over their limit, on
    /// hold, with anything overdue, with held orders (over-limit: its own limit or its pool's), blocked (the balance's
    /// status: the smallest credit invoice would be refused now; one on hold is listed as on hold) or ok; groupId to one
    /// group's members (404 for an unknown group).
    /// Optional limit/offset page it (X-Total-Count, Link rel="next"). Figures come from the read models, as the balance's
    /// do; each row's status and statusReasons from its account, as the balance's do.
    /// </summary>
    [WolverineGet("/api/customers")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(CustomerSummary[]), 200)]
    public static async Task<IResult> Get(string? status, string? groupId, int? limit, int? offset, HttpContext http,
        ReportingReads reads, CreditContexts contexts, PolicyStore policies, BusinessCalendar calendar, ReadModelCatchUp catchUp,
        AccountStore accounts, CancellationToken ct)
    {
        status ??= "all";
        if (!Statuses.Contains(status)) return Problems.Validation([("status", "INVALID_VALUE")]);
        if (groupId is not null && !Validation.Rules.IsValidId(groupId)) return Problems.Validation([("groupId", "INVALID_ID")]);
        if (Paging.Invalid(limit, offset) is { } badPage) return badPage;
        if (groupId is not null && await contexts.Group(groupId, ct) is null) return Problems.Result(404, ErrorCodes.GroupNotFound);

        await catchUp.Wait(ct);
        var caller = Caller.Of(http);
        var policy = await policies.Current(ct);
        var today = calendar.Today;
        var customers = (await reads.Customers(null, ct))
            .Where(c => caller.MayRead(c.AssignedTo) && (groupId is null || c.GroupId == groupId)).ToList();
        var (items, outstanding) = await reads.Receivables(DateOnly.MaxValue, ct);
        var open = items.ToLookup(i => i.CustomerId);
        var orders = await reads.OrderFiguresByCustomer(ct);
        // Each group once: its default limit, and its pool as a member's balance shows it (exposure, a member's missing rate).
        var groups = new Dictionary<string, GroupPosition?>();
        foreach (var id in customers.Select(c => c.GroupId).OfType<string>().Distinct())
            groups[id] = (await contexts.PositionOf(id, policy, ct)).Position;

        var rows = new List<CustomerSummary>();
        foreach (var c in customers)
        {
            var group = c.GroupId is null ? null : groups.GetValueOrDefault(c.GroupId);
            var effective = CreditRules.EffectiveLimitOf(c.UnlimitedCredit, c.CreditLimit, c.Currency, group, policy);
            var owed = open[c.CustomerId].ToList();
            var balance = outstanding.GetValueOrDefault(c.CustomerId);
            var figures = orders.GetValueOrDefault(c.CustomerId) ?? new OrderFigures(0m, 0m, 0);
            var exposure = balance + figures.OpenOrders;
            rows.Add(new CustomerSummary(c.CustomerId, c.Name, c.GroupId, c.Currency, effective.Amount, Problems.LimitSourceName(effective.Source),
                balance, figures.OpenOrders, exposure, effective.Amount - exposure, owed.Where(i => i.DueOn < today).Sum(i => i.OpenAmount),
                c.OnHold, figures.HeldOrders, figures.HeldOrderCount, owed.Sum(i => i.OpenAmount) - balance,
                CreditRules.MissingRateOf(effective, c.Currency, group), CreditRules.PoolOf(group, policy), "ok", []));
        }
        // The standing needs each account (under its gate, from memory): for the rows answered, or all of them to filter on it.
        async Task<CustomerSummary> WithStanding(CustomerSummary row)
        {
            var group = row.GroupId is null ? null : groups.GetValueOrDefault(row.GroupId);
            var standing = await accounts.View(row.CustomerId, a => CreditRules.StandingOf(a, policy, group, today), ct);
            return standing is null ? row
                : row with { Status = Problems.StandingName(standing.Standing), StatusReasons = Problems.StatusReasons(standing.Reasons) };
        }
        var byStanding = status is "blocked" or "ok";
        var chosen = new List<CustomerSummary>();
        foreach (var row in rows.OrderBy(r => r.CustomerId, StringComparer.Ordinal))
        {
            if (byStanding)
            {
                if (await WithStanding(row) is var standing && standing.Status == status) chosen.Add(standing);
            }
            else if (status switch
            {
                "over-limit" => row.Available < 0m || row.Group?.Available < 0m, // its own limit or its pool's
                "on-hold" => row.OnHold,
                "overdue" => row.Overdue > 0m,
                "held-orders" => row.HeldOrderCount > 0,
                _ => true,
            }) chosen.Add(row);
        }
        var page = Paging.Slice(chosen, limit, offset, http);
        if (byStanding) return Results.Ok(page); // filtered on it: every row has it already
        var answered = new List<CustomerSummary>(page.Count);
        foreach (var row in page) answered.Add(await WithStanding(row));
        return Results.Ok(answered);
    }
}
