using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Policy;
using Credit.Api.Reporting;
using Credit.Domain.Statistics;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Reports;

public sealed record CustomerDso(string CustomerId, string Name, string Currency, decimal Outstanding, IReadOnlyList<DsoFigure> Dso);

public sealed record CompanyDso(string Currency, int Customers, decimal Outstanding, IReadOnlyList<DsoFigure> Dso);

public sealed record DsoReportView(DateOnly AsOf, IReadOnlyList<CustomerDso> Customers, IReadOnlyList<CompanyDso> Company);

public static class DsoReportEndpoint
{
    /// <summary>
    /// DSO per customer and for the company (per currency: all customers' daily series added together, since
    /// the first customer's start), at the close of a business date (default today). Optional <c>limit</c>/<c>offset</c>
    /// page the customers (the company figures stay over all; X-Total-Count, Link rel="next").
    /// </summary>
    [WolverineGet("/api/reports/dso")]
    [Authorize(Roles = Roles.Reporting)]
    [Responds(typeof(DsoReportView), 200)]
    public static async Task<IResult> Get(string? asOf, int? limit, int? offset, HttpContext http, ReportingReads reads, PolicyStore policies,
        BusinessCalendar calendar, ReadModelCatchUp catchUp, CancellationToken ct)
    {
        if (!BusinessDates.TryAsOf(asOf, calendar, out var day, out var problem)) return problem!;
        if (Paging.Invalid(limit, offset) is { } badPage) return badPage;

        await catchUp.Wait(ct);
        var windows = (await policies.Current(ct)).DsoWindowsMonths;
        var customers = await reads.Customers(null, ct);
        var activity = await reads.Activity(null, day, ct);

        var rows = new List<CustomerDso>();
        foreach (var c in customers.Where(c => activity.Contains(c.CustomerId)))
        {
            var s = CreditStatistics.Compute(activity[c.CustomerId].ToList(), [], null, c.CustomerSince, day, windows, c.Currency);
            rows.Add(new CustomerDso(c.CustomerId, c.Name, c.Currency, s.Outstanding, s.Dso));
        }

        var company = customers.Where(c => activity.Contains(c.CustomerId)).GroupBy(c => c.Currency).OrderBy(g => g.Key).Select(g =>
        {
            var combined = g.SelectMany(c => activity[c.CustomerId]).ToList();
            // From the first customer's first document (orders alone make no history, as in each one's figures).
            var since = g.Select(c => c.CustomerSince).Where(d => d is not null).Min();
            var s = CreditStatistics.Compute(combined, [], null, since, day, windows, g.Key);
            return new CompanyDso(g.Key, g.Count(), s.Outstanding, s.Dso);
        }).ToList();
        return Results.Ok(new DsoReportView(day, Paging.Slice(rows.OrderByDescending(r => r.Outstanding).ThenBy(r => r.CustomerId, StringComparer.Ordinal).ToList(), limit, offset, http), company));
    }
}
