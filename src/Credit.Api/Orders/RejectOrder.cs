using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Domain.Orders;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Orders;

public static class RejectOrderEndpoint
{
    /// <summary>
    /// A controller rejects a held order, with the reason; 409 INVALID_STATE unless it is held. Repeating it answers as
    /// the first time.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/orders/{orderId}/reject")]
    [Authorize(Roles = Roles.Controllers)]
    [Responds(typeof(OrderResponse), 200)]
    public static async Task<IResult> Post(string customerId, string orderId, ReasonRequest request, HttpContext http, AccountStore accounts, CancellationToken ct) =>
        OrderResponse.From(await accounts.DecideExisting(customerId, Caller.Of(http),
            (account, _) => OrderDecisions.Reject(account, orderId, request.Reason!.Trim()), ct));
}
