using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Orders;

public sealed record OrderStep(string Status, DateTimeOffset At, string? By, string? Reason, IReadOnlyList<ReasonView> Reasons);

public sealed record OrderView(string CustomerId, string OrderId, decimal Amount, DateOnly OrderedOn, PaymentTerms? PaymentTerms,
    string Status, IReadOnlyList<ReasonView> Reasons, IReadOnlyList<ReasonView> Warnings, IReadOnlyList<OrderStep> History);

public static class GetOrderEndpoint
{
    /// <summary>The order now and every step it went through, with who and when, straight from its events.</summary>
    [WolverineGet("/api/customers/{customerId}/orders/{orderId}")]
    [Authorize(Roles = Roles.Readers)]
    public static async Task<IResult> Get(string customerId, string orderId, HttpContext http, AccountStore accounts, IQuerySession session,
        CancellationToken ct)
    {
        var (order, problem) = await accounts.Visible(customerId, Caller.Of(http),
            a => a.Orders.TryGetValue(orderId, out var o) ? (o.Amount, o.OrderedOn, o.PaymentTerms, o.Status, o.Reasons, o.Warnings) : default, ct);
        if (problem is not null) return problem;
        if (order == default) return Problems.Result(404, ErrorCodes.OrderNotFound);

        var events = await session.Events.FetchStreamAsync(customerId, token: ct);
        var history = events.Select(e => e.Data switch
            {
                OrderApproved x when x.OrderId == orderId => new OrderStep("approved", e.Timestamp, e.UserName, null, Problems.Reasons(x.Warnings)),
                OrderHeld x when x.OrderId == orderId => new OrderStep("held", e.Timestamp, e.UserName, null, Problems.Reasons(x.Reasons)),
                HoldReleased x when x.OrderId == orderId => new OrderStep("released", e.Timestamp, x.By, x.Reason, []),
                OrderRejected x when x.OrderId == orderId => new OrderStep("rejected", e.Timestamp, e.UserName, x.Reason, []),
                OrderCancelled x when x.OrderId == orderId => new OrderStep("cancelled", e.Timestamp, e.UserName, x.Reason, []),
                InvoiceIssued x when x.OrderId == orderId => new OrderStep("invoiced", e.Timestamp, e.UserName, x.InvoiceId, []),
                _ => null,
            })
            .OfType<OrderStep>().ToList();
        return Results.Ok(new OrderView(customerId, orderId, order.Amount, order.OrderedOn, order.PaymentTerms,
            OrderResponse.StatusName(order.Status), Problems.Reasons(order.Reasons), Problems.Reasons(order.Warnings), history));
    }
}
