using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Decisions;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

public static class GetCustomerEndpoint
{
    [WolverineGet("/api/customers/{customerId}")]
    [Authorize(Roles = Roles.Readers)]
    public static async Task<IResult> Get(string customerId, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        var account = await accounts.Load(customerId, ct);
        if (account is null) return Problems.Result(404, ErrorCodes.CustomerNotFound);
        if (!Caller.Of(http).MayActOn(account.Profile.AssignedTo)) return Problems.Result(403, ErrorCodes.CustomerNotAssigned);
        return Results.Ok(CustomerView.Of(account));
    }
}
