using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Payments;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Payments;

public sealed record PaymentView(
    string CustomerId, string PaymentId, decimal Amount, DateOnly ReceivedOn, IReadOnlyList<InvoiceAllocation> Allocations,
    decimal Unapplied, bool Reversed, DateOnly? ReversedOn, string? ReversalReason, IReadOnlyList<string> OrdersHeldAgain)
{
    internal static PaymentView Of(string customerId, PaymentState p) =>
        new(customerId, p.Id, p.Amount, p.ReceivedOn, PaymentDecisions.ResultOf(p).Allocations, p.UnappliedLeft, p.Reversed, p.ReversedOn,
            p.ReversalReason, p.HeldAgain);
}

public static class GetPaymentEndpoint
{
    /// <summary>
    /// A payment with what it settled (including credit applied later from it), its unapplied rest, whether it was
    /// reversed, and the customer's own orders its reversal held again.
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/payments/{paymentId}")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(PaymentView), 200)]
    public static async Task<IResult> Get(string customerId, string paymentId, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        return await accounts.ViewFor(customerId, Caller.Of(http), account => account.Payments.TryGetValue(paymentId, out var p)
            ? Results.Ok(PaymentView.Of(customerId, p))
            : Problems.Result(404, ErrorCodes.PaymentNotFound), ct);
    }
}
