using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Domain.Payments;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Payments;

public static class ApplyCreditEndpoint
{
    /// <summary>
    /// Puts the customer's unapplied credit (payment rests its allocations left, credit notes dated before an item) against
    /// its open items, oldest credit first, oldest due first: 200 with what each credit settled and what stays unapplied.
    /// Repeating it when nothing is left to apply changes nothing. Held orders are re-checked afterwards.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/apply-credit")]
    [Authorize(Roles = Roles.Writers)]
    [Responds(typeof(Credit.Domain.Payments.AppliedCredit), 200)]
    public static async Task<IResult> Post(string customerId, HttpContext http, AccountStore accounts, BusinessCalendar calendar, CancellationToken ct)
    {
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http),
            (account, _) => OpenCredit.ApplyToOpenItems(account, calendar.Today), ct);
        return outcome.Rejection is { } rejection ? Problems.From(rejection) : Results.Ok(outcome.Result);
    }
}
