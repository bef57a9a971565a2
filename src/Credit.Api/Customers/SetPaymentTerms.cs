using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

/// <summary>POST /api/customers/{id}/payment-terms. Terms given as null = due on issue; left out, the body is refused
/// (a missing field silently cleared the customer's terms).</summary>
public sealed record SetPaymentTermsRequest([property: Required] string? Reason)
{
    // A property, not a constructor parameter: the serializer sets it only when the body names it.
    [Required] public PaymentTerms? PaymentTerms { get; init { field = value; Given = true; } }

    [System.Text.Json.Serialization.JsonIgnore] public bool Given { get; private set; }
}

public sealed class SetPaymentTermsValidator : AbstractValidator<SetPaymentTermsRequest>
{
    public SetPaymentTermsValidator()
    {
        RuleFor(x => x.PaymentTerms).Terms();
        RuleFor(x => x.Given).Equal(true).OverridePropertyName("paymentTerms").WithCode("REQUIRED");
        RuleFor(x => x.Reason).Reason();
    }
}

public static class SetPaymentTermsEndpoint
{
    /// <summary>
    /// Sets the customer's payment terms ({days}, {months} or {endOfMonthPlusDays}; null: due on issue) with the reason
    /// recorded for the auditors. paymentTerms must be given.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/payment-terms")]
    [Authorize(Roles = Roles.Controllers)]
    [Responds(typeof(CustomerView), 200)]
    public static async Task<IResult> Post(string customerId, SetPaymentTermsRequest request, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        var command = new SetPaymentTerms(request.PaymentTerms, request.Reason!.Trim());
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, _) => AccountDecisions.SetTerms(account, command), ct);
        return await CustomerView.After(outcome, accounts, customerId, ct);
    }
}
