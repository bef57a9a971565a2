using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Invoicing;
using Credit.Domain.Orders;
using Credit.Domain.Payments;
using Credit.Domain.Policy;
using static Credit.Domain.Policy.ReasonCodes;
using static Credit.Domain.Tests.DecisionKit;

namespace Credit.Domain.Tests;

/// <summary>The contract's "Orders" section: approval or hold, the order-only rules, bypass, and the hold workflow.</summary>
public class OrderDecisionTests
{
    // ---------------------------------------------------------------- Place

    [Fact]
    public void An_order_that_passes_is_approved_with_its_details()
    {
        var account = Account(Limit(1000m), new PaymentTermsSet(Terms("days:30"), null));

        var outcome = OrderDecisions.Place(account, Order("O1", 1000m, Terms("days:30")), Context());

        outcome.Result!.OrderId.ShouldBe("O1");
        outcome.Result.Status.ShouldBe(OrderStatus.Approved);
        outcome.Result.Amount.ShouldBe(1000m);
        outcome.Result.Reasons.ShouldBeEmpty();
        outcome.Result.Warnings.ShouldBeEmpty();
        var approved = outcome.EventOf<OrderApproved>();
        approved.OrderId.ShouldBe("O1");
        approved.Amount.ShouldBe(1000m);
        approved.OrderedOn.ShouldBe(Today);
        approved.PaymentTerms.ShouldBe(Terms("days:30"));
        approved.Warnings.ShouldBeEmpty();
        approved.Fingerprint.ShouldBe("fp-O1");

        account.Then(outcome).Orders["O1"].Status.ShouldBe(OrderStatus.Approved);
        account.OpenOrders.ShouldBe(1000m);
        account.Exposure.ShouldBe(1000m);
    }

    [Fact]
    public void An_order_that_fails_is_held_with_every_failing_reason()
    {
        var account = CreditAccount.From(
            Opened(group: "G1"),
            Limit(1000m, Day(-1)),
            new PaymentTermsSet(Terms("days:30"), null),
            Invoice("I1", 900m, -10),
            new AccountHeld("cheque bounced"));
        var ctx = Context(PolicyOf(reviewThreshold: 150m), new GroupPosition("G1", null, 1000m, 950m));

        var outcome = OrderDecisions.Place(account, Order("O1", 200m, Terms("months:2")), ctx);

        string[] all = [AccountOnHold, CreditLimitExceeded, GroupLimitExceeded, LimitExpired, OverdueInvoices, OrderValueReview, PaymentTermsExtended];
        outcome.IsAccepted.ShouldBeTrue();
        outcome.Result!.Status.ShouldBe(OrderStatus.Held);
        outcome.Result.Reasons.ShouldBe(all, ignoreOrder: true);
        outcome.Result.Warnings.ShouldBeEmpty();
        var held = outcome.EventOf<OrderHeld>();
        held.Reasons.ShouldBe(all, ignoreOrder: true);
        held.Warnings.ShouldBeEmpty();
        held.Amount.ShouldBe(200m);
        held.PaymentTerms.ShouldBe(Terms("months:2"));

        account.Then(outcome).Orders["O1"].Status.ShouldBe(OrderStatus.Held);
        account.OpenOrders.ShouldBe(0m);
        account.Orders["O1"].Reasons.ShouldBe(all, ignoreOrder: true);
    }

    [Fact]
    public void Warnings_travel_with_the_approved_order()
    {
        var account = Account(Limit(1000m), Invoice("I1", 100m, -3));
        var ctx = Context(CreditPolicy.Default.WithModes((OverdueInvoices, RuleMode.Warn), (CreditLimitExceeded, RuleMode.Warn)));

        var outcome = OrderDecisions.Place(account, Order("O1", 950m), ctx);

        outcome.Result!.Status.ShouldBe(OrderStatus.Approved);
        outcome.Result.Reasons.ShouldBeEmpty();
        outcome.Result.Warnings.ShouldBe([CreditLimitExceeded, OverdueInvoices], ignoreOrder: true);
        outcome.EventOf<OrderApproved>().Warnings.ShouldBe([CreditLimitExceeded, OverdueInvoices], ignoreOrder: true);
    }

    [Fact]
    public void A_held_order_keeps_its_warnings_apart_from_its_reasons()
    {
        var account = Account(Limit(1000m), Invoice("I1", 100m, -3));
        var ctx = Context(CreditPolicy.Default.WithModes((OverdueInvoices, RuleMode.Warn)));

        var outcome = OrderDecisions.Place(account, Order("O1", 900.01m), ctx);

        outcome.Result!.Status.ShouldBe(OrderStatus.Held);
        outcome.Result.Reasons.ShouldBe([CreditLimitExceeded]);
        outcome.Result.Warnings.ShouldBe([OverdueInvoices]);
        var held = outcome.EventOf<OrderHeld>();
        held.Reasons.ShouldBe([CreditLimitExceeded]);
        held.Warnings.ShouldBe([OverdueInvoices]);
        account.Then(outcome).Orders["O1"].Warnings.ShouldBe([OverdueInvoices]);
    }

    [Fact]
    public void Placing_the_same_order_again_repeats_it_a_different_body_is_a_duplicate()
    {
        var account = Account(Limit(1000m));
        var first = OrderDecisions.Place(account, Order("O1", 600m), Context());
        account.Then(first);

        var repeat = OrderDecisions.Place(account, Order("O1", 600m), Context());
        repeat.Events.ShouldBeEmpty();
        repeat.Result!.Status.ShouldBe(OrderStatus.Approved);
        repeat.Result.Amount.ShouldBe(600m);

        var other = OrderDecisions.Place(account, Order("O1", 600m) with { Fingerprint = "other" }, Context());
        other.Events.ShouldBeEmpty();
        other.Rejection!.Kind.ShouldBe(RejectionKind.Duplicate);
        other.Rejection.Code.ShouldBe(ErrorCodes.DuplicateId);
    }

    [Fact]
    public void Placing_an_order_again_answers_as_it_was_placed_whatever_became_of_it()
    {
        var account = Account(Limit(1000m));
        account.Then(OrderDecisions.Place(account, Order("A", 600m), Context()));
        account.Then(OrderDecisions.Place(account, Order("H", 600m), Context())); // over the limit: held
        account.Then(OrderDecisions.Cancel(account, "A", "customer withdrew"));
        account.Then(OrderDecisions.Release(account, "H", "known customer", "boss"));

        var approved = OrderDecisions.Place(account, Order("A", 600m), Context());
        approved.Events.ShouldBeEmpty();
        approved.Result!.Status.ShouldBe(OrderStatus.Approved); // not Cancelled
        approved.Result.Reasons.ShouldBeEmpty();

        var held = OrderDecisions.Place(account, Order("H", 600m), Context());
        held.Events.ShouldBeEmpty();
        held.Result!.Status.ShouldBe(OrderStatus.Held); // not Released
        held.Result.Reasons.ShouldBe([CreditLimitExceeded]);
    }

    // ---------------------------------------------------------------- ORDER_VALUE_REVIEW (orders only)

    [Theory]
    [InlineData(500, 500, false)]
    [InlineData(500, 500.01, true)]
    [InlineData(500, 10_000, true)]
    [InlineData(0, 0.01, true)]
    [InlineData(null, 999_999_999, false)]
    public void Orders_above_the_review_threshold_are_held_invoices_never(int? threshold, double amountValue, bool review)
    {
        var amount = (decimal)amountValue;
        var account = Account(UnlimitedLimit());
        var policy = PolicyOf(reviewThreshold: threshold);

        DecideOrder(account, amount, policy).ShouldDecide(review ? [OrderValueReview] : [], None);
        DecideInvoice(account, amount, policy).ShouldDecide([], None);
        InvoiceDecisions.Issue(account, IssueCmd("I1", amount), Context(policy)).Issued().Warnings.ShouldBeEmpty();
    }

    // ---------------------------------------------------------------- PAYMENT_TERMS_EXTENDED (orders only)

    [Theory]
    [InlineData("days:30", "days:45", true)]
    [InlineData("days:30", "months:2", true)]
    [InlineData("days:30", "days:31", true)]
    [InlineData("days:30", "days:30", false)]
    [InlineData("days:30", "days:15", false)]
    [InlineData("days:30", "", false)]              // no terms on the order: the customer's apply
    [InlineData("days:30", "months:1", false)]      // 23 Nov + 1 month = 23 Dec = 30 days
    [InlineData("months:1", "days:31", true)]
    [InlineData("eom:0", "days:7", false)]          // 30 Nov either way
    [InlineData("eom:0", "days:8", true)]
    [InlineData("days:45", "eom:15", false)]        // 7 Jan vs 15 Dec
    [InlineData("", "days:1", true)]                // customer without terms: due on issue
    [InlineData("", "days:0", false)]
    [InlineData("", "", false)]
    public void Orders_asking_longer_terms_than_the_customers_are_held(string customerTerms, string orderTerms, bool extended)
    {
        var account = Account(UnlimitedLimit(), new PaymentTermsSet(Terms(customerTerms), null));

        var outcome = OrderDecisions.Place(account, Order("O1", 100m, Terms(orderTerms)), Context());

        outcome.Result!.Status.ShouldBe(extended ? OrderStatus.Held : OrderStatus.Approved);
        outcome.Result.Reasons.ShouldBe(extended ? [PaymentTermsExtended] : []);
        outcome.Result.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Payment_terms_are_not_an_invoice_rule()
    {
        var account = Account(UnlimitedLimit(), new PaymentTermsSet(Terms("days:30"), null));
        var decision = CreditRules.Decide(account, CreditPolicy.Default, null,
            new CreditRequest(DocumentKind.Invoice, 100m, Today, Terms("months:6")), Today);
        decision.ShouldDecide([], None);
    }

    // ---------------------------------------------------------------- bypassCreditCheckAtOrder

    public static TheoryData<string, bool, string[]> BypassCases => new()
    {
        // scenario, bypass, reasons when the order is placed
        { "limit 0", false, [NoCredit] },
        { "limit 0", true, [] },
        { "limit exceeded", false, [CreditLimitExceeded] },
        { "limit exceeded", true, [] },
        { "pool exceeded", false, [GroupLimitExceeded] },
        { "pool exceeded", true, [] },
        { "on hold", false, [AccountOnHold] },
        { "on hold", true, [AccountOnHold] },
        { "on hold and limit exceeded", true, [AccountOnHold] },
        // "Neither checked": none of the order's other rules holds it either; the invoice is checked in full.
        { "overdue", false, [OverdueInvoices] },
        { "overdue", true, [] },
        { "limit expired", false, [LimitExpired] },
        { "limit expired", true, [] },
        { "above the review threshold", false, [OrderValueReview] },
        { "above the review threshold", true, [] },
        { "longer terms", false, [PaymentTermsExtended] },
        { "longer terms", true, [] },
    };

    private static (CreditAccount Account, CreditContext Context) BypassScenario(string scenario, bool bypass) => scenario switch
    {
        "limit 0" => (CreditAccount.From(Opened(bypass: bypass), Limit(0m)), Context()),
        "limit exceeded" => (CreditAccount.From(Opened(bypass: bypass), Limit(1000m), Invoice("I1", 900m)), Context()),
        "pool exceeded" => (CreditAccount.From(Opened(group: "G1", bypass: bypass), Limit(10_000m)),
            Context(group: new GroupPosition("G1", null, 1000m, 1000m))),
        "on hold" => (CreditAccount.From(Opened(bypass: bypass), Limit(10_000m), new AccountHeld("fraud check")), Context()),
        "on hold and limit exceeded" => (CreditAccount.From(Opened(bypass: bypass), Limit(0m), new AccountHeld("fraud check")), Context()),
        "overdue" => (CreditAccount.From(Opened(bypass: bypass), Limit(10_000m), Invoice("I1", 100m, -5)), Context()),
        "limit expired" => (CreditAccount.From(Opened(bypass: bypass), Limit(10_000m, Day(-1))), Context()),
        "above the review threshold" => (CreditAccount.From(Opened(bypass: bypass), Limit(10_000m)), Context(PolicyOf(reviewThreshold: 499m))),
        "longer terms" => (CreditAccount.From(Opened(bypass: bypass), Limit(10_000m), new PaymentTermsSet(Terms("days:30"), null)), Context()),
        _ => throw new ArgumentException(scenario),
    };

    [Theory, MemberData(nameof(BypassCases))]
    public void Bypass_customers_orders_skip_every_rule_but_the_hold(string scenario, bool bypass, string[] reasons)
    {
        var (account, ctx) = BypassScenario(scenario, bypass);

        var outcome = OrderDecisions.Place(account, Order("O1", 500m, scenario == "longer terms" ? Terms("days:90") : null), ctx);

        outcome.Result!.Status.ShouldBe(reasons.Length == 0 ? OrderStatus.Approved : OrderStatus.Held);
        outcome.Result.Reasons.ShouldBe(reasons, ignoreOrder: true);
        outcome.Result.Warnings.ShouldBeEmpty();
    }

    [Fact]
    public void Bypass_customers_approved_orders_do_not_count_as_exposure()
    {
        var account = CreditAccount.From(Opened(bypass: true), Limit(1000m), Invoice("I1", 300m));

        account.Then(OrderDecisions.Place(account, Order("O1", 5000m), Context()));

        account.Orders["O1"].Status.ShouldBe(OrderStatus.Approved);
        account.OpenOrders.ShouldBe(0m);
        account.Exposure.ShouldBe(300m);
        DecideInvoice(account, 700m).ShouldDecide([], None);
        DecideInvoice(account, 700.01m).ShouldDecide([CreditLimitExceeded], None);
    }

    public static TheoryData<string, decimal, string[]> BypassInvoices => new()
    {
        { "limit exceeded", 100m, [] },
        { "limit exceeded", 100.01m, [CreditLimitExceeded] },
        { "limit 0", 0.01m, [NoCredit] },
        { "pool exceeded", 0.01m, [GroupLimitExceeded] },
        { "overdue", 1m, [OverdueInvoices] },
        { "limit expired", 1m, [LimitExpired] },
    };

    [Theory, MemberData(nameof(BypassInvoices))]
    public void Bypass_customers_invoices_are_checked_in_full(string scenario, decimal amount, string[] reasons)
    {
        var (account, ctx) = BypassScenario(scenario, bypass: true);

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I9", amount), ctx);

        if (reasons.Length == 0) outcome.Issued().Amount.ShouldBe(amount);
        else outcome.Refused().ShouldDecide(reasons, None);
    }

    private static ProfileUpdated Bypass(bool on) => new(Accounts.Profile(bypass: on));

    [Fact]
    public void An_order_placed_under_the_bypass_stays_uncounted_and_is_checked_in_full_once_the_bypass_is_off()
    {
        var account = CreditAccount.From(Opened(bypass: true), Limit(1000m));
        account.Then(OrderDecisions.Place(account, Order("O1", 5000m), Context()));
        account.ApplyEvent(Bypass(false));

        account.OpenOrders.ShouldBe(0m); // never granted credit, so it does not use any now
        InvoiceDecisions.Issue(account, IssueCmd("I1", 5000m) with { OrderId = "O1" }, Context()).Refused()
            .ShouldDecide([CreditLimitExceeded], None);
        InvoiceDecisions.Issue(account, IssueCmd("I1", 1000m) with { OrderId = "O1" }, Context()).Issued().Amount.ShouldBe(1000m);
    }

    [Fact]
    public void An_order_placed_under_the_check_keeps_counting_once_the_bypass_is_on_and_converts_without_a_new_check()
    {
        var account = CreditAccount.From(Opened(), Limit(1000m));
        account.Then(OrderDecisions.Place(account, Order("O1", 800m), Context()));
        account.ApplyEvent(Bypass(true));

        account.OpenOrders.ShouldBe(800m);
        DecideInvoice(account, 200.01m).ShouldDecide([CreditLimitExceeded], None);
        InvoiceDecisions.Issue(account, IssueCmd("I1", 800m) with { OrderId = "O1" }, Context()).Issued().Amount.ShouldBe(800m);
    }

    [Fact]
    public void Turning_the_bypass_on_does_not_release_orders_held_under_the_check()
    {
        var account = CreditAccount.From(Opened(), Limit(1000m));
        account.Then(OrderDecisions.Place(account, Order("A", 800m), Context()));
        account.Then(OrderDecisions.Place(account, Order("B", 800m), Context()));
        account.Orders["B"].Status.ShouldBe(OrderStatus.Held);
        account.ApplyEvent(Bypass(true));

        // B was refused credit under the check; released now it would count and be invoiced without one.
        OrderDecisions.ReleaseWhatNowPasses(account, Context()).Events.ShouldBeEmpty();
        // A new order is placed under the bypass: neither checked nor counted.
        OrderDecisions.Place(account, Order("C", 5000m), Context()).Result!.Status.ShouldBe(OrderStatus.Approved);
    }

    [Fact]
    public void A_held_order_placed_under_the_bypass_stays_uncounted_when_released()
    {
        var account = CreditAccount.From(Opened(bypass: true), Limit(1000m), new AccountHeld("collections"));
        account.Then(OrderDecisions.Place(account, Order("B1", 900m), Context()));
        account.Orders["B1"].Status.ShouldBe(OrderStatus.Held);

        account.ApplyEvent(new AccountUnheld("paid"));
        account.Then(OrderDecisions.ReleaseWhatNowPasses(account, Context()));
        account.ApplyEvent(Bypass(false));

        account.Orders["B1"].Status.ShouldBe(OrderStatus.Released);
        account.OpenOrders.ShouldBe(0m);
        DecideInvoice(account, 1000m).ShouldDecide([], None);
    }

    // ---------------------------------------------------------------- Release / Reject / Cancel

    public static TheoryData<OrderStatus, string, string> Transitions => new()
    {
        // from, action, expected: "event" | "repeat" | INVALID_STATE
        { OrderStatus.Approved, "release", ErrorCodes.InvalidState },
        { OrderStatus.Held, "release", "event" },
        { OrderStatus.Released, "release", "repeat" },
        { OrderStatus.Rejected, "release", ErrorCodes.InvalidState },
        { OrderStatus.Cancelled, "release", ErrorCodes.InvalidState },
        { OrderStatus.Invoiced, "release", ErrorCodes.InvalidState },

        { OrderStatus.Approved, "reject", ErrorCodes.InvalidState },
        { OrderStatus.Held, "reject", "event" },
        { OrderStatus.Released, "reject", ErrorCodes.InvalidState },
        { OrderStatus.Rejected, "reject", "repeat" },
        { OrderStatus.Cancelled, "reject", ErrorCodes.InvalidState },
        { OrderStatus.Invoiced, "reject", ErrorCodes.InvalidState },

        { OrderStatus.Approved, "cancel", "event" },
        { OrderStatus.Held, "cancel", "event" },
        { OrderStatus.Released, "cancel", "event" },
        { OrderStatus.Rejected, "cancel", ErrorCodes.InvalidState },
        { OrderStatus.Cancelled, "cancel", "repeat" },
        { OrderStatus.Invoiced, "cancel", ErrorCodes.InvalidState },
    };

    private static Outcome<OrderResult> Act(CreditAccount account, string action, string orderId) => action switch
    {
        "release" => OrderDecisions.Release(account, orderId, "known customer", "boss"),
        "reject" => OrderDecisions.Reject(account, orderId, "too risky"),
        "cancel" => OrderDecisions.Cancel(account, orderId, "customer withdrew"),
        _ => throw new ArgumentException(action),
    };

    private static OrderStatus TargetOf(string action) => action switch
    {
        "release" => OrderStatus.Released,
        "reject" => OrderStatus.Rejected,
        "cancel" => OrderStatus.Cancelled,
        _ => throw new ArgumentException(action),
    };

    [Theory, MemberData(nameof(Transitions))]
    public void Release_and_reject_only_from_held_cancel_from_approved_held_or_released(OrderStatus from, string action, string expected)
    {
        var account = Account([Limit(10_000m), .. OrderIn(from, "O1", 500m)]);
        var exposureBefore = account.Exposure;

        var outcome = Act(account, action, "O1");

        switch (expected)
        {
            case "event":
                outcome.IsAccepted.ShouldBeTrue();
                outcome.Result!.Status.ShouldBe(TargetOf(action));
                outcome.Result.OrderId.ShouldBe("O1");
                outcome.Result.Amount.ShouldBe(500m);
                outcome.Events.ShouldHaveSingleItem().ShouldBe(action switch
                {
                    "release" => new HoldReleased("O1", "known customer", "boss"),
                    "reject" => new OrderRejected("O1", "too risky"),
                    _ => (object)new OrderCancelled("O1", "customer withdrew"),
                });
                account.Then(outcome).Orders["O1"].Status.ShouldBe(TargetOf(action));
                account.OpenOrders.ShouldBe(action == "release" ? 500m : 0m);
                break;
            case "repeat":
                outcome.IsAccepted.ShouldBeTrue();
                outcome.Events.ShouldBeEmpty();
                outcome.Result!.Status.ShouldBe(from);
                account.Orders["O1"].Status.ShouldBe(from);
                account.Exposure.ShouldBe(exposureBefore);
                break;
            default:
                outcome.IsAccepted.ShouldBeFalse();
                outcome.Events.ShouldBeEmpty();
                outcome.Rejection!.Kind.ShouldBe(RejectionKind.InvalidState);
                outcome.Rejection.Code.ShouldBe(expected);
                account.Orders["O1"].Status.ShouldBe(from);
                break;
        }
    }

    [Theory]
    [InlineData("release")]
    [InlineData("reject")]
    [InlineData("cancel")]
    public void Settling_an_unknown_order_is_not_found(string action)
    {
        var outcome = Act(Account(Limit(1000m), Approved("O1", 100m)), action, "NOPE");

        outcome.Events.ShouldBeEmpty();
        outcome.Rejection!.Kind.ShouldBe(RejectionKind.NotFound);
        outcome.Rejection.Code.ShouldBe(ErrorCodes.OrderNotFound);
    }

    // ---------------------------------------------------------------- automatic release: oldest first, credit granted counts

    /// <summary>Limit 1000 fully used by an invoice; orders placed (and held) in the given sequence; then the invoice is paid.</summary>
    private static CreditAccount HeldThenPaid(CreditPolicy? policy = null, bool bypass = false, params (string Id, decimal Amount)[] orders)
    {
        var account = CreditAccount.From(Opened(bypass: bypass), Limit(1000m), Invoice("I1", 1000m), new AccountHeld("waiting for payment"));
        foreach (var (id, amount) in orders)
        {
            var placed = OrderDecisions.Place(account, Order(id, amount), Context(policy));
            placed.Result!.Status.ShouldBe(OrderStatus.Held);
            account.Then(placed);
        }
        account.Then(PaymentDecisions.Receive(account, new ReceivePayment("P1", 1000m, Today, null, "fp-P1")));
        account.Then(AccountDecisions.Unhold(account, "paid"));
        account.Outstanding.ShouldBe(0m);
        return account;
    }

    /// <summary>The system's release, with what the limit and the pool had left once it was granted.</summary>
    private static HoldReleased SystemRelease(string orderId, decimal? spare = null, decimal? poolSpare = null) =>
        new(orderId, OrderDecisions.AutoReleaseReason, OrderDecisions.SystemUser, null, spare, poolSpare);

    [Fact]
    public void A_release_by_the_system_records_the_warnings_the_order_still_fails()
    {
        var account = CreditAccount.From(Opened(), Limit(10_000m), Invoice("I1", 100m, -5));
        account.Then(OrderDecisions.Place(account, Order("O1", 500m), Context()));
        account.Orders["O1"].Status.ShouldBe(OrderStatus.Held);

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context(CreditPolicy.Default.WithModes((OverdueInvoices, RuleMode.Warn))));

        var released = outcome.Events.OfType<HoldReleased>().Single();
        released.By.ShouldBe(OrderDecisions.SystemUser);
        released.Warnings.ShouldBe([OverdueInvoices]);
    }

    [Fact]
    public void Two_held_orders_of_600_with_room_for_1000_only_the_older_is_released()
    {
        var account = HeldThenPaid(orders: [("O-OLD", 600m), ("O-NEW", 600m)]);

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context());

        outcome.Result.ShouldBe(1);
        outcome.Events.OfType<HoldReleased>().ShouldBe([SystemRelease("O-OLD", spare: 400m)]);
        outcome.ShouldRecordReasonsNow("O-NEW", CreditLimitExceeded);
        account.Then(outcome);
        account.Orders["O-OLD"].Status.ShouldBe(OrderStatus.Released);
        account.Orders["O-NEW"].Status.ShouldBe(OrderStatus.Held);
        account.Exposure.ShouldBe(600m);

        // Nothing more fits until the position improves again.
        var again = OrderDecisions.ReleaseWhatNowPasses(account, Context());
        again.Result.ShouldBe(0);
        again.Events.ShouldBeEmpty();
    }

    [Fact]
    public void Held_orders_are_released_in_the_order_they_were_placed_not_by_best_fit()
    {
        // Z-older is placed first although its id sorts last; the newer small one would fit alone but not after it.
        var account = HeldThenPaid(orders: [("Z-older", 900m), ("A-newer", 200m)]);

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context());

        outcome.Result.ShouldBe(1);
        outcome.Events.OfType<HoldReleased>().ShouldBe([SystemRelease("Z-older", spare: 100m)]);
        // The newer one waits now for the limit alone (it was placed while the account was on hold too).
        outcome.ShouldRecordReasonsNow("A-newer", CreditLimitExceeded);
    }

    [Fact]
    public void Every_held_order_that_still_fits_after_the_earlier_releases_is_released()
    {
        var account = HeldThenPaid(orders: [("O1", 700m), ("O2", 400m), ("O3", 300m)]);

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context());

        // O1 700 fits; O2 would make 1100; O3 makes exactly 1000.
        outcome.Result.ShouldBe(2);
        outcome.Events.OfType<HoldReleased>().ShouldBe([SystemRelease("O1", spare: 300m), SystemRelease("O3", spare: 0m)]);
        outcome.ShouldRecordReasonsNow("O2", CreditLimitExceeded);
        account.Then(outcome).Exposure.ShouldBe(1000m);
    }

    [Fact]
    public void Held_orders_that_still_fail_a_rule_stay_held()
    {
        var policy = PolicyOf(reviewThreshold: 500m);
        var account = HeldThenPaid(policy, orders: [("BIG", 600m), ("SMALL", 100m)]);

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context(policy));

        outcome.Events.OfType<HoldReleased>().ShouldBe([SystemRelease("SMALL", spare: 900m)]);
        outcome.ShouldRecordReasonsNow("BIG", OrderValueReview);
    }

    [Fact]
    public void Nothing_is_released_while_the_account_is_on_hold()
    {
        var account = HeldThenPaid(orders: [("O1", 100m)]);
        account.ApplyEvent(new AccountHeld("again"));

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context());

        outcome.Result.ShouldBe(0);
        outcome.Events.OfType<HoldReleased>().ShouldBeEmpty();
        // Held for the account hold again, not the limit it was placed against (the invoice is paid).
        outcome.ShouldRecordReasonsNow("O1", AccountOnHold);
    }

    [Fact]
    public void Approved_and_released_orders_already_use_the_room()
    {
        var account = HeldThenPaid(orders: [("HELD", 600m)]);
        account.ApplyEvent(Approved("LATER", 500m));

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context());
        outcome.Events.OfType<HoldReleased>().ShouldBeEmpty();
        outcome.ShouldRecordReasonsNow("HELD", CreditLimitExceeded);
    }

    [Fact]
    public void A_held_order_whose_failing_rules_have_not_changed_records_nothing()
    {
        var account = CreditAccount.From(Opened(), Limit(1000m), Invoice("I1", 900m));
        account.Then(OrderDecisions.Place(account, Order("O1", 500m), Context()));
        account.Orders["O1"].Reasons.ShouldBe([CreditLimitExceeded]);
        account.ApplyEvent(Paid("P1", "I1", 100m));

        OrderDecisions.ReleaseWhatNowPasses(account, Context()).Events.ShouldBeEmpty();
    }

    [Fact]
    public void A_held_order_still_failing_records_the_rules_that_hold_it_now_and_keeps_its_placement_answer()
    {
        var account = CreditAccount.From(Opened(), Limit(1000m), Invoice("I1", 900m, -10), Invoice("I2", 600m));
        account.Then(OrderDecisions.Place(account, Order("O1", 500m), Context()));
        account.Orders["O1"].Reasons.ShouldBe([CreditLimitExceeded, OverdueInvoices], ignoreOrder: true);
        // The overdue invoice paid: 600 + 500 is still over the limit.
        account.ApplyEvent(Paid("P1", "I1", 900m));

        var outcome = OrderDecisions.ReleaseIfPasses(account, "O1", Context());

        outcome.Result.ShouldBe(0);
        outcome.ShouldRecordReasonsNow("O1", CreditLimitExceeded);
        account.Then(outcome);
        OrderDecisions.ResultOf(account.Orders["O1"]).Reasons.ShouldBe([CreditLimitExceeded]);
        OrderDecisions.Place(account, Order("O1", 500m), Context()).Result!.Reasons.ShouldBe([CreditLimitExceeded, OverdueInvoices], ignoreOrder: true);
        // Checked again with nothing changed: nothing more to record.
        OrderDecisions.ReleaseIfPasses(account, "O1", Context()).Events.ShouldBeEmpty();
    }

    [Fact]
    public void Releases_count_against_the_groups_shared_pool_too()
    {
        var account = CreditAccount.From(Opened(group: "G1"), UnlimitedLimit(), Held("O1", 600m, GroupLimitExceeded), Held("O2", 600m, GroupLimitExceeded));
        var ctx = Context(group: new GroupPosition("G1", null, 1000m, 0m));

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, ctx);

        outcome.Events.ShouldBe([SystemRelease("O1", poolSpare: 400m)]);
    }

    [Fact]
    public void Bypass_customers_releases_do_not_use_the_limit()
    {
        var account = HeldThenPaid(bypass: true, orders: [("O1", 600m), ("O2", 600m)]);

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context());

        outcome.Events.ShouldBe([SystemRelease("O1"), SystemRelease("O2")]);
        account.Then(outcome).Exposure.ShouldBe(0m);
    }
}
