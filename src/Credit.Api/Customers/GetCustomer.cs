using Credit.Api.Accounts;
using Credit.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

public static class GetCustomerEndpoint
{
    [WolverineGet("/api/customers/{customerId}")]
    [Authorize(Roles = Roles.Readers)]
    public static async Task<IResult> Get(string customerId, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        var (account, problem) = await accounts.LoadFor(customerId, Caller.Of(http), ct);
        return problem ?? Results.Ok(CustomerView.Of(account!));
    }
}
