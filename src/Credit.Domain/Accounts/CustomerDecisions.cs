using Credit.Domain.Decisions;
using Credit.Domain.Payments;

namespace Credit.Domain.Accounts;

/// <summary>DueOn null: by the customer's payment terms from AsOf, as an invoice's due date (due on AsOf without terms).</summary>
public sealed record OpeningBalance(decimal Amount, DateOnly AsOf, DateOnly? DueOn)
{
    public DateOnly DueBy(PaymentTerms? terms) => DueOn ?? PaymentTerms.DueDate(terms, AsOf);
}

/// <summary>
/// Create-or-update of a customer. On an update the fields named in <see cref="LeftOut"/> keep their value (a rename
/// that does not repeat them must not clear an assignment, a group or a limit); a credit field given as null is
/// cleared ("not set at this level": the customer inherits the group's or the company's limit, or pays on issue).
/// <see cref="UnlimitedCredit"/> null keeps its value.
/// </summary>
public sealed record SaveCustomer(
    string CustomerId,
    CustomerProfile Profile,
    decimal? CreditLimit,
    bool? UnlimitedCredit,
    DateOnly? CreditLimitExpiresOn,
    PaymentTerms? PaymentTerms,
    OpeningBalance? OpeningBalance,
    /// <summary>A controller (or admin) asks: may change what decides credit, and who may act on the customer.</summary>
    bool MayChangeCredit,
    CustomerFields LeftOut = CustomerFields.None);

/// <summary>Fields a request did not give: on an update they keep their value.</summary>
[Flags]
public enum CustomerFields
{
    None = 0,
    Kind = 1,
    AssignedTo = 2,
    BypassCreditCheckAtOrder = 4,
    CustomerSince = 8,
    GroupId = 16,
    CreditLimit = 32,
    CreditLimitExpiresOn = 64,
    PaymentTerms = 128,
    Name = 256,
    Currency = 512,
}

public sealed record SaveCustomerResult(bool Created);

public sealed record SetCreditLimit(decimal? Amount, bool Unlimited, DateOnly? ExpiresOn, string Reason);

public static class CustomerDecisions
{
    /// <summary>Both fields carry the error: one alone left the client guessing which other field was meant.</summary>
    private static readonly string[] BothGrants = ["creditLimit", "unlimitedCredit"];

    public static Outcome<SaveCustomerResult> Save(CreditAccount? account, SaveCustomer cmd)
    {
        if (account is null)
        {
            if (cmd.LeftOut.HasFlag(CustomerFields.Name)) return Outcome<SaveCustomerResult>.Invalid("name", "REQUIRED");
            if (Imprecise(cmd, cmd.Profile.Currency) is { } field) return Outcome<SaveCustomerResult>.Invalid(field, "AMOUNT_PRECISION");
            if (cmd.CreditLimitExpiresOn is not null && cmd.CreditLimit is null && cmd.UnlimitedCredit != true)
                return Outcome<SaveCustomerResult>.Invalid("creditLimitExpiresOn", ErrorCodes.ExpiryWithoutLimit);
            // Which one was meant? Unlimited won, and a controller who meant cash only (0) gave credit.
            if (cmd.CreditLimit is not null && cmd.UnlimitedCredit == true)
                return Outcome<SaveCustomerResult>.Invalid(BothGrants, ErrorCodes.MutuallyExclusive);
            var events = new List<object> { new AccountOpened(cmd.CustomerId, cmd.Profile) };
            if (cmd.CreditLimit is not null || cmd.UnlimitedCredit == true || cmd.CreditLimitExpiresOn is not null)
                events.Add(new LimitSet(cmd.CreditLimit, cmd.UnlimitedCredit ?? false, cmd.CreditLimitExpiresOn, null));
            if (cmd.PaymentTerms is not null) events.Add(new PaymentTermsSet(cmd.PaymentTerms, null));
            if (cmd.OpeningBalance is { } ob) events.Add(new OpeningBalanceRecorded(ob.Amount, ob.AsOf, ob.DueBy(cmd.PaymentTerms)));
            return Outcome<SaveCustomerResult>.Accept(new(true), [.. events]);
        }

        var profile = Kept(cmd.Profile, account.Profile, cmd.LeftOut);
        // Any document, a credit note alone included: its credit would keep its figure in the new currency.
        if (profile.Currency != account.Profile.Currency
            && account.Receivables.Count + account.Orders.Count + account.Payments.Count + account.CreditNotes.Count > 0)
            return Outcome<SaveCustomerResult>.Reject(RejectionKind.InvalidState, ErrorCodes.CurrencyChange);
        if (Imprecise(cmd, profile.Currency) is { } imprecise) return Outcome<SaveCustomerResult>.Invalid(imprecise, "AMOUNT_PRECISION");

        var changes = new List<object>();
        if (!SameProfile(profile, account.Profile)) changes.Add(new ProfileUpdated(profile));
        // The group brings its limits and pool, the bypass skips the checks at order: both are credit decisions.
        // The assignment decides which clerks may act on the customer: a clerk could take one over or lock others out.
        // A new currency re-denominates the customer's own limit (1,000 SAR would become 1,000 KWD).
        var creditProfileChanged = profile.GroupId != account.Profile.GroupId
            || profile.BypassCreditCheckAtOrder != account.Profile.BypassCreditCheckAtOrder
            || !SameUsers(profile.AssignedTo, account.Profile.AssignedTo)
            || (profile.Currency != account.Profile.Currency && account.CreditLimit is > 0m);

        // An own limit and unlimited credit are one grant or the other, as on POST …/credit-limit: a limit given ends unlimited
        // credit, unlimited credit given replaces the limit, and either replaces the other's expiry unless one is given (a 0
        // given to an unlimited customer was stored and ignored; unlimited credit given took the old limit's expiry, born
        // expired). Both given is a question, unless it is the account as stored (a customer read and saved back).
        var limitGiven = !cmd.LeftOut.HasFlag(CustomerFields.CreditLimit);
        if (limitGiven && cmd.CreditLimit is not null && cmd.UnlimitedCredit == true
            && !(account.UnlimitedCredit && account.CreditLimit == cmd.CreditLimit))
            return Outcome<SaveCustomerResult>.Invalid(BothGrants, ErrorCodes.MutuallyExclusive);
        var unlimited = cmd.UnlimitedCredit ?? (!limitGiven && account.UnlimitedCredit); // null given: inherit (sweep AM)
        var limit = limitGiven ? cmd.CreditLimit : unlimited && !account.UnlimitedCredit ? null : account.CreditLimit;
        // A kept limit in a new currency must fit it too (100.125 KWD cannot become 100.125 SAR): send one that does.
        if (limit is { } kept && !Money.Currency.FitsMinorUnit(kept, profile.Currency))
            return Outcome<SaveCustomerResult>.Invalid("creditLimit", "AMOUNT_PRECISION");
        var expires = !cmd.LeftOut.HasFlag(CustomerFields.CreditLimitExpiresOn) ? cmd.CreditLimitExpiresOn
            : unlimited != account.UnlimitedCredit ? null : account.CreditLimitExpiresOn;
        // The expiry belongs to the customer's own grant: cleared with it (back to inheriting), refused without one.
        if (expires is not null && limit is null && !unlimited)
        {
            if (!cmd.LeftOut.HasFlag(CustomerFields.CreditLimitExpiresOn))
                return Outcome<SaveCustomerResult>.Invalid("creditLimitExpiresOn", ErrorCodes.ExpiryWithoutLimit);
            // Only when this request clears the grant: a stored expiry without one (kept from before) is left as it is.
            if (account.CreditLimit is not null || account.UnlimitedCredit) expires = null;
        }
        var terms = cmd.LeftOut.HasFlag(CustomerFields.PaymentTerms) ? account.PaymentTerms : cmd.PaymentTerms;
        var creditChanged = limit != account.CreditLimit || unlimited != account.UnlimitedCredit || expires != account.CreditLimitExpiresOn;
        var termsChanged = terms != account.PaymentTerms;
        if ((creditChanged || termsChanged || creditProfileChanged) && !cmd.MayChangeCredit)
            return Outcome<SaveCustomerResult>.Reject(RejectionKind.Forbidden, ErrorCodes.ControllerRequired);
        if (creditChanged) changes.Add(new LimitSet(limit, unlimited, expires, null));
        if (termsChanged) changes.Add(new PaymentTermsSet(terms, null));

        if (cmd.OpeningBalance is { } opening)
        {
            var existing = account.Receivables.GetValueOrDefault(Receivable.OpeningBalanceId);
            if (existing is null)
            {
                // Recorded later, it is still a debt from before the account's first document, added without a credit check.
                if (!cmd.MayChangeCredit) return Outcome<SaveCustomerResult>.Reject(RejectionKind.Forbidden, ErrorCodes.ControllerRequired);
                if (account.FirstDocumentOn is { } first && opening.AsOf > first)
                    return Outcome<SaveCustomerResult>.Invalid("openingBalance.asOf", ErrorCodes.OpeningBalanceAfterDocuments);
                changes.Add(new OpeningBalanceRecorded(opening.Amount, opening.AsOf, opening.DueBy(terms)));
                // Credit the customer already has settles it like an invoice issued now, so it does not fall overdue beside it.
                changes.AddRange(OpenCredit.Apply(OpenCredit.Sources(account),
                    [(Receivable.OpeningBalanceId, 1, opening.Amount)], opening.AsOf));
            }
            // The same opening balance again (a due date left out matches the one recorded): nothing new.
            else if (existing.Amount != opening.Amount || existing.IssuedOn != opening.AsOf || (opening.DueOn is { } due && existing.DueOn != due))
                return Outcome<SaveCustomerResult>.Reject(RejectionKind.InvalidState, ErrorCodes.OpeningBalanceRecorded);
        }
        return Outcome<SaveCustomerResult>.Accept(new(false), [.. changes]);
    }

    public static Outcome<bool> SetLimit(CreditAccount account, SetCreditLimit cmd) =>
        cmd.Amount is { } amount && !Money.Currency.FitsMinorUnit(amount, account.Currency)
            ? Outcome<bool>.Invalid("amount", "AMOUNT_PRECISION")
            : Outcome<bool>.Accept(true, new LimitSet(cmd.Unlimited ? null : cmd.Amount, cmd.Unlimited, cmd.ExpiresOn, cmd.Reason));

    /// <summary>The amount that has more decimals than the customer's currency allows (its own, or the one given).</summary>
    private static string? Imprecise(SaveCustomer cmd, string currency) =>
        cmd.CreditLimit is { } limit && !Money.Currency.FitsMinorUnit(limit, currency) ? "creditLimit"
        : cmd.OpeningBalance is { } ob && !Money.Currency.FitsMinorUnit(ob.Amount, currency) ? "openingBalance.amount"
        : null;

    private static CustomerProfile Kept(CustomerProfile given, CustomerProfile current, CustomerFields leftOut) => given with
    {
        Name = leftOut.HasFlag(CustomerFields.Name) ? current.Name : given.Name,
        Currency = leftOut.HasFlag(CustomerFields.Currency) ? current.Currency : given.Currency,
        GroupId = leftOut.HasFlag(CustomerFields.GroupId) ? current.GroupId : given.GroupId,
        Kind = leftOut.HasFlag(CustomerFields.Kind) ? current.Kind : given.Kind,
        AssignedTo = leftOut.HasFlag(CustomerFields.AssignedTo) ? current.AssignedTo : given.AssignedTo,
        BypassCreditCheckAtOrder = leftOut.HasFlag(CustomerFields.BypassCreditCheckAtOrder) ? current.BypassCreditCheckAtOrder : given.BypassCreditCheckAtOrder,
        CustomerSince = leftOut.HasFlag(CustomerFields.CustomerSince) ? current.CustomerSince : given.CustomerSince,
    };

    private static bool SameProfile(CustomerProfile a, CustomerProfile b) =>
        a with { AssignedTo = [] } == b with { AssignedTo = [] } && SameUsers(a.AssignedTo, b.AssignedTo);

    /// <summary>The assignment is a set of users: the same ones listed in another order change nothing.</summary>
    private static bool SameUsers(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Count == b.Count && a.ToHashSet(StringComparer.Ordinal).SetEquals(b);
}
