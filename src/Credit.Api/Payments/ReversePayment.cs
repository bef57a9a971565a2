using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using Credit.Domain.Orders;
using Credit.Domain.Payments;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Payments;

/// <summary>POST /api/customers/{id}/payments/{paymentId}/reverse: a bounced cheque or a recalled transfer.</summary>
public sealed record ReversePaymentRequest([property: Required] string? Reason, DateOnly? ReversedOn);

public sealed class ReversePaymentValidator : AbstractValidator<ReversePaymentRequest>
{
    public ReversePaymentValidator() => RuleFor(x => x.Reason).Reason();
}

public static class ReversePaymentEndpoint
{
    /// <summary>
    /// Reverses a bounced payment: reopens exactly what it settled and withdraws its unapplied credit; other unapplied
    /// credit then settles what reopened. Never refused for credit reasons (the balance may show the customer over the
    /// limit). Orders the system approved or released after the payment came, and that no longer pass without it, are
    /// held again in the same commit (OrderHeldAgain); a controller's release stands. Repeating it answers with the first
    /// reversal.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/payments/{paymentId}/reverse")]
    [Authorize(Roles = Roles.Writers)]
    [Responds(typeof(Credit.Domain.Payments.ReversalResult), 200)]
    public static async Task<IResult> Post(string customerId, string paymentId, ReversePaymentRequest request, HttpContext http,
        AccountStore accounts, BusinessCalendar calendar, CancellationToken ct)
    {
        var command = new ReversePayment(paymentId, request.ReversedOn ?? calendar.Today, request.Reason!.Trim(), DateGiven: request.ReversedOn is not null);
        // Orders the system granted on the strength of the payment are held again in the same commit.
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, _) => PaymentDecisions.Reverse(account, command), ct,
            reversal => OrderDecisions.HoldAgainWhatRestedOn(reversal, paymentId));
        if (outcome.Rejection is { } rejection) return Problems.From(rejection);
        // The orders held again are decided with the reversal, after its answer was made (a repeat's comes from the account).
        var heldAgain = outcome.Events.OfType<OrderHeldAgain>().Select(e => e.OrderId).ToList();
        return Results.Ok(heldAgain.Count == 0 ? outcome.Result : outcome.Result! with { OrdersHeldAgain = heldAgain });
    }
}
