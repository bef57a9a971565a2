namespace Credit.Domain.Policy;

public enum RuleMode { Block, Warn, Off }

/// <summary>Stable reason codes: integrators switch on these.</summary>
public static class ReasonCodes
{
    public const string NoCredit = "NO_CREDIT";
    public const string CreditLimitExceeded = "CREDIT_LIMIT_EXCEEDED";
    public const string GroupLimitExceeded = "GROUP_LIMIT_EXCEEDED";
    public const string OverdueInvoices = "OVERDUE_INVOICES";
    public const string LimitExpired = "LIMIT_EXPIRED";
    public const string AccountOnHold = "ACCOUNT_ON_HOLD";
    public const string OrderValueReview = "ORDER_VALUE_REVIEW";
    public const string PaymentTermsExtended = "PAYMENT_TERMS_EXTENDED";
    /// <summary>A limit or pool in the company's currency cannot be applied to a customer in a currency without a rate.</summary>
    public const string ExchangeRateMissing = "EXCHANGE_RATE_MISSING";

    /// <summary>Rules no policy can soften: they always block.</summary>
    public static readonly IReadOnlyList<string> AlwaysBlocking = [NoCredit, AccountOnHold, ExchangeRateMissing];

    /// <summary>Rules a policy may set to block, warn or off.</summary>
    public static readonly IReadOnlyList<string> Configurable =
        [OverdueInvoices, LimitExpired, OrderValueReview, PaymentTermsExtended, GroupLimitExceeded, CreditLimitExceeded];
}

/// <summary>Company-wide credit settings (the bottom of the limit hierarchy).</summary>
public sealed record CreditPolicy
{
    public decimal? DefaultCreditLimit { get; init; }
    public int GraceDays { get; init; }
    public decimal? OrderReviewThreshold { get; init; }
    public int ReminderDaysBefore { get; init; } = 3;
    public IReadOnlyList<int> AgingBuckets { get; init; } = [30, 60, 90];
    public IReadOnlyList<int> DsoWindowsMonths { get; init; } = [3, 12];
    public string Currency { get; init; } = Money.Currency.Default;
    public IReadOnlyDictionary<string, RuleMode> Rules { get; init; } =
        ReasonCodes.Configurable.ToDictionary(c => c, _ => RuleMode.Block);

    /// <summary>
    /// Units of the company currency one unit of another currency is worth ("KWD": 12.25 with SAR): group and company
    /// limits are in the company currency, so a customer in another currency inherits them, and counts in a pool,
    /// only through its rate.
    /// </summary>
    public IReadOnlyDictionary<string, decimal> ExchangeRates { get; init; } = new Dictionary<string, decimal>();

    /// <summary>An amount in the customer's currency in the company's, exact (no rounding, so pool sums add up); null without a rate.</summary>
    public decimal? ToCompanyCurrency(decimal amount, string currency) =>
        currency == Currency || amount == 0m ? amount
            : ExchangeRates.TryGetValue(currency, out var rate) ? amount * rate : null;

    /// <summary>
    /// A company-currency limit in the customer's currency, rounded down to its minor unit so the conversion never
    /// grants more than the limit; null without a rate.
    /// </summary>
    public decimal? LimitInCurrency(decimal limit, string currency)
    {
        if (currency == Currency || limit == 0m) return limit;
        if (!ExchangeRates.TryGetValue(currency, out var rate)) return null;
        var unit = Money.Currency.MinorUnit(currency);
        return Math.Floor(limit / rate / unit) * unit;
    }

    public static CreditPolicy Default { get; } = new();

    /// <summary>
    /// Whether going from <paramref name="before"/> to this policy may give a customer more credit: a higher company
    /// default (or none: unlimited), another currency, or a new or changed rate (fewer company units per unit convert a
    /// company limit into more of a customer's currency; more give a pool more room from a member in credit). Only that
    /// re-checks held orders, like any raised limit; a lower
    /// limit, a rule switched to warn or off, more grace days or a higher review threshold apply to the documents decided
    /// from then on, and what is held waits for a controller (or for the position to improve).
    /// </summary>
    public bool MayRaiseLimits(CreditPolicy before) => MayRaiseEveryLimit(before) || ChangedRates(before).Count > 0;

    /// <summary>A higher company default (or none) or another currency: every customer's inherited limit may be more.</summary>
    public bool MayRaiseEveryLimit(CreditPolicy before) =>
        (before.DefaultCreditLimit is { } was && (DefaultCreditLimit is not { } now || now > was)) || Currency != before.Currency;

    /// <summary>
    /// The currencies whose rate is new or changed: a lower one converts an inherited limit to more, a higher one gives a
    /// pool more room from a member in credit (its negative exposure weighs more). Only customers in them, and pools with
    /// such a member, may gain.
    /// </summary>
    public IReadOnlySet<string> ChangedRates(CreditPolicy before) => RatesNewOr(before, (now, was) => now != was);

    /// <summary>The currencies whose rate is new or lower: an order in one converts to less against the review threshold.</summary>
    public IReadOnlySet<string> LoweredRates(CreditPolicy before) => RatesNewOr(before, (now, was) => now < was);

    private HashSet<string> RatesNewOr(CreditPolicy before, Func<decimal, decimal, bool> moved) =>
        ExchangeRates.Where(r => !before.ExchangeRates.TryGetValue(r.Key, out var was) || moved(r.Value, was)).Select(r => r.Key).ToHashSet();

    /// <summary>The same settings (the record's own equality compares its lists and maps by reference).</summary>
    public bool SameAs(CreditPolicy other) =>
        DefaultCreditLimit == other.DefaultCreditLimit && GraceDays == other.GraceDays && OrderReviewThreshold == other.OrderReviewThreshold
        && ReminderDaysBefore == other.ReminderDaysBefore && Currency == other.Currency
        && AgingBuckets.SequenceEqual(other.AgingBuckets) && DsoWindowsMonths.SequenceEqual(other.DsoWindowsMonths)
        && ReasonCodes.Configurable.All(c => ModeOf(c) == other.ModeOf(c))
        && ExchangeRates.Count == other.ExchangeRates.Count
        && ExchangeRates.All(r => other.ExchangeRates.TryGetValue(r.Key, out var rate) && rate == r.Value);

    /// <summary>Whether every credit decision comes out the same under both: they differ at most in what only reports read
    /// (aging buckets, DSO windows).</summary>
    public bool DecidesAs(CreditPolicy other) => SameAs(other with { AgingBuckets = AgingBuckets, DsoWindowsMonths = DsoWindowsMonths });

    public RuleMode ModeOf(string code) =>
        ReasonCodes.AlwaysBlocking.Contains(code) ? RuleMode.Block
            : Rules.TryGetValue(code, out var mode) ? mode : RuleMode.Block;
}

/// <summary>
/// A customer group's limits (company currency) and, for a shared pool, the members' combined exposure now in the
/// company currency; <paramref name="UnratedCurrency"/> names a member's currency without a rate, which leaves the pool
/// unknowable.
/// </summary>
public sealed record GroupPosition(string GroupId, decimal? DefaultCreditLimit, decimal? SharedCreditLimit, decimal Exposure,
    string? UnratedCurrency = null);
