using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Hosting;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using Credit.Domain.Orders;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Orders;

/// <summary>POST /api/customers/{id}/orders: approved, or held for a credit controller with every reason.</summary>
public sealed record PlaceOrderRequest(string OrderId, decimal Amount, DateOnly? OrderedOn, PaymentTerms? PaymentTerms);

public sealed class PlaceOrderValidator : AbstractValidator<PlaceOrderRequest>
{
    public PlaceOrderValidator()
    {
        RuleFor(x => x.OrderId).RequiredId();
        RuleFor(x => x.Amount).Money();
        RuleFor(x => x.PaymentTerms).Terms();
    }
}

public static class PlaceOrderEndpoint
{
    /// <summary>
    /// Places a sales order, checked like an invoice plus the order rules (review threshold, longer terms than the
    /// customer's): 201 approved (counts as exposure until invoiced or cancelled) or held with every failing reason for
    /// a controller to release or reject. A bypass customer's orders are neither checked nor counted (only an account
    /// hold holds them); the invoice is checked in full.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/orders")]
    [Authorize(Roles = Roles.Writers)]
    [Responds(typeof(OrderResponse), 201)]
    [Responds(typeof(OrderResponse), 200)]
    public static async Task<IResult> Post(string customerId, PlaceOrderRequest request, HttpContext http,
        AccountStore accounts, BusinessCalendar calendar, CancellationToken ct)
    {
        var command = new PlaceOrder(request.OrderId, request.Amount, request.OrderedOn ?? calendar.Today, request.PaymentTerms,
            Fingerprint.Print(request, (r, date, _) => r with { OrderedOn = r.OrderedOn ?? date }));
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, context) => OrderDecisions.Place(account, command, context), ct);
        return OrderResponse.From(outcome, $"/api/customers/{customerId}/orders/{request.OrderId}");
    }
}
