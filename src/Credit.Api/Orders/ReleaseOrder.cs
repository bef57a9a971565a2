using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Domain.Orders;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Orders;

public static class ReleaseOrderEndpoint
{
    /// <summary>A controller lets a held order through; it then counts as exposure until invoiced or cancelled.</summary>
    [WolverinePost("/api/customers/{customerId}/orders/{orderId}/release")]
    [Authorize(Roles = Roles.Controllers)]
    [Responds(typeof(OrderResponse), 200)]
    public static async Task<IResult> Post(string customerId, string orderId, ReasonRequest request, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        return OrderResponse.From(await accounts.DecideExisting(customerId, caller,
            (account, _) => OrderDecisions.Release(account, orderId, request.Reason!.Trim(), caller.User), ct));
    }
}
