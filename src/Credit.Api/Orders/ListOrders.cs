using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Accounts;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Orders;

/// <summary>
/// One of the customer's orders, as <c>GET …/orders/{orderId}</c> shows it without its steps. <c>countsAsExposure</c>: it holds credit now (approved or released, placed under the
/// check); an order placed under the bypass never does.
/// </summary>
public sealed record OrderListItem(string CustomerId, string OrderId, decimal Amount, DateOnly OrderedOn, PaymentTerms? PaymentTerms,
    [property: OneOf(typeof(OrderStatus))] string Status, bool CountsAsExposure, IReadOnlyList<ReasonView> Reasons,
    IReadOnlyList<ReasonView> Warnings);

public static class ListOrdersEndpoint
{
    /// <summary>The status filter's values, its default first. open: approved or released and not yet invoiced or
    /// cancelled (what a clerk may still invoice against).</summary>
    internal static readonly string[] Statuses = ["all", "open", .. Enum.GetValues<OrderStatus>().Select(OrderResponse.StatusName)];

    /// <summary>
    /// The customer's orders in the order they were placed, each with its status now, what holds it (or held it when
    /// placed) and whether it counts as exposure: what a clerk checks before invoicing and a controller before raising
    /// a limit. status: open, approved, held, released, rejected, cancelled, invoiced, or all (the default). Optional
    /// limit/offset page it (X-Total-Count, Link rel="next"). An order's steps are on <c>GET …/orders/{orderId}</c>.
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/orders")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(OrderListItem[]), 200)]
    public static Task<IResult> Get(string customerId, string? status, int? limit, int? offset, HttpContext http,
        AccountStore accounts, CancellationToken ct) =>
        accounts.ListFor(customerId, status, Statuses, limit, offset, http, (account, filter) => account.Orders.Values
            .Where(o => filter switch
            {
                "all" => true,
                "open" => o.Status is OrderStatus.Approved or OrderStatus.Released,
                _ => OrderResponse.StatusName(o.Status) == filter,
            })
            .OrderBy(o => o.Sequence)
            .Select(o => new OrderListItem(customerId, o.Id, o.Amount, o.OrderedOn, o.PaymentTerms, OrderResponse.StatusName(o.Status),
                o.CountsAsExposure, Problems.Reasons(o.CurrentReasons), Problems.Reasons(o.CurrentWarnings)))
            .ToList(), ct);
}
