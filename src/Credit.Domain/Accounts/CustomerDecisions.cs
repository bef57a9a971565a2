using Credit.Domain.Decisions;

namespace Credit.Domain.Accounts;

public sealed record OpeningBalance(decimal Amount, DateOnly AsOf, DateOnly DueOn);

/// <summary>Create-or-update of a customer. Null credit fields on an update mean "leave as is".</summary>
public sealed record SaveCustomer(
    string CustomerId,
    CustomerProfile Profile,
    decimal? CreditLimit,
    bool? UnlimitedCredit,
    DateOnly? CreditLimitExpiresOn,
    PaymentTerms? PaymentTerms,
    OpeningBalance? OpeningBalance,
    bool MayChangeCredit);

public sealed record SaveCustomerResult(bool Created);

public sealed record SetCreditLimit(decimal? Amount, bool Unlimited, DateOnly? ExpiresOn, string Reason);

public static class CustomerDecisions
{
    public static Outcome<SaveCustomerResult> Save(CreditAccount? account, SaveCustomer cmd)
    {
        if (account is null)
        {
            var events = new List<object> { new AccountOpened(cmd.CustomerId, cmd.Profile) };
            if (cmd.CreditLimit is not null || cmd.UnlimitedCredit == true || cmd.CreditLimitExpiresOn is not null)
                events.Add(new LimitSet(cmd.CreditLimit, cmd.UnlimitedCredit ?? false, cmd.CreditLimitExpiresOn, null));
            if (cmd.PaymentTerms is not null) events.Add(new PaymentTermsSet(cmd.PaymentTerms, null));
            if (cmd.OpeningBalance is { } ob) events.Add(new OpeningBalanceRecorded(ob.Amount, ob.AsOf, ob.DueOn));
            return Outcome<SaveCustomerResult>.Accept(new(true), [.. events]);
        }

        if (cmd.Profile.Currency != account.Profile.Currency && account.Receivables.Count + account.Orders.Count + account.Payments.Count > 0)
            return Outcome<SaveCustomerResult>.Reject(RejectionKind.InvalidState, ErrorCodes.CurrencyChange);

        var changes = new List<object>();
        if (!SameProfile(cmd.Profile, account.Profile)) changes.Add(new ProfileUpdated(cmd.Profile));

        var limit = cmd.CreditLimit ?? account.CreditLimit;
        var unlimited = cmd.UnlimitedCredit ?? account.UnlimitedCredit;
        var expires = cmd.CreditLimitExpiresOn ?? account.CreditLimitExpiresOn;
        var creditChanged = limit != account.CreditLimit || unlimited != account.UnlimitedCredit || expires != account.CreditLimitExpiresOn;
        var termsChanged = cmd.PaymentTerms is not null && cmd.PaymentTerms != account.PaymentTerms;
        if ((creditChanged || termsChanged) && !cmd.MayChangeCredit)
            return Outcome<SaveCustomerResult>.Reject(RejectionKind.Forbidden, ErrorCodes.ControllerRequired);
        if (creditChanged) changes.Add(new LimitSet(limit, unlimited, expires, null));
        if (termsChanged) changes.Add(new PaymentTermsSet(cmd.PaymentTerms, null));

        if (cmd.OpeningBalance is { } opening)
        {
            var existing = account.Receivables.GetValueOrDefault(Receivable.OpeningBalanceId);
            if (existing is null) changes.Add(new OpeningBalanceRecorded(opening.Amount, opening.AsOf, opening.DueOn));
            else if (existing.Amount != opening.Amount || existing.IssuedOn != opening.AsOf || existing.DueOn != opening.DueOn)
                return Outcome<SaveCustomerResult>.Reject(RejectionKind.InvalidState, ErrorCodes.OpeningBalanceRecorded);
        }
        return Outcome<SaveCustomerResult>.Accept(new(false), [.. changes]);
    }

    public static Outcome<bool> SetLimit(CreditAccount account, SetCreditLimit cmd) =>
        cmd.Amount is { } amount && !Money.Currency.FitsMinorUnit(amount, account.Currency)
            ? Outcome<bool>.Invalid("amount", "AMOUNT_PRECISION")
            : Outcome<bool>.Accept(true, new LimitSet(cmd.Unlimited ? null : cmd.Amount, cmd.Unlimited, cmd.ExpiresOn, cmd.Reason));

    private static bool SameProfile(CustomerProfile a, CustomerProfile b) =>
        a with { AssignedTo = [] } == b with { AssignedTo = [] } && a.AssignedTo.SequenceEqual(b.AssignedTo);
}
