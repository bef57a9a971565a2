using Credit.Domain.Accounts;
using Credit.Domain.Policy;

namespace Credit.Domain.Decisions;

public enum DocumentKind { Order, Invoice }

public enum LimitSource { Customer, Group, Company, None }

public enum Standing { Ok, OnHold, Blocked }

/// <summary>An account's standing and the reasons that block it (those of an account on hold too).</summary>
public sealed record AccountStanding(Standing Standing, IReadOnlyList<string> Reasons);

/// <summary>What is asked for: a document of this kind and amount, possibly with its own terms.</summary>
/// <summary>ExtraExposure: credit granted earlier in the same decision (auto-release walks held orders in turn).
/// Unchecked: for an order placed earlier, whether it was placed under the bypass; null (a new order) reads the
/// customer's flag now. A held order placed under the check stays under it, whatever the flag says today.</summary>
public sealed record CreditRequest(DocumentKind Kind, decimal Amount, DateOnly DocumentDate, PaymentTerms? RequestedTerms = null,
    decimal ExtraExposure = 0m, bool? Unchecked = null);

/// <summary>Everything outside the account that a credit decision needs, read before the decision.</summary>
public sealed record CreditContext(CreditPolicy Policy, GroupPosition? Group, DateOnly Today)
{
    /// <summary>The context once the account's exposure has moved by <paramref name="change"/>: its pool's moved with it.</summary>
    public CreditContext WithExposureChange(decimal change, string currency) =>
        Group is null || change == 0m || Policy.ToCompanyCurrency(change, currency) is not { } converted
            ? this : this with { Group = Group with { Exposure = Group.Exposure + converted } };
}

/// <summary>An account before and after a decision's events, each with its context: what the decision entails is decided
/// on the second, and may ask what the first allowed.</summary>
public sealed record Entailment(CreditAccount Before, CreditContext BeforeContext, CreditAccount After, CreditContext AfterContext);

/// <summary>
/// The limit in the customer's currency. <paramref name="Unrated"/>: an inherited company-currency limit the policy has no
/// rate to convert; nothing can be granted against it, so it stands as 0 until a rate or an own limit is set.
/// </summary>
public sealed record EffectiveLimit(decimal? Amount, LimitSource Source, bool Unrated = false)
{
    public bool IsUnlimited => Amount is null;
}

public sealed record CreditDecision(
    bool Allowed,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Warnings,
    decimal Exposure,
    decimal? Limit,
    decimal? Available,
    LimitSource LimitSource,
    PoolFigures? Pool,
    string Currency, // the account's: exposure, limit and available are in it (the pool's figures in the company's)
    MissingRate? Unrated = null,
    OverdueFigures? Overdue = null);

/// <summary>What is past due beyond the grace days, in the account's currency: open amount, how many invoices, installments
/// or opening balance, the oldest due date and how many days ago that was. "Has overdue invoices" told a clerk nothing to ask the customer for.</summary>
public sealed record OverdueFigures(decimal Amount, int Items, DateOnly OldestDueOn, int DaysPastDue);

/// <summary>What needed a rate: the limit a customer inherits, its group's pool, or the order review threshold.</summary>
public enum RateNeed { Limit, Pool, Threshold }

/// <summary>The currency without a rate behind EXCHANGE_RATE_MISSING, and what needed it.</summary>
public sealed record MissingRate(string Currency, RateNeed For);

/// <summary>A shared group pool as the decision saw it, in the company currency (exposure to its minor unit).</summary>
public sealed record PoolFigures(string GroupId, string Currency, decimal SharedCreditLimit, decimal Exposure, decimal Available);

/// <summary>
/// The one credit decision: orders, invoices and the what-if check all come through here, so no rule is
/// written twice. Every rule is evaluated and every failing one reported.
/// </summary>
public static class CreditRules
{
    public static EffectiveLimit EffectiveLimitOf(CreditAccount account, GroupPosition? group, CreditPolicy policy) =>
        EffectiveLimitOf(account.UnlimitedCredit, account.CreditLimit, account.Currency, group, policy);

    /// <summary>The same from a customer's own settings (as the read models keep them, for the customer list).</summary>
    public static EffectiveLimit EffectiveLimitOf(
        bool unlimitedCredit, decimal? ownLimit, string currency, GroupPosition? group, CreditPolicy policy)
    {
        // Unlimited by the customer's own flag is the customer level deciding; "none" is nothing set at any level.
        if (unlimitedCredit) return new(null, LimitSource.Customer);
        if (ownLimit is { } own) return new(own, LimitSource.Customer);
        return InheritedLimitOf(currency, group, policy);
    }

    /// <summary>The currency whose missing rate leaves a customer nothing: its own (an inherited limit cannot be converted)
    /// or a pool member's (the pool cannot be summed); null when none is missing.</summary>
    public static string? MissingRateOf(EffectiveLimit limit, string currency, GroupPosition? group) =>
        limit.Unrated ? currency : group?.UnratedCurrency;

    /// <summary>
    /// The limit for a customer without its own: the group's default, else the company's, else none; both are in the
    /// company's currency, converted to the customer's at the policy's rate.
    /// </summary>
    public static EffectiveLimit InheritedLimitOf(string currency, GroupPosition? group, CreditPolicy policy)
    {
        var (inherited, source) = group?.DefaultCreditLimit is { } groupDefault ? (groupDefault, LimitSource.Group)
            : policy.DefaultCreditLimit is { } companyDefault ? (companyDefault, LimitSource.Company)
            : ((decimal?)null, LimitSource.None);
        if (inherited is not { } limit) return new(null, source);
        return policy.LimitInCurrency(limit, currency) is { } converted ? new(converted, source) : new(0m, source, Unrated: true);
    }

    public static CreditDecision Decide(
        CreditAccount account, CreditPolicy policy, GroupPosition? group, CreditRequest request, DateOnly today)
    {
        var limit = EffectiveLimitOf(account, group, policy);
        var exposure = account.Exposure + request.ExtraExposure;
        var failing = new List<string>();
        var unratedWarning = false;
        MissingRate? unrated = null;

        if (account.OnHold) failing.Add(ReasonCodes.AccountOnHold);

        // A bypass customer's orders are neither checked nor counted (the contract; ERPNext's "bypass credit limit
        // check at sales order"): the invoice is checked in full instead. Only the account hold, a controller's
        // explicit stop on every document, still holds such an order.
        if (request.Kind == DocumentKind.Order && (request.Unchecked ?? account.Profile.BypassCreditCheckAtOrder))
            return Conclude(failing, policy, exposure, limit, group, account.Currency);

        // A document the customer's own credit (a deposit, a credit note) covers extends no credit: a cash-only
        // customer may be invoiced against what it paid in advance.
        var extendsCredit = exposure + request.Amount > 0m;
        if (limit.Unrated && extendsCredit)
        {
            failing.Add(ReasonCodes.ExchangeRateMissing);
            unrated = new MissingRate(account.Currency, RateNeed.Limit);
        }
        else if (limit.Amount == 0m && extendsCredit) failing.Add(ReasonCodes.NoCredit);
        else if (limit.Amount is { } max && exposure + request.Amount > max) failing.Add(ReasonCodes.CreditLimitExceeded);

        if (group?.SharedCreditLimit is { } pool)
        {
            // The pool is in the company currency: the request joins it at the customer's rate, unrounded like the members.
            var asked = policy.ToCompanyCurrency(request.ExtraExposure + request.Amount, account.Currency);
            if (asked is null || group.UnratedCurrency is not null)
            {
                // The pool cannot be summed; a document the customer's own credit covers needs no pool either.
                if (extendsCredit && !failing.Contains(ReasonCodes.ExchangeRateMissing))
                {
                    failing.Add(ReasonCodes.ExchangeRateMissing);
                    unrated = new MissingRate(asked is null ? account.Currency : group.UnratedCurrency!, RateNeed.Pool);
                }
            }
            else if (group.Exposure + asked > pool) failing.Add(ReasonCodes.GroupLimitExceeded);
        }

        if (Lapsed(account.UnlimitedCredit, account.CreditLimit, account.CreditLimitExpiresOn, today))
            failing.Add(ReasonCodes.LimitExpired);

        OverdueFigures? overdue = null;
        if (HasOverdue(account, today, policy.GraceDays))
        {
            failing.Add(ReasonCodes.OverdueInvoices);
            overdue = OverdueOf(account, today, policy.GraceDays);
        }

        if (request.Kind == DocumentKind.Order)
        {
            // The threshold is in the company currency, as every company-wide amount. An order that cannot be converted (no
            // rate) cannot be shown to be under it: held for the missing rate, which is what a controller must fix; where
            // the rule only warns, the order goes through with that warning, as it would were it over the threshold.
            if (policy.OrderReviewThreshold is { } threshold && policy.ModeOf(ReasonCodes.OrderValueReview) is var mode
                && mode != RuleMode.Off)
            {
                if (policy.ToCompanyCurrency(request.Amount, account.Currency) is not { } converted)
                {
                    if (mode == RuleMode.Warn) unratedWarning = true;
                    else if (!failing.Contains(ReasonCodes.ExchangeRateMissing)) failing.Add(ReasonCodes.ExchangeRateMissing);
                    unrated ??= new MissingRate(account.Currency, RateNeed.Threshold);
                }
                else if (converted > threshold) failing.Add(ReasonCodes.OrderValueReview);
            }
            if (request.RequestedTerms is not null
                && PaymentTerms.IsLonger(request.RequestedTerms, account.PaymentTerms, request.DocumentDate))
                failing.Add(ReasonCodes.PaymentTermsExtended);
        }

        return Conclude(failing, policy, exposure, limit, group, account.Currency, unratedWarning, unrated, overdue);
    }

    private static CreditDecision Conclude(
        List<string> failing, CreditPolicy policy, decimal exposure, EffectiveLimit limit, GroupPosition? group, string currency,
        bool unratedWarning = false, MissingRate? unrated = null, OverdueFigures? overdue = null)
    {
        var reasons = failing.Where(c => policy.ModeOf(c) == RuleMode.Block).ToList();
        var warnings = failing.Where(c => policy.ModeOf(c) == RuleMode.Warn).ToList();
        if (unratedWarning && !reasons.Contains(ReasonCodes.ExchangeRateMissing)) warnings.Add(ReasonCodes.ExchangeRateMissing);
        return new CreditDecision(reasons.Count == 0, reasons, warnings, exposure, limit.Amount,
            limit.Amount - exposure, limit.Source, PoolOf(group, policy), currency, unrated, overdue);
    }

    /// <summary>The pool's figures, for a customer in a group with a shared limit.</summary>
    public static PoolFigures? PoolOf(GroupPosition? group, CreditPolicy policy)
    {
        if (group?.SharedCreditLimit is not { } pool) return null;
        var exposure = Money.Currency.Round(group.Exposure, policy.Currency);
        return new PoolFigures(group.GroupId, policy.Currency, pool, exposure, pool - exposure);
    }

    /// <summary>
    /// Where the account stands for a controller: on hold, blocked (the smallest credit invoice would be refused now, the
    /// reasons why; a supplier-only contact is sold nothing) or ok. The balance and the customer list both say it from here.
    /// </summary>
    public static AccountStanding StandingOf(CreditAccount account, CreditPolicy policy, GroupPosition? group, DateOnly today)
    {
        var probe = Decide(account, policy, group,
            new CreditRequest(DocumentKind.Invoice, Money.Currency.MinorUnit(account.Currency), today), today);
        IReadOnlyList<string> blocking = account.Profile.BuysFromUs ? probe.Reasons : [.. probe.Reasons, ErrorCodes.NotACustomer];
        return new AccountStanding(account.OnHold ? Standing.OnHold : blocking.Count == 0 ? Standing.Ok : Standing.Blocked, blocking);
    }

    /// <summary>A temporary grant (an own limit or unlimited credit with an expiry date) lapses after its date; an inherited
    /// limit has no expiry of its own.</summary>
    public static bool Lapsed(bool unlimitedCredit, decimal? ownLimit, DateOnly? expiresOn, DateOnly today) =>
        (unlimitedCredit || ownLimit is not null) && expiresOn is { } expires && expires < today;

    /// <summary>The open installments more than the grace days past due, summed (null: none). Walks the open items oldest
    /// due first and stops at the first within grace, so it costs what is overdue, only on an account that is.</summary>
    public static OverdueFigures? OverdueOf(CreditAccount account, DateOnly today, int graceDays)
    {
        var (amount, items, oldest) = (0m, 0, (DateOnly?)null);
        foreach (var (_, installment) in account.OpenItemsOldestFirst())
        {
            if (installment.DueOn.AddDays(graceDays) >= today) break;
            (amount, items, oldest) = (amount + installment.Open, items + 1, oldest ?? installment.DueOn);
        }
        return oldest is { } first ? new OverdueFigures(amount, items, first, today.DayNumber - first.DayNumber) : null;
    }

    /// <summary>An unpaid invoice, installment or opening balance more than the grace days past due.</summary>
    public static bool HasOverdue(CreditAccount account, DateOnly today, int graceDays) =>
        account.OldestOpenDueOn is { } oldest && oldest.AddDays(graceDays) < today;
}
