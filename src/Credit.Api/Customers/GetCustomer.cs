using Credit.Api.Accounts;
using Credit.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

public static class GetCustomerEndpoint
{
    /// <summary>
    /// The customer's profile and credit settings as they stand now.
    /// </summary>
    [WolverineGet("/api/customers/{customerId}")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(CustomerView), 200)]
    public static async Task<IResult> Get(string customerId, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        return await accounts.ViewFor(customerId, Caller.Of(http), CustomerView.Of, ct);
    }
}
