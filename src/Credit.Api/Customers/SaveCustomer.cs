using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Localization;
using Credit.Api.Policy;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Money;
using Credit.Domain.Policy;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using System.Text.Json.Serialization;
using Wolverine.Http;

namespace Credit.Api.Customers;

/// <summary>DueOn left out: by the customer's payment terms from AsOf (due on AsOf without terms).</summary>
public sealed record OpeningBalanceRequest(decimal Amount, [property: Required] DateOnly? AsOf, DateOnly? DueOn);

/// <summary>
/// PUT /api/customers/{customerId}: create or update a customer's profile. On an update a field left out keeps its
/// value; <c>groupId</c>, <c>creditLimit</c>, <c>creditLimitExpiresOn</c> and <c>paymentTerms</c> given as null are
/// cleared (the contract's "null: not set at this level").
/// </summary>
public sealed record SaveCustomerRequest(
    string? Name,
    string? Currency,
    bool? UnlimitedCredit,
    OpeningBalanceRequest? OpeningBalance,
    bool? BypassCreditCheckAtOrder,
    string[]? AssignedTo,
    [property: OneOf(typeof(Domain.Accounts.ContactKind))] string? Kind,
    DateOnly? CustomerSince)
{
    // Properties, not constructor parameters: the serializer sets them only when the body names them, which is how
    // a null given (clear it) differs from a field left out (keep it).
    public string? GroupId { get; init { field = value; Given |= CustomerFields.GroupId; } }
    public decimal? CreditLimit { get; init { field = value; Given |= CustomerFields.CreditLimit; } }
    public DateOnly? CreditLimitExpiresOn { get; init { field = value; Given |= CustomerFields.CreditLimitExpiresOn; } }
    public PaymentTerms? PaymentTerms { get; init { field = value; Given |= CustomerFields.PaymentTerms; } }

    [JsonIgnore] public CustomerFields Given { get; private set; }

    /// <summary>What the body left out, for the decision to keep.</summary>
    public CustomerFields LeftOut() =>
        (Name is null ? CustomerFields.Name : 0) | (Currency is null ? CustomerFields.Currency : 0)
        | (Kind is null ? CustomerFields.Kind : 0) | (AssignedTo is null ? CustomerFields.AssignedTo : 0)
        | (BypassCreditCheckAtOrder is null ? CustomerFields.BypassCreditCheckAtOrder : 0)
        | (CustomerSince is null ? CustomerFields.CustomerSince : 0)
        | (CustomerFields.GroupId | CustomerFields.CreditLimit | CustomerFields.CreditLimitExpiresOn | CustomerFields.PaymentTerms) & ~Given;
}

public sealed class SaveCustomerValidator : AbstractValidator<SaveCustomerRequest>
{
    public const int MaxAssignees = 100;

    public SaveCustomerValidator()
    {
        // Left out, the name is kept (an update) or missing (a create: the decision says so); given, it must say something.
        RuleFor(x => x.Name).Must(n => n is null || !Rules.IsBlank(n)).WithCode("REQUIRED")
            .Must(n => n is null || n.Length <= 200).WithCode("TOO_LONG")
            .Must(n => Rules.IsPrintable(n)).WithCode("CONTROL_CHARACTERS");
        RuleFor(x => x.GroupId).BusinessId().When(x => x.GroupId is not null);
        RuleFor(x => x.Currency).Must(c => c is null || Currency.IsKnown(c)).WithCode("INVALID_CURRENCY");
        // Precision against the currency is the decision's: a customer's own currency is known only there.
        RuleFor(x => x.CreditLimit).OptionalLimit();
        RuleFor(x => x.PaymentTerms).Terms();
        RuleFor(x => x.Kind).Must(k => k is null || ParseKind(k) is not null).WithCode("INVALID_VALUE");
        // Users as tokens name them (an Arabic name, an e-mail), not ids: every clerk a token admits can be assigned.
        RuleForEach(x => x.AssignedTo).Must(Auth.Caller.IsValidUser).WithCode("INVALID_USER");
        // The clerks who work the account: a team, not a directory (100,000 names made every read of it ~1 MB).
        RuleFor(x => x.AssignedTo).Must(a => a is null || a.Distinct(StringComparer.Ordinal).Count() <= MaxAssignees).WithCode("TOO_MANY");
        When(x => x.OpeningBalance is not null, () =>
        {
            RuleFor(x => x.OpeningBalance!.Amount).Money();
            RuleFor(x => x.OpeningBalance!.AsOf).NotNull().WithCode("REQUIRED").OverridePropertyName("openingBalance.asOf");
            RuleFor(x => x.OpeningBalance!.DueOn)
                .Must((x, due) => due is null || x.OpeningBalance!.AsOf is null || due >= x.OpeningBalance!.AsOf).WithCode("DUE_BEFORE_ISSUE")
                .OverridePropertyName("openingBalance.dueOn");
        });
    }

    public static ContactKind? ParseKind(string kind) => kind switch
    {
        "customer" => ContactKind.Customer,
        "supplier" => ContactKind.Supplier,
        "both" => ContactKind.Both,
        _ => null,
    };
}

public static class SaveCustomerEndpoint
{
    /// <summary>
    /// Creates or updates a customer. On an update every field left out keeps its value; groupId, creditLimit,
    /// creditLimitExpiresOn and paymentTerms given as null are cleared. Changing the limit, its expiry, terms, group,
    /// bypass or assignment, or adding an opening balance later, needs a controller (403 CONTROLLER_REQUIRED). A
    /// creditLimit given ends unlimited credit, unlimitedCredit true replaces the own limit, either with the other's expiry
    /// unless one is given; both at once is 400 MUTUALLY_EXCLUSIVE (unless as stored).
    /// </summary>
    [WolverinePut("/api/customers/{customerId}")]
    [Authorize(Roles = Roles.Writers)]
    [Responds(typeof(CustomerView), 201)]
    [Responds(typeof(CustomerView), 200)]
    public static async Task<IResult> Put(string customerId, SaveCustomerRequest request, HttpContext http, AccountStore accounts,
        CreditContexts contexts, PolicyStore policies, Hosting.BusinessCalendar calendar, CancellationToken ct)
    {
        // A group named in the body must exist, as an invoice a credit note names must: a typo would leave the
        // customer in a group that does not exist, with no group limit or pool.
        if (request.GroupId is { } groupId && await contexts.Group(groupId, ct) is null) return Problems.Result(404, ErrorCodes.GroupNotFound);

        var caller = Caller.Of(http);
        // A new customer without a currency gets the company's (policy `currency`); an existing one keeps its own.
        var currency = request.Currency ?? (await policies.Current(ct)).Currency;
        var profile = new CustomerProfile(request.Name?.Trim() ?? "", request.GroupId, currency,
            SaveCustomerValidator.ParseKind(request.Kind ?? "customer")!.Value, (request.AssignedTo ?? []).Distinct(StringComparer.Ordinal).ToArray(),
            request.BypassCreditCheckAtOrder ?? false, request.CustomerSince);
        var opening = request.OpeningBalance is { } o ? new OpeningBalance(o.Amount, o.AsOf!.Value, o.DueOn) : null;
        var command = new SaveCustomer(customerId, profile, request.CreditLimit, request.UnlimitedCredit,
            request.CreditLimitExpiresOn, request.PaymentTerms, opening, caller.IsController, request.LeftOut());

        var outcome = await accounts.Decide(customerId, caller, (account, _) => CustomerDecisions.Save(account, command), ct);
        if (outcome.Rejection is { } rejection) return Problems.From(rejection);

        var view = (await accounts.View(customerId, CustomerView.Of, ct))!;
        // The expiry is warned of when this save gave the grant or its date, not on every later rename.
        var left = request.LeftOut();
        var grantGiven = !left.HasFlag(CustomerFields.CreditLimit) || !left.HasFlag(CustomerFields.CreditLimitExpiresOn) || request.UnlimitedCredit is not null;
        view = view with { Warnings = [.. await WarningsOf(view, contexts, policies, ct), .. grantGiven ? view.ExpiredOnSave(calendar.Today) : []] };
        return outcome.Result!.Created ? Results.Created($"/api/customers/{customerId}", view) : Results.Ok(view);
    }

    /// <summary>
    /// What the settings saved leave the customer without, said at once rather than at its first order: its own currency
    /// without a rate makes an inherited limit 0, and any member's currency without one (its own among them, a supplier's
    /// that owes) stops its shared pool for every member.
    /// </summary>
    private static async Task<IReadOnlyList<ReasonView>> WarningsOf(CustomerView view, CreditContexts contexts, PolicyStore policies,
        CancellationToken ct)
    {
        var policy = await policies.Current(ct);
        var group = view.GroupId is null ? null : await contexts.Group(view.GroupId, ct);
        var warnings = new List<ReasonView>();
        if (view.Kind != "supplier" && RateWarnings.InheritsUnconvertible(view.UnlimitedCredit, view.CreditLimit, view.Currency, group, policy))
            warnings.Add(new(ReasonCodes.ExchangeRateMissing, Text.Phrase("RATE_MISSING_FOR_INHERITED_LIMIT", view.Currency)));
        // The pool with this customer in it now.
        if (group is not null && await RateWarnings.ForPool(group, policy, contexts, ct) is { } pool) warnings.Add(pool);
        return warnings;
    }
}
