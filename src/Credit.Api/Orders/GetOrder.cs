using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Orders;
using Marten;
using Marten.Storage;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace Credit.Api.Orders;

public sealed record OrderStep([property: OneOf(typeof(OrderStatus))] string Status, DateTimeOffset At, string? By, string? Reason, IReadOnlyList<ReasonView> Reasons);

public sealed record OrderView(string CustomerId, string OrderId, decimal Amount, DateOnly OrderedOn, PaymentTerms? PaymentTerms,
    [property: OneOf(typeof(OrderStatus))] string Status, bool CountsAsExposure, IReadOnlyList<ReasonView> Reasons, IReadOnlyList<ReasonView> Warnings,
    IReadOnlyList<OrderStep> History);

public static class GetOrderEndpoint
{
    /// <summary>The order now and every step it went through, with who and when, straight from its events.</summary>
    [WolverineGet("/api/customers/{customerId}/orders/{orderId}")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(OrderView), 200)]
    public static async Task<IResult> Get(string customerId, string orderId, HttpContext http, AccountStore accounts, IDocumentStore store,
        CancellationToken ct)
    {
        var (order, problem) = await accounts.Visible(customerId, Caller.Of(http),
            a => a.Orders.TryGetValue(orderId, out var o) ? (o.Amount, o.OrderedOn, o.PaymentTerms, o.Status, o.CountsAsExposure, Reasons: o.CurrentReasons, Warnings: o.CurrentWarnings) : default, ct);
        if (problem is not null) return problem;
        if (order == default) return Problems.Result(404, ErrorCodes.OrderNotFound);

        // Only this order's events leave the database (the whole stream of a long account would be thousands).
        var history = new List<OrderStep>();
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new NpgsqlCommand($"""
            select mt_dotnet_type, data, timestamp, user_name from {MartenSetup.Schema}.mt_events
            where stream_id = @id and data ->> 'orderId' = @order and is_archived = false order by version
            """, conn);
        cmd.Parameters.AddWithValue("id", customerId);
        cmd.Parameters.AddWithValue("order", orderId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (at, user) = (reader.GetFieldValue<DateTimeOffset>(2), reader.IsDBNull(3) ? null : reader.GetString(3));
            var step = StoredEvents.Body(store, reader, 0, 1) switch
            {
                OrderApproved x when x.OrderId == orderId => new OrderStep("approved", at, user, null, Problems.Reasons(x.Warnings)),
                OrderHeld x when x.OrderId == orderId => new OrderStep("held", at, user, null, Problems.Reasons(x.Reasons)),
                HoldReleased x when x.OrderId == orderId => new OrderStep("released", at, x.By, Localization.Text.ReleaseReason(x.Reason, x.By), Problems.Reasons(x.Warnings ?? [])),
                // The system's consequence of the reversal (recorded under the system user; so were those of an older release
                // under the user who reversed the payment).
                OrderHeldAgain x when x.OrderId == orderId => new OrderStep("held", at, OrderDecisions.SystemUser, x.PaidBy is null
                    ? Localization.Text.Phrase("HELD_AGAIN_REASON", x.PaymentId)
                    : Localization.Text.Phrase("HELD_AGAIN_IN_POOL_REASON", x.PaymentId, x.PaidBy), Problems.Reasons(x.Reasons)),
                ReleaseConfirmed x when x.OrderId == orderId => new OrderStep("released", at, x.By, x.Reason, []),
                HoldReasonsChanged x when x.OrderId == orderId => new OrderStep("held", at, OrderDecisions.SystemUser,
                    Localization.Text.Phrase("HOLD_REASONS_CHANGED"), Problems.Reasons(x.Reasons)),
                OrderRejected x when x.OrderId == orderId => new OrderStep("rejected", at, user, x.Reason, []),
                OrderCancelled x when x.OrderId == orderId => new OrderStep("cancelled", at, user, x.Reason, []),
                InvoiceIssued x when x.OrderId == orderId => new OrderStep("invoiced", at, user, x.InvoiceId, []),
                _ => null,
            };
            if (step is not null) history.Add(step);
        }
        return Results.Ok(new OrderView(customerId, orderId, order.Amount, order.OrderedOn, order.PaymentTerms,
            OrderResponse.StatusName(order.Status), order.CountsAsExposure, Problems.Reasons(order.Reasons), Problems.Reasons(order.Warnings), history));
    }
}
