using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Invoicing;
using Credit.Domain.Policy;
using static Credit.Domain.Policy.ReasonCodes;
using static Credit.Domain.Tests.DecisionKit;

namespace Credit.Domain.Tests;

/// <summary>The contract's "Invoices" section: converting an order, and the controller's override.</summary>
public class InvoiceAgainstOrderTests
{
    // ---------------------------------------------------------------- only the excess above the order is checked

    public static TheoryData<string, OrderStatus, decimal, string[]> AgainstOrder => new()
    {
        // currency, order status, invoice amount, reasons; limit 1000, order 800, nothing else outstanding
        { "SAR", OrderStatus.Approved, 800m, [] },
        { "SAR", OrderStatus.Approved, 500m, [] },
        { "SAR", OrderStatus.Approved, 1000m, [] },
        { "SAR", OrderStatus.Approved, 1000.01m, [CreditLimitExceeded] },   // excess 200.01 + exposure 800 > 1000
        { "SAR", OrderStatus.Released, 800m, [] },
        { "SAR", OrderStatus.Released, 1000m, [] },
        { "SAR", OrderStatus.Released, 1000.01m, [CreditLimitExceeded] },
        { "KWD", OrderStatus.Approved, 1000m, [] },
        { "KWD", OrderStatus.Approved, 1000.001m, [CreditLimitExceeded] },
    };

    [Theory, MemberData(nameof(AgainstOrder))]
    public void Against_an_approved_or_released_order_only_the_amount_above_it_is_new_credit(
        string currency, OrderStatus status, decimal amount, string[] reasons)
    {
        var account = CreditAccount.From([Opened(currency: currency), Limit(1000m), .. OrderIn(status, "O1", 800m)]);
        account.Exposure.ShouldBe(800m);

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I1", amount, orderId: "O1"), Context());

        if (reasons.Length == 0)
        {
            var issued = outcome.Issued();
            issued.OrderId.ShouldBe("O1");
            issued.Amount.ShouldBe(amount);
            issued.Warnings.ShouldBeEmpty();
            issued.Override.ShouldBeNull();

            // The order's exposure is converted, not added: the invoice replaces it.
            account.Then(outcome);
            account.Orders["O1"].Status.ShouldBe(OrderStatus.Invoiced);
            account.OpenOrders.ShouldBe(0m);
            account.Outstanding.ShouldBe(amount);
            account.Exposure.ShouldBe(amount);
        }
        else
        {
            var decision = outcome.Refused();
            decision.ShouldDecide(reasons, None);
            decision.Exposure.ShouldBe(800m);
            decision.Limit.ShouldBe(1000m);
            decision.Available.ShouldBe(200m);
            account.Orders["O1"].Status.ShouldBe(status);
        }
    }

    [Fact]
    public void Without_the_order_id_the_invoice_is_checked_in_full_on_top_of_the_order()
    {
        var account = Account(Limit(1000m), Approved("O1", 800m));

        InvoiceDecisions.Issue(account, IssueCmd("I1", 200m), Context()).Issued().OrderId.ShouldBeNull();
        var decision = InvoiceDecisions.Issue(account, IssueCmd("I1", 200.01m), Context()).Refused();

        decision.ShouldDecide([CreditLimitExceeded], None);
        decision.Exposure.ShouldBe(800m);
        decision.Available.ShouldBe(200m);
    }

    [Fact]
    public void After_conversion_the_freed_room_is_exactly_the_limit_less_the_invoice()
    {
        var account = Account(Limit(1000m), Approved("O1", 800m), Approved("O2", 100m));
        account.Then(InvoiceDecisions.Issue(account, IssueCmd("I1", 800m, orderId: "O1"), Context()));

        account.Orders["O1"].Status.ShouldBe(OrderStatus.Invoiced);
        account.Orders["O2"].Status.ShouldBe(OrderStatus.Approved);
        account.Exposure.ShouldBe(900m);
        InvoiceDecisions.Issue(account, IssueCmd("I2", 100m), Context()).Issued().Amount.ShouldBe(100m);
        InvoiceDecisions.Issue(account, IssueCmd("I2", 100.01m), Context()).Refused().ShouldDecide([CreditLimitExceeded], None);
    }

    [Fact]
    public void The_excess_is_checked_against_the_group_pool_too()
    {
        var account = CreditAccount.From(Opened(group: "G1"), Limit(5000m), Approved("O1", 800m));
        var ctx = Context(group: new GroupPosition("G1", null, 1000m, account.Exposure));

        InvoiceDecisions.Issue(account, IssueCmd("I1", 1000m, orderId: "O1"), ctx).Issued().OrderId.ShouldBe("O1");
        InvoiceDecisions.Issue(account, IssueCmd("I1", 1000.01m, orderId: "O1"), ctx).Refused().ShouldDecide([GroupLimitExceeded], None);
    }

    [Fact]
    public void With_no_excess_an_account_on_hold_still_stops_the_invoice()
    {
        var account = Account(Limit(1000m), Approved("O1", 800m), new AccountHeld("cheque bounced"));

        var decision = InvoiceDecisions.Issue(account, IssueCmd("I1", 800m, orderId: "O1"), Context()).Refused();

        decision.ShouldDecide([AccountOnHold], None);
    }

    [Fact]
    public void With_an_excess_every_rule_applies_to_it()
    {
        var account = Account(Limit(10_000m), Approved("O1", 800m), Invoice("OLD", 100m, -5));

        var decision = InvoiceDecisions.Issue(account, IssueCmd("I1", 800.01m, orderId: "O1"), Context()).Refused();

        decision.ShouldDecide([OverdueInvoices], None);
        decision.Exposure.ShouldBe(900m);
    }

    [Fact]
    public void A_bypass_customers_order_never_counted_so_its_invoice_is_checked_in_full()
    {
        var account = CreditAccount.From(Opened(bypass: true), Limit(1000m), Invoice("I0", 300m), Approved("O1", 800m));
        account.Exposure.ShouldBe(300m);

        var refused = InvoiceDecisions.Issue(account, IssueCmd("I1", 800m, orderId: "O1"), Context()).Refused();
        refused.ShouldDecide([CreditLimitExceeded], None);
        refused.Exposure.ShouldBe(300m);
        refused.Available.ShouldBe(700m);

        var issued = InvoiceDecisions.Issue(account, IssueCmd("I1", 700m, orderId: "O1"), Context());
        issued.Issued().OrderId.ShouldBe("O1");
        account.Then(issued).Exposure.ShouldBe(1000m);
        account.Orders["O1"].Status.ShouldBe(OrderStatus.Invoiced);
    }

    // ---------------------------------------------------------------- orders that cannot be invoiced

    [Theory]
    [InlineData(OrderStatus.Held, null)]
    [InlineData(OrderStatus.Rejected, null)]
    [InlineData(OrderStatus.Cancelled, null)]
    [InlineData(OrderStatus.Invoiced, null)]
    [InlineData(OrderStatus.Held, "carol")]
    [InlineData(OrderStatus.Cancelled, "carol")]
    public void Only_an_approved_or_released_order_can_be_invoiced(OrderStatus status, string? overrideBy)
    {
        var account = Account([Limit(10_000m), .. OrderIn(status, "O1", 800m)]);

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I1", 800m, orderId: "O1", overrideBy: overrideBy, overrideReason: "urgent"), Context());

        outcome.IsAccepted.ShouldBeFalse();
        outcome.Events.ShouldBeEmpty();
        outcome.Rejection!.Kind.ShouldBe(RejectionKind.InvalidState);
        outcome.Rejection.Code.ShouldBe(ErrorCodes.InvalidState);
        outcome.Rejection.Decision.ShouldBeNull();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("carol")]
    public void An_unknown_order_is_not_found(string? overrideBy)
    {
        var account = Account(Limit(10_000m), Approved("O1", 800m));

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I1", 800m, orderId: "O2", overrideBy: overrideBy), Context());

        outcome.Events.ShouldBeEmpty();
        outcome.Rejection!.Kind.ShouldBe(RejectionKind.NotFound);
        outcome.Rejection.Code.ShouldBe(ErrorCodes.OrderNotFound);
    }

    // ---------------------------------------------------------------- the controller's override

    [Fact]
    public void A_refusal_without_override_carries_the_decision()
    {
        var account = Account(Limit(1000m), Invoice("OLD", 900m, -30));

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I1", 500m), Context());

        var decision = outcome.Refused();
        decision.ShouldDecide([CreditLimitExceeded, OverdueInvoices], None);
        decision.Exposure.ShouldBe(900m);
        decision.Limit.ShouldBe(1000m);
        decision.Available.ShouldBe(100m);
        decision.LimitSource.ShouldBe(LimitSource.Customer);
    }

    [Fact]
    public void An_override_issues_despite_the_refusal_and_records_the_overridden_reasons()
    {
        var account = Account(Limit(1000m), Invoice("OLD", 900m, -30));

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I1", 500m, overrideBy: "carol", overrideReason: "VIP, paying Monday"), Context());

        var issued = outcome.Issued();
        issued.Amount.ShouldBe(500m);
        issued.Warnings.ShouldBeEmpty();
        var creditOverride = issued.Override.ShouldNotBeNull();
        creditOverride.By.ShouldBe("carol");
        creditOverride.Reason.ShouldBe("VIP, paying Monday");
        creditOverride.OverriddenReasons.ShouldBe([CreditLimitExceeded, OverdueInvoices], ignoreOrder: true);
        EventReasons.Of(issued).ShouldBe("VIP, paying Monday");
        outcome.Result!.InvoiceId.ShouldBe("I1");

        account.Then(outcome).Exposure.ShouldBe(1400m);
    }

    [Fact]
    public void An_override_keeps_warnings_apart_from_the_overridden_reasons()
    {
        var account = Account(Limit(1000m), Invoice("OLD", 900m, -30));
        var ctx = Context(CreditPolicy.Default.WithModes((OverdueInvoices, RuleMode.Warn)));

        var issued = InvoiceDecisions.Issue(account, IssueCmd("I1", 500m, overrideBy: "carol", overrideReason: "ok"), ctx).Issued();

        issued.Override!.OverriddenReasons.ShouldBe([CreditLimitExceeded]);
        issued.Warnings.ShouldBe([OverdueInvoices]);
    }

    [Fact]
    public void An_override_also_beats_a_hold_and_no_credit()
    {
        var account = Account(Limit(0m), new AccountHeld("cheque bounced"));

        var issued = InvoiceDecisions.Issue(account, IssueCmd("I1", 10m, overrideBy: "carol", overrideReason: "cash on delivery"), Context()).Issued();

        issued.Override!.OverriddenReasons.ShouldBe([AccountOnHold, NoCredit], ignoreOrder: true);
    }

    /// <summary>The command had a reason, so the record keeps it ("where the command has one, the reason text"), with
    /// nothing overridden; an invoice issued without asking has no override.</summary>
    [Fact]
    public void An_override_on_an_invoice_that_passes_keeps_its_reason_and_overrides_nothing()
    {
        var account = Account(Limit(1000m));

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I1", 1000m, overrideBy: "carol", overrideReason: "just in case"), Context());

        var issued = outcome.Issued();
        issued.Override.ShouldBe(new CreditOverride("just in case", "carol", []), new OverrideComparer());
        EventReasons.Of(issued).ShouldBe("just in case");
        outcome.Result!.Overridden.ShouldBeEmpty();
        InvoiceDecisions.Issue(account, IssueCmd("I2", 10m), Context()).Issued().Override.ShouldBeNull();
    }

    private sealed class OverrideComparer : IEqualityComparer<CreditOverride?>
    {
        public bool Equals(CreditOverride? x, CreditOverride? y) =>
            x?.Reason == y?.Reason && x?.By == y?.By && (x?.OverriddenReasons ?? []).SequenceEqual(y?.OverriddenReasons ?? []);

        public int GetHashCode(CreditOverride? o) => 0;
    }

    [Fact]
    public void A_warning_alone_issues_without_override_and_travels_with_the_invoice()
    {
        var account = Account(Limit(1000m), Invoice("OLD", 900m, -30));
        var ctx = Context(CreditPolicy.Default.WithModes((OverdueInvoices, RuleMode.Warn)));

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I1", 100m), ctx);

        var issued = outcome.Issued();
        issued.Override.ShouldBeNull();
        issued.Warnings.ShouldBe([OverdueInvoices]);
        outcome.Result!.Warnings.ShouldBe([OverdueInvoices]);
        account.Then(outcome).Receivables["I1"].Warnings.ShouldBe([OverdueInvoices]);
    }
}
