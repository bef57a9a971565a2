using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Orders;
using Credit.Domain.Accounts;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

public static class UnholdAccountEndpoint
{
    /// <summary>Lifts the account hold; held orders that now pass are released by the system.</summary>
    [WolverinePost("/api/customers/{customerId}/unhold")]
    [Authorize(Roles = Roles.Controllers)]
    [Responds(typeof(CustomerView), 200)]
    public static async Task<IResult> Post(string customerId, ReasonRequest request, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, _) => AccountDecisions.Unhold(account, request.Reason!.Trim()), ct);
        return await CustomerView.After(outcome, accounts, customerId, ct);
    }
}
