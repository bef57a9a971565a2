using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Domain.Orders;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Orders;

public static class CancelOrderEndpoint
{
    /// <summary>A clerk withdraws an order (approved, released or still held); its exposure is freed.</summary>
    [WolverinePost("/api/customers/{customerId}/orders/{orderId}/cancel")]
    [Authorize(Roles = Roles.Writers)]
    [Responds(typeof(OrderResponse), 200)]
    public static async Task<IResult> Post(string customerId, string orderId, ReasonRequest request, HttpContext http, AccountStore accounts, CancellationToken ct) =>
        OrderResponse.From(await accounts.DecideExisting(customerId, Caller.Of(http),
            (account, _) => OrderDecisions.Cancel(account, orderId, request.Reason!.Trim()), ct));
}
