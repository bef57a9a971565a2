using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Validation;
using Credit.Domain.Payments;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Payments;

public sealed record AllocationRequest(string InvoiceId, decimal Amount);

/// <summary>POST /api/customers/{id}/payments: explicit allocations, or oldest due first.</summary>
public sealed record RecordPaymentRequest(string PaymentId, decimal Amount, DateOnly? ReceivedOn, AllocationRequest[]? Allocations);

public sealed class RecordPaymentValidator : AbstractValidator<RecordPaymentRequest>
{
    public RecordPaymentValidator()
    {
        RuleFor(x => x.PaymentId).RequiredId();
        RuleFor(x => x.Amount).Money();
        RuleForEach(x => x.Allocations).NotNull().WithCode("REQUIRED").ChildRules(a =>
        {
            a.RuleFor(x => x.InvoiceId).RequiredId();
            a.RuleFor(x => x.Amount).Money();
        });
        RuleFor(x => x.Allocations).Must(list => list!.Select(a => a.InvoiceId).Distinct().Count() == list!.Length)
            .When(x => x.Allocations is not null && x.Allocations.All(a => a is not null)).WithCode("ALLOCATION_REPEATED");
    }
}

public static class RecordPaymentEndpoint
{
    /// <summary>
    /// Records a payment: by the given allocations, else oldest due first, installment by installment; what is left
    /// stays as unapplied credit (it settles the next invoice). Never refused for credit reasons; held orders are
    /// re-checked afterwards.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/payments")]
    [Authorize(Roles = Roles.Writers)]
    [Responds(typeof(Credit.Domain.Payments.PaymentResult), 201)]
    [Responds(typeof(Credit.Domain.Payments.PaymentResult), 200)]
    public static async Task<IResult> Post(string customerId, RecordPaymentRequest request, HttpContext http,
        AccountStore accounts, BusinessCalendar calendar, CancellationToken ct)
    {
        var command = new ReceivePayment(request.PaymentId, request.Amount, request.ReceivedOn ?? calendar.Today,
            request.Allocations?.Select(a => new RequestedAllocation(a.InvoiceId, a.Amount)).ToList(),
            // Allocations name distinct invoices, so their order changes nothing: a retry listing them otherwise is the same payment.
            Fingerprint.Print(request, (r, date, _) => r with
            {
                ReceivedOn = r.ReceivedOn ?? date,
                Allocations = r.Allocations?.OrderBy(a => a.InvoiceId, StringComparer.Ordinal).ToArray(),
            }));

        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, _) => PaymentDecisions.Receive(account, command), ct);
        if (outcome.Rejection is { } rejection) return Problems.From(rejection);

        var r = outcome.Result!;
        return outcome.Events.Count == 0 ? Results.Ok(r) : Results.Created($"/api/customers/{customerId}/payments/{r.PaymentId}", r);
    }
}
