using Credit.Api.Auth;
using Credit.Api.Balances;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Api.Reporting;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Reports;

/// <summary>
/// One customer's receivables by age. <c>Total</c> is what its open installments owe; <c>UnappliedCredit</c> is its credit
/// not yet set against them, so <c>Outstanding</c> (<c>Total</c> less that) is its balance, as an accountant reconciles it.
/// </summary>
public sealed record CustomerAging(
    string CustomerId, string Name, string Currency, IReadOnlyDictionary<string, decimal> Buckets, decimal Total, decimal Overdue,
    decimal UnappliedCredit, decimal Outstanding);

/// <summary>Totals per currency: amounts in different currencies are never added together.</summary>
public sealed record AgingTotals(
    string Currency, IReadOnlyDictionary<string, decimal> Buckets, decimal Total, decimal Overdue, decimal UnappliedCredit,
    decimal Outstanding, int Customers);

public sealed record AgingReportView(DateOnly AsOf, IReadOnlyList<int> Bounds, IReadOnlyList<CustomerAging> Customers, IReadOnlyList<AgingTotals> Totals);

public static class AgingReportEndpoint
{
    /// <summary>
    /// Receivables aging at the close of a business date (default today): each customer's open installments
    /// as they stood then, by days past due, with the credit not yet applied beside them, and totals. Customers owing
    /// nothing and in no credit are left out. Optional
    /// <c>limit</c>/<c>offset</c> page the customers (totals stay over all; X-Total-Count, Link rel="next").
    /// </summary>
    [WolverineGet("/api/reports/aging")]
    [Authorize(Roles = Roles.Reporting)]
    [Responds(typeof(AgingReportView), 200)]
    public static async Task<IResult> Get(string? asOf, int? limit, int? offset, HttpContext http, ReportingReads reads, PolicyStore policies,
        BusinessCalendar calendar, ReadModelCatchUp catchUp, CancellationToken ct)
    {
        if (!BusinessDates.TryAsOf(asOf, calendar, out var day, out var problem)) return problem!;
        if (Paging.Invalid(limit, offset) is { } badPage) return badPage;

        await catchUp.Wait(ct);
        var bounds = (await policies.Current(ct)).AgingBuckets;
        var customers = (await reads.Customers(null, ct)).ToDictionary(c => c.CustomerId);
        var (items, outstanding) = await reads.Receivables(day, ct);
        var open = items.ToLookup(i => i.CustomerId);
        // A customer owing nothing but in credit is listed too, with empty buckets: its credit is part of the receivables.
        var rows = open.Select(g => g.Key).Union(outstanding.Keys)
            .Where(customers.ContainsKey)
            .Select(id =>
            {
                var c = customers[id];
                var owed = open[id].ToList();
                var buckets = Aging.Buckets(owed.Select(i => (i.DueOn, i.OpenAmount)), bounds, day);
                var total = owed.Sum(i => i.OpenAmount);
                var balance = outstanding.GetValueOrDefault(id);
                return new CustomerAging(c.CustomerId, c.Name, c.Currency, buckets, total, owed.Where(i => i.DueOn < day).Sum(i => i.OpenAmount),
                    total - balance, balance);
            })
            .OrderByDescending(a => a.Overdue).ThenBy(a => a.CustomerId, StringComparer.Ordinal)
            .ToList();
        var names = Aging.Names(bounds);
        var totals = rows.GroupBy(r => r.Currency).OrderBy(g => g.Key)
            .Select(g => new AgingTotals(g.Key, names.ToDictionary(n => n, n => g.Sum(r => r.Buckets[n])), g.Sum(r => r.Total),
                g.Sum(r => r.Overdue), g.Sum(r => r.UnappliedCredit), g.Sum(r => r.Outstanding), g.Count()))
            .ToList();
        return Results.Ok(new AgingReportView(day, bounds, Paging.Slice(rows, limit, offset, http), totals));
    }
}
