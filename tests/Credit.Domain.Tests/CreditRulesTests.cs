using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Invoicing;
using Credit.Domain.Payments;
using Credit.Domain.Policy;
using static Credit.Domain.Tests.Accounts;

namespace Credit.Domain.Tests;

public class CreditRulesTests
{
    private static CreditDecision Invoice(CreditAccount account, decimal amount, CreditPolicy? policy = null, GroupPosition? group = null) =>
        CreditRules.Decide(account, policy ?? CreditPolicy.Default, group, new CreditRequest(DocumentKind.Invoice, amount, Today), Today);

    [Theory]
    [InlineData(10000, 0, 10000, true)]       // exactly at the limit passes
    [InlineData(10000, 0, 10000.01, false)]   // a cent over fails
    [InlineData(10000, 1725, 8275, true)]
    [InlineData(10000, 1725, 8275.01, false)]
    [InlineData(10000, 1725, 13800, false)]
    public void Refuses_only_when_exposure_would_exceed_the_limit(decimal limit, decimal existing, decimal amount, bool allowed)
    {
        var account = existing > 0 ? With(limit, Accounts.Invoice("I0", existing)) : With(limit);
        var decision = Invoice(account, amount);
        decision.Allowed.ShouldBe(allowed);
        if (!allowed) decision.Reasons.ShouldBe([ReasonCodes.CreditLimitExceeded]);
    }

    [Fact]
    public void An_overdue_refusal_says_how_much_is_past_due_beyond_grace_and_since_when()
    {
        // Past due: an invoice 20 days, the first installment of a plan 5 days; the plan's second is not due yet, and a third
        // invoice is 2 days late, inside 3 grace days.
        var account = With(100000m,
            Accounts.Invoice("OLD", 1000m, new DateOnly(2026, 10, 1), new DateOnly(2026, 11, 3)),
            new InvoiceIssued("PLAN", 600m, new DateOnly(2026, 10, 1), new DateOnly(2026, 12, 18),
                [new Installment(new DateOnly(2026, 11, 18), 300m), new Installment(new DateOnly(2026, 12, 18), 300m)], null, [], null, "fp-PLAN"),
            Accounts.Invoice("RECENT", 50m, new DateOnly(2026, 10, 21), new DateOnly(2026, 11, 21)),
            new PaymentReceived("P1", 400m, Today, [new Settlement("OLD", 1, 400m)], 0m, "fp-P1"));
        var decision = Invoice(account, 10m, CreditPolicy.Default with { GraceDays = 3 });
        decision.Reasons.ShouldBe([ReasonCodes.OverdueInvoices]);
        decision.Overdue.ShouldBe(new OverdueFigures(600m + 300m, 2, new DateOnly(2026, 11, 3), 20));

        // Within grace everything: neither the reason nor the figures.
        var lenient = Invoice(account, 10m, CreditPolicy.Default with { GraceDays = 30 });
        (lenient.Allowed, lenient.Overdue).ShouldBe((true, null));
        CreditRules.OverdueOf(With(null), Today, 0).ShouldBeNull();
    }

    [Fact]
    public void Daftra_example_reports_exposure_limit_and_available()
    {
        var account = With(10000m, Accounts.Invoice("INV-1", 1725m));
        var decision = Invoice(account, 13800m);
        decision.Allowed.ShouldBeFalse();
        decision.Reasons.ShouldBe([ReasonCodes.CreditLimitExceeded]);
        decision.Exposure.ShouldBe(1725m);
        decision.Limit.ShouldBe(10000m);
        decision.Available.ShouldBe(8275m);
        decision.LimitSource.ShouldBe(LimitSource.Customer);
    }

    [Fact]
    public void A_limit_of_zero_means_no_credit_at_all()
    {
        var decision = Invoice(With(0m), 0.01m);
        decision.Allowed.ShouldBeFalse();
        decision.Reasons.ShouldBe([ReasonCodes.NoCredit]);
    }

    [Theory]
    [InlineData(100, true)]      // the deposit covers it: no credit extended
    [InlineData(100.01, false)]  // a halala of credit is credit
    public void A_cash_only_customer_is_invoiced_against_what_it_paid_in_advance(decimal amount, bool allowed)
    {
        var deposit = new PaymentReceived("DEP", 100m, Today, [], 100m, "fp-dep");
        var decision = Invoice(With(0m, deposit), amount);
        decision.Allowed.ShouldBe(allowed);
        decision.Reasons.ShouldBe(allowed ? [] : [ReasonCodes.NoCredit]);
    }

    [Fact]
    public void No_limit_at_any_level_is_unlimited()
    {
        var decision = Invoice(With(null), 999_999_999m);
        decision.Allowed.ShouldBeTrue();
        decision.Limit.ShouldBeNull();
        decision.Available.ShouldBeNull();
        decision.LimitSource.ShouldBe(LimitSource.None);
    }

    [Theory]
    [InlineData(null, null, 500, 500, "Company")]
    [InlineData(null, 700, 500, 700, "Group")]
    [InlineData(900, 700, 500, 900, "Customer")]
    [InlineData(0, 700, 500, 0, "Customer")]
    public void The_limit_falls_back_customer_then_group_then_company(int? own, int? group, int? company, int expected, string source)
    {
        var account = CreditAccount.From(new AccountOpened("C1", Profile("G1")), new LimitSet(own, false, null, null));
        var policy = CreditPolicy.Default with { DefaultCreditLimit = company };
        var position = new GroupPosition("G1", group, null, 0m);
        var limit = CreditRules.EffectiveLimitOf(account, position, policy);
        limit.Amount.ShouldBe(expected);
        limit.Source.ToString().ShouldBe(source);
    }

    [Fact]
    public void Unlimited_credit_wins_over_every_level()
    {
        var account = CreditAccount.From(new AccountOpened("C1", Profile()), new LimitSet(null, true, null, null));
        var decision = Invoice(account, 5_000_000m, CreditPolicy.Default with { DefaultCreditLimit = 0 });
        decision.Allowed.ShouldBeTrue();
        decision.Limit.ShouldBeNull();
    }

    [Fact]
    public void Every_failing_rule_is_reported()
    {
        var account = With(1000m, Accounts.Invoice("OLD", 900m, Today.AddDays(-60), Today.AddDays(-30)), new AccountHeld("cheque bounced"));
        var decision = Invoice(account, 500m);
        decision.Reasons.ShouldBe([ReasonCodes.AccountOnHold, ReasonCodes.CreditLimitExceeded, ReasonCodes.OverdueInvoices], ignoreOrder: true);
    }

    [Fact]
    public void Payments_free_the_limit_oldest_due_first()
    {
        var account = With(10000m, Accounts.Invoice("A", 1000m, Today.AddDays(-10), Today.AddDays(5)), Accounts.Invoice("B", 500m, Today.AddDays(-20), Today.AddDays(1)));
        var outcome = PaymentDecisions.Receive(account, new ReceivePayment("P1", 700m, Today, null, "fp"));
        outcome.IsAccepted.ShouldBeTrue();
        outcome.Result!.Allocations.ShouldBe([new InvoiceAllocation("B", 500m), new InvoiceAllocation("A", 200m)]);
        outcome.Result.Unapplied.ShouldBe(0m);
        account.ApplyEvent((PaymentReceived)outcome.Events.Single());
        account.Outstanding.ShouldBe(800m);
    }

    [Fact]
    public void Overpayment_stays_as_unapplied_credit_and_lowers_exposure()
    {
        var account = With(10000m, Accounts.Invoice("A", 100m));
        var outcome = PaymentDecisions.Receive(account, new ReceivePayment("P1", 250m, Today, null, "fp"));
        outcome.Result!.Unapplied.ShouldBe(150m);
        account.ApplyEvent((PaymentReceived)outcome.Events.Single());
        account.Outstanding.ShouldBe(-150m);
        Invoice(account, 10150m).Allowed.ShouldBeTrue();
        Invoice(account, 10150.01m).Allowed.ShouldBeFalse();
    }

    [Fact]
    public void Same_invoice_id_and_body_repeats_the_result_without_events_other_body_is_a_duplicate()
    {
        var account = With(10000m, Accounts.Invoice("A", 100m));
        var context = new CreditContext(CreditPolicy.Default, null, Today);
        var repeat = InvoiceDecisions.Issue(account, new IssueInvoice("A", 100m, Today, null, null, null, null, null, "fp-A"), context);
        repeat.IsAccepted.ShouldBeTrue();
        repeat.Events.ShouldBeEmpty();
        var other = InvoiceDecisions.Issue(account, new IssueInvoice("A", 200m, Today, null, null, null, null, null, "fp-other"), context);
        other.Rejection!.Code.ShouldBe(ErrorCodes.DuplicateId);
    }

    [Fact]
    public void Amounts_finer_than_the_currency_are_refused()
    {
        var account = With(10000m);
        var context = new CreditContext(CreditPolicy.Default, null, Today);
        var outcome = InvoiceDecisions.Issue(account, new IssueInvoice("A", 10.005m, Today, null, null, null, null, null, "fp"), context);
        outcome.Rejection!.Kind.ShouldBe(RejectionKind.Invalid);
    }
}

public class TemporaryGrantTests
{
    [Fact]
    public void Unlimited_credit_with_an_expiry_lapses_after_its_date()
    {
        var account = CreditAccount.From(new AccountOpened("C1", Accounts.Profile()), new LimitSet(null, true, Accounts.Today.AddDays(-1), "season"));
        var decision = CreditRules.Decide(account, CreditPolicy.Default, null, new CreditRequest(DocumentKind.Invoice, 10m, Accounts.Today), Accounts.Today);
        decision.Reasons.ShouldBe([ReasonCodes.LimitExpired]);
    }

    [Fact]
    public void An_invoice_for_an_order_with_its_own_terms_is_due_by_those_terms()
    {
        var account = CreditAccount.From(new AccountOpened("C1", Accounts.Profile()), new PaymentTermsSet(new PaymentTerms(30), null),
            new OrderApproved("SO", 100m, Accounts.Today, new PaymentTerms(45), [], "fp"));
        var outcome = InvoiceDecisions.Issue(account, new IssueInvoice("I", 100m, Accounts.Today, "SO", null, null, null, null, "fp-i"),
            new CreditContext(CreditPolicy.Default, null, Accounts.Today));
        outcome.Result!.DueOn.ShouldBe(Accounts.Today.AddDays(45));
    }
}

public class StandingTests
{
    private static AccountStanding StandingOf(CreditAccount account, CreditPolicy? policy = null) =>
        CreditRules.StandingOf(account, policy ?? CreditPolicy.Default, null, Today);

    [Fact]
    public void Ok_while_the_smallest_credit_invoice_fits()
    {
        var standing = StandingOf(With(1000m, Accounts.Invoice("I1", 999.99m)));
        (standing.Standing, standing.Reasons.Count).ShouldBe((Standing.Ok, 0), "0.01 left");
    }

    [Fact]
    public void Blocked_with_every_reason_once_nothing_is_left_or_an_invoice_is_overdue()
    {
        var full = StandingOf(With(1000m, Accounts.Invoice("I1", 1000m, Today.AddDays(-40), Today.AddDays(-10))));
        full.Standing.ShouldBe(Standing.Blocked);
        full.Reasons.ShouldBe([ReasonCodes.CreditLimitExceeded, ReasonCodes.OverdueInvoices]);
        // A rule a controller turned off blocks nothing.
        StandingOf(With(1000m, Accounts.Invoice("I1", 1000m)), CreditPolicy.Default.WithModes((ReasonCodes.CreditLimitExceeded, RuleMode.Warn)))
            .Standing.ShouldBe(Standing.Ok);
    }

    [Fact]
    public void On_hold_before_blocked_and_a_supplier_only_contact_is_blocked_as_not_a_customer()
    {
        var held = StandingOf(With(1000m, new AccountHeld("review")));
        (held.Standing, held.Reasons.Single()).ShouldBe((Standing.OnHold, ReasonCodes.AccountOnHold));
        var supplier = StandingOf(With(1000m, new ProfileUpdated(Profile() with { Kind = ContactKind.Supplier })));
        (supplier.Standing, supplier.Reasons.Single()).ShouldBe((Standing.Blocked, ErrorCodes.NotACustomer));
    }
}
