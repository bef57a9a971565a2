using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

/// <summary>POST /api/customers/{id}/payment-terms. Null terms = due on issue.</summary>
public sealed record SetPaymentTermsRequest(PaymentTerms? PaymentTerms, string? Reason);

public sealed class SetPaymentTermsValidator : AbstractValidator<SetPaymentTermsRequest>
{
    public SetPaymentTermsValidator()
    {
        RuleFor(x => x.PaymentTerms).Terms();
        RuleFor(x => x.Reason).Reason();
    }
}

public static class SetPaymentTermsEndpoint
{
    [WolverinePost("/api/customers/{customerId}/payment-terms")]
    [Authorize(Roles = Roles.Controllers)]
    public static async Task<IResult> Post(string customerId, SetPaymentTermsRequest request, HttpContext http, AccountStore accounts, CancellationToken ct)
    {
        var command = new SetPaymentTerms(request.PaymentTerms, request.Reason!.Trim());
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, _) => AccountDecisions.SetTerms(account, command), ct);
        return await CustomerView.After(outcome, accounts, customerId, ct);
    }
}
