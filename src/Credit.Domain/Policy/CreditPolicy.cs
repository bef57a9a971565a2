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

    /// <summary>Rules a policy may set to block, warn or off. NO_CREDIT and ACCOUNT_ON_HOLD always block.</summary>
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

    public static CreditPolicy Default { get; } = new();

    public RuleMode ModeOf(string code) =>
        code is ReasonCodes.NoCredit or ReasonCodes.AccountOnHold ? RuleMode.Block
            : Rules.TryGetValue(code, out var mode) ? mode : RuleMode.Block;
}

/// <summary>A customer group's limits and, for a shared pool, the members' combined exposure now.</summary>
public sealed record GroupPosition(string GroupId, decimal? DefaultCreditLimit, decimal? SharedCreditLimit, decimal Exposure);
