using Credit.Api.Auth;
using Credit.Api.Balances;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Api.Reporting;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Reports;

public sealed record CustomerAging(
    string CustomerId, string Name, string Currency, IReadOnlyDictionary<string, decimal> Buckets, decimal Total, decimal Overdue);

/// <summary>Totals per currency: amounts in different currencies are never added together.</summary>
public sealed record AgingTotals(string Currency, IReadOnlyDictionary<string, decimal> Buckets, decimal Total, decimal Overdue, int Customers);

public sealed record AgingReportView(DateOnly AsOf, IReadOnlyList<int> Bounds, IReadOnlyList<CustomerAging> Customers, IReadOnlyList<AgingTotals> Totals);

public static class AgingReportEndpoint
{
    /// <summary>
    /// Receivables aging at the close of a business date (default today): each customer's open installments
    /// as they stood then, by days past due, with totals. Customers with nothing open are left out. Optional
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
        var rows = (await reads.OpenItems(null, day, ct))
            .GroupBy(i => i.CustomerId)
            .Where(g => customers.ContainsKey(g.Key))
            .Select(g =>
            {
                var c = customers[g.Key];
                var buckets = Aging.Buckets(g.Select(i => (i.DueOn, i.OpenAmount)), bounds, day);
                return new CustomerAging(c.CustomerId, c.Name, c.Currency, buckets, g.Sum(i => i.OpenAmount),
                    g.Where(i => i.DueOn < day).Sum(i => i.OpenAmount));
            })
            .OrderByDescending(a => a.Overdue).ThenBy(a => a.CustomerId)
            .ToList();
        var names = Aging.Names(bounds);
        var totals = rows.GroupBy(r => r.Currency).OrderBy(g => g.Key)
            .Select(g => new AgingTotals(g.Key, names.ToDictionary(n => n, n => g.Sum(r => r.Buckets[n])), g.Sum(r => r.Total),
                g.Sum(r => r.Overdue), g.Count()))
            .ToList();
        return Results.Ok(new AgingReportView(day, bounds, Paging.Slice(rows, limit, offset, http), totals));
    }
}
