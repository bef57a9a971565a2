using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Reporting;
using Credit.Domain.Decisions;
using Credit.Domain.Statistics;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Statistics;

public static class GetStatisticsEndpoint
{
    /// <summary>
    /// DSO (simple and count-back), average balance, average credit usage and exposure %, as of a business
    /// date (default today), from the customer's daily series. A customer without its own limit is measured
    /// against the limit it inherits today (group or company).
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/statistics")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(Credit.Domain.Statistics.CustomerStatistics), 200)]
    public static async Task<IResult> Get(string customerId, string? asOf, HttpContext http, AccountStore accounts,
        ReportingReads reads, BusinessCalendar calendar, CancellationToken ct)
    {
        if (!BusinessDates.TryAsOf(asOf, calendar, out var day, out var problem)) return problem!;

        DateOnly? since;
        decimal? inherited;
        string currency;
        IReadOnlyList<int> windows;
        await using (var read = await accounts.Read(customerId, ct))
        {
            var (account, context) = read;
            if (account is null) return Problems.Result(404, ErrorCodes.CustomerNotFound);
            if (!Caller.Of(http).MayRead(account.Profile.AssignedTo)) return Problems.Result(403, ErrorCodes.CustomerNotAssigned);
            (since, inherited, currency, windows) = (account.Profile.CustomerSince, CreditRules.InheritedLimitOf(account.Currency, context.Group, context.Policy).Amount, account.Currency, context.Policy.DsoWindowsMonths);
        }

        var customer = await reads.CaughtUp(customerId, ct);
        var activity = (await reads.Activity(customerId, day, ct))[customerId].ToList();
        var limits = (await reads.LimitChanges(customerId, ct))[customerId].ToList();
        return Results.Ok(CreditStatistics.Compute(activity, limits, inherited, since ?? customer?.CustomerSince, day, windows, currency));
    }
}
