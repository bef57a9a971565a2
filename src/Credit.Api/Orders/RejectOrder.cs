using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Domain.Orders;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Orders;

public static class RejectOrderEndpoint
{
    [WolverinePost("/api/customers/{customerId}/orders/{orderId}/reject")]
    [Authorize(Roles = Roles.Controllers)]
    public static async Task<IResult> Post(string customerId, string orderId, ReasonRequest request, HttpContext http, AccountStore accounts, CancellationToken ct) =>
        OrderResponse.From(await accounts.DecideExisting(customerId, Caller.Of(http),
            (account, _) => OrderDecisions.Reject(account, orderId, request.Reason!.Trim()), ct));
}
