using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Orders;
using Credit.Domain.Accounts;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

public static class HoldAccountEndpoint
{
    /// <summary>Stops all credit for the customer (ACCOUNT_ON_HOLD always blocks) until unheld.</summary>
    [WolverinePost("/api/customers/{customerId}/hold")]
    [Authorize(Roles = Roles.Controllers)]
    [Responds(typeof(CustomerView), 200)]
    public static async Task<IResult> Post(string customerId, ReasonRequest request, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, _) => AccountDecisions.Hold(account, request.Reason!.Trim()), ct);
        return await CustomerView.After(outcome, accounts, customerId, ct);
    }
}
