using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Invoicing;
using Credit.Domain.Orders;
using Credit.Domain.Policy;

namespace Credit.Domain.Tests;

/// <summary>
/// Small builders for the decision-table tests: accounts are always folded from events (as the event store does),
/// rule modes and payment terms are written as short strings so theory rows stay primitive and serializable.
/// </summary>
public static class DecisionKit
{
    public static DateOnly Today => Accounts.Today;

    public static DateOnly Day(int offsetFromToday) => Today.AddDays(offsetFromToday);

    public static AccountOpened Opened(string? group = null, bool bypass = false, string currency = "SAR") =>
        new("C1", Accounts.Profile(group, bypass, currency));

    public static LimitSet Limit(decimal? amount, DateOnly? expiresOn = null) => new(amount, false, expiresOn, null);

    public static LimitSet UnlimitedLimit() => new(null, true, null, null);

    /// <summary>An account with the default SAR profile and the given events after AccountOpened.</summary>
    public static CreditAccount Account(params object[] events) => CreditAccount.From([Opened(), .. events]);

    public static InvoiceIssued Invoice(string id, decimal amount, int dueOffset = 30, string? order = null) =>
        Accounts.Invoice(id, amount, Today.AddDays(Math.Min(dueOffset, 0) - 30), Day(dueOffset), order);

    public static InvoiceIssued InstallmentInvoice(string id, params (int DueOffset, decimal Amount)[] installments)
    {
        var list = installments.Select(x => new Installment(Day(x.DueOffset), x.Amount)).ToList();
        return new InvoiceIssued(id, list.Sum(x => x.Amount), Day(-60), list[^1].DueOn, list, null, [], null, "fp-" + id);
    }

    public static PaymentReceived Paid(string paymentId, string documentId, decimal amount, int installment = 1, decimal unapplied = 0m) =>
        new(paymentId, amount + unapplied, Today, [new Settlement(documentId, installment, amount)], unapplied, "fp-" + paymentId);

    public static OrderApproved Approved(string id, decimal amount, PaymentTerms? terms = null) =>
        new(id, amount, Today, terms, [], "fp-" + id);

    public static OrderHeld Held(string id, decimal amount, params string[] reasons) =>
        new(id, amount, Today, null, reasons, [], "fp-" + id);

    /// <summary>The events that bring a freshly placed order of <paramref name="amount"/> into <paramref name="status"/>.</summary>
    public static object[] OrderIn(OrderStatus status, string id, decimal amount) => status switch
    {
        OrderStatus.Approved => [Approved(id, amount)],
        OrderStatus.Held => [Held(id, amount, ReasonCodes.CreditLimitExceeded)],
        OrderStatus.Released => [Held(id, amount, ReasonCodes.CreditLimitExceeded), new HoldReleased(id, "ok", "boss")],
        OrderStatus.Rejected => [Held(id, amount, ReasonCodes.CreditLimitExceeded), new OrderRejected(id, "no")],
        OrderStatus.Cancelled => [Approved(id, amount), new OrderCancelled(id, "changed mind")],
        OrderStatus.Invoiced => [Approved(id, amount), Accounts.Invoice("INV-" + id, amount, order: id)],
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    /// <summary>"days:30", "months:2", "eom:15"; empty or null = no terms.</summary>
    public static PaymentTerms? Terms(string? spec)
    {
        if (string.IsNullOrEmpty(spec)) return null;
        var parts = spec.Split(':');
        var n = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        return parts[0] switch
        {
            "days" => new PaymentTerms(Days: n),
            "months" => new PaymentTerms(Months: n),
            "eom" => new PaymentTerms(EndOfMonthPlusDays: n),
            _ => throw new ArgumentException(spec, nameof(spec)),
        };
    }

    public static CreditPolicy PolicyOf(decimal? defaultLimit = null, int graceDays = 0, decimal? reviewThreshold = null) =>
        CreditPolicy.Default with { DefaultCreditLimit = defaultLimit, GraceDays = graceDays, OrderReviewThreshold = reviewThreshold };

    /// <summary>The default policy with the given codes set to a mode (any code may be put in the map, even fixed ones).</summary>
    public static CreditPolicy WithModes(this CreditPolicy policy, params (string Code, RuleMode Mode)[] modes)
    {
        var rules = policy.Rules.ToDictionary(x => x.Key, x => x.Value);
        foreach (var (code, mode) in modes) rules[code] = mode;
        return policy with { Rules = rules };
    }

    public static CreditPolicy AllRules(RuleMode mode, params string[] alsoFixed) =>
        CreditPolicy.Default.WithModes([.. ReasonCodes.Configurable.Concat(alsoFixed).Select(c => (c, mode))]);

    public static CreditDecision DecideInvoice(CreditAccount account, decimal amount, CreditPolicy? policy = null, GroupPosition? group = null) =>
        CreditRules.Decide(account, policy ?? CreditPolicy.Default, group, new CreditRequest(DocumentKind.Invoice, amount, Today), Today);

    public static CreditDecision DecideOrder(CreditAccount account, decimal amount, CreditPolicy? policy = null, GroupPosition? group = null, PaymentTerms? terms = null) =>
        CreditRules.Decide(account, policy ?? CreditPolicy.Default, group, new CreditRequest(DocumentKind.Order, amount, Today, terms), Today);

    public static CreditContext Context(CreditPolicy? policy = null, GroupPosition? group = null) =>
        new(policy ?? CreditPolicy.Default, group, Today);

    public static PlaceOrder Order(string id, decimal amount, PaymentTerms? terms = null) =>
        new(id, amount, Today, terms, "fp-" + id);

    public static IssueInvoice IssueCmd(string id, decimal amount, string? orderId = null, string? overrideBy = null, string? overrideReason = null) =>
        new(id, amount, Today, orderId, null, null, overrideReason, overrideBy, "fp-" + id);

    /// <summary>Asserts the exact outcome of a decision: allowed iff no reasons, and the exact reason and warning lists.</summary>
    public static void ShouldDecide(this CreditDecision decision, string[] reasons, string[] warnings)
    {
        decision.Reasons.ShouldBe(reasons, ignoreOrder: true);
        decision.Warnings.ShouldBe(warnings, ignoreOrder: true);
        decision.Allowed.ShouldBe(reasons.Length == 0);
    }

    public static T EventOf<T>(this Outcome<OrderResult> outcome) => outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<T>();

    public static InvoiceIssued Issued(this Outcome<InvoiceResult> outcome)
    {
        outcome.Rejection.ShouldBeNull();
        return outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<InvoiceIssued>();
    }

    public static CreditDecision Refused(this Outcome<InvoiceResult> outcome)
    {
        outcome.IsAccepted.ShouldBeFalse();
        outcome.Events.ShouldBeEmpty();
        outcome.Rejection!.Kind.ShouldBe(RejectionKind.Refused);
        outcome.Rejection.Code.ShouldBe(ErrorCodes.CreditRefused);
        return outcome.Rejection.Decision.ShouldNotBeNull();
    }

    /// <summary>Applies a decision's events to the account, as the store would after appending them.</summary>
    public static CreditAccount Then<T>(this CreditAccount account, Outcome<T> outcome)
    {
        foreach (var e in outcome.Events) account.ApplyEvent(e);
        return account;
    }

    public static string[] None => [];

    /// <summary>The outcome records, for a still-held order, exactly these rules as the ones holding it now.</summary>
    public static void ShouldRecordReasonsNow<T>(this Outcome<T> outcome, string orderId, params string[] reasons) =>
        outcome.Events.OfType<HoldReasonsChanged>().Where(e => e.OrderId == orderId).ShouldHaveSingleItem().Reasons.ShouldBe(reasons, ignoreOrder: true);
}
