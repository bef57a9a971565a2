using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Customers;

/// <summary>POST /api/customers/{id}/credit-limit. Amount null = inherit from group/company; 0 = cash only; it must be given
/// unless unlimited is true (a misspelt field, {"limit": 5000}, silently turned a raise into no limit of the customer's
/// own).</summary>
public sealed record SetCreditLimitRequest(bool? Unlimited, DateOnly? ExpiresOn, [property: Required] string? Reason)
{
    // A property, not a constructor parameter: the serializer sets it only when the body names it.
    public decimal? Amount { get; init { field = value; AmountGiven = true; } }

    [System.Text.Json.Serialization.JsonIgnore] public bool AmountGiven { get; private set; }
}

public sealed class SetCreditLimitValidator : AbstractValidator<SetCreditLimitRequest>
{
    public SetCreditLimitValidator()
    {
        RuleFor(x => x.Amount).OptionalLimit();
        RuleFor(x => x.AmountGiven).Equal(true).When(x => x.Unlimited != true).OverridePropertyName("amount").WithCode("REQUIRED");
        // Unlimited credit has no amount: one given beside it was dropped without a word.
        RuleFor(x => x.Amount).Null().When(x => x.Unlimited == true).WithCode("MUTUALLY_EXCLUSIVE");
        RuleFor(x => x.Unlimited).NotEqual(true).When(x => x.Amount is not null).WithCode("MUTUALLY_EXCLUSIVE"); // names both fields
        // An expiry lapses the customer's own grant; an inherited limit (amount null) has none, and the date did nothing.
        RuleFor(x => x.ExpiresOn).Null().When(x => x.Amount is null && x.Unlimited != true).WithCode("EXPIRY_WITHOUT_LIMIT");
        RuleFor(x => x.Reason).Reason();
    }
}

public static class SetCreditLimitEndpoint
{
    /// <summary>
    /// Sets the customer's own limit (null: inherit the group's or company's; 0: cash only), or unlimited credit (no
    /// amount then), with an optional expiry date and the reason recorded for the auditors. The limit set replaces the
    /// old one with its expiry: leave expiresOn out and the new limit does not expire. An expiry needs an own limit or
    /// unlimited credit (400 EXPIRY_WITHOUT_LIMIT). amount must be given, null to inherit, unless unlimited is true (400
    /// REQUIRED). Held orders are re-checked afterwards.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/credit-limit")]
    [Authorize(Roles = Roles.Controllers)]
    [Responds(typeof(CustomerView), 200)]
    public static async Task<IResult> Post(string customerId, SetCreditLimitRequest request, HttpContext http, AccountStore accounts,
        Hosting.BusinessCalendar calendar, CancellationToken ct)
    {
        var command = new SetCreditLimit(request.Amount, request.Unlimited ?? false, request.ExpiresOn, request.Reason!.Trim());
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, _) => CustomerDecisions.SetLimit(account, command), ct);
        return await CustomerView.After(outcome, accounts, customerId,
            view => view.ExpiredOnSave(calendar.Today) is { Count: > 0 } expired ? view with { Warnings = expired } : view, ct);
    }
}
