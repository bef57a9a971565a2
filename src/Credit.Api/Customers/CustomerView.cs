using Credit.Api.Accounts;
using Credit.Api.Errors;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;

namespace Credit.Api.Customers;

public sealed record OpeningBalanceView(decimal Amount, DateOnly AsOf, DateOnly DueOn);

/// <summary>The customer as clients see it, read from the write model so it is always current.</summary>
public sealed record CustomerView(
    string CustomerId,
    string Name,
    string? GroupId,
    string Currency,
    decimal? CreditLimit,
    bool UnlimitedCredit,
    DateOnly? CreditLimitExpiresOn,
    PaymentTerms? PaymentTerms,
    OpeningBalanceView? OpeningBalance,
    bool BypassCreditCheckAtOrder,
    IReadOnlyList<string> AssignedTo,
    [property: OneOf(typeof(ContactKind))] string Kind,
    DateOnly? CustomerSince,
    bool OnHold,
    string? HoldReason,
    long Version,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<ReasonView>? Warnings = null)
{
    public static CustomerView Of(CreditAccount a)
    {
        var opening = a.Receivables.GetValueOrDefault(Receivable.OpeningBalanceId);
        return new(a.Id, a.Profile.Name, a.Profile.GroupId, a.Currency, a.CreditLimit, a.UnlimitedCredit, a.CreditLimitExpiresOn,
            a.PaymentTerms, opening is null ? null : new(opening.Amount, opening.IssuedOn, opening.DueOn),
            a.Profile.BypassCreditCheckAtOrder, a.Profile.AssignedTo, a.Profile.Kind.ToString().ToLowerInvariant(),
            a.CustomerSince, a.OnHold, a.HoldReason, a.Version);
    }

    /// <summary>An own limit or unlimited credit saved with an expiry already past: lapsed from the start, likely a typo.</summary>
    public IReadOnlyList<ReasonView> ExpiredOnSave(DateOnly today) =>
        CreditRules.Lapsed(UnlimitedCredit, CreditLimit, CreditLimitExpiresOn, today)
            ? [new(Domain.Policy.ReasonCodes.LimitExpired, Localization.Text.Phrase("LIMIT_SAVED_EXPIRED",
                CreditLimitExpiresOn!.Value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)))]
            : [];

    /// <summary>The answer of every account command: the customer as it now stands, or the problem.</summary>
    public static Task<IResult> After<T>(Outcome<T> outcome, AccountStore accounts, string customerId, CancellationToken ct) =>
        After(outcome, accounts, customerId, view => view, ct);

    /// <summary>As above, the view given its warnings (<paramref name="warned"/>) before it is answered.</summary>
    public static async Task<IResult> After<T>(Outcome<T> outcome, AccountStore accounts, string customerId,
        Func<CustomerView, CustomerView> warned, CancellationToken ct) =>
        outcome.Rejection is { } rejection ? Problems.From(rejection)
        : Results.Ok(await accounts.View(customerId, Of, ct) is { } view ? warned(view) : null);
}
