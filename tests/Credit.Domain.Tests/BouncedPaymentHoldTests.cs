using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Orders;
using Credit.Domain.Payments;
using Credit.Domain.Policy;
using static Credit.Domain.Policy.ReasonCodes;
using static Credit.Domain.Tests.DecisionKit;

namespace Credit.Domain.Tests;

/// <summary>
/// A bounced payment takes back what the system granted on its strength: orders approved or released automatically
/// after it came are decided again without it, and held again when they no longer pass.
/// </summary>
public class BouncedPaymentHoldTests
{
    private static readonly PaymentReceived Deposit = new("P1", 1725m, Today, [], 1725m, "fp-p1");

    /// <summary>The reversal decided and applied, then what it entails on the account as it then stands.</summary>
    private static (CreditAccount After, IReadOnlyList<object> Entailed) Bounce(Func<CreditAccount> account, string paymentId = "P1",
        CreditContext? ctx = null)
    {
        var before = account();
        var reversal = PaymentDecisions.Reverse(before, new ReversePayment(paymentId, Today, "cheque bounced"));
        reversal.IsAccepted.ShouldBeTrue();
        var after = account().Then(reversal);
        var context = ctx ?? Context();
        // The pool's exposure moves with the account's, as the API passes it.
        var afterContext = context.WithExposureChange(after.Exposure - before.Exposure, after.Currency);
        return (after, OrderDecisions.HoldAgainWhatRestedOn(new Entailment(before, context, after, afterContext), paymentId));
    }

    [Fact]
    public void A_cash_customers_order_the_system_released_on_a_cheque_is_held_again_when_the_cheque_bounces()
    {
        CreditAccount account() => Account(Limit(0m), Held("O1", 1725m, NoCredit), Deposit,
            new HoldReleased("O1", OrderDecisions.AutoReleaseReason, OrderDecisions.SystemUser));
        account().OpenOrders.ShouldBe(1725m);

        var (after, entailed) = Bounce(account);

        var again = entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>();
        again.OrderId.ShouldBe("O1");
        again.PaymentId.ShouldBe("P1");
        again.Reasons.ShouldBe([NoCredit]);
        foreach (var e in entailed) after = CreditAccount.Fold(after, e)!;
        after.Orders["O1"].Status.ShouldBe(OrderStatus.Held);
        after.Orders["O1"].CurrentReasons.ShouldBe([NoCredit]);
        after.OpenOrders.ShouldBe(0m);
        after.HeldOrders.ShouldHaveSingleItem().Id.ShouldBe("O1");
    }

    [Fact]
    public void A_payment_remembers_the_own_orders_its_reversal_held_again_and_not_those_of_another_members_payment_of_the_same_id()
    {
        CreditAccount account() => Account(Limit(10000m), Approved("O2", 500m), Limit(0m), Held("O1", 1725m, NoCredit), Deposit,
            new HoldReleased("O1", OrderDecisions.AutoReleaseReason, OrderDecisions.SystemUser));
        var (after, entailed) = Bounce(account);
        foreach (var e in entailed) after = CreditAccount.Fold(after, e)!;
        after.Payments["P1"].HeldAgain.ShouldBe(["O1"]);

        // A pool member's payment called P1 too, bounced: this account's P1 had no part in it.
        after = CreditAccount.Fold(after, new OrderHeldAgain("O2", "P1", [GroupLimitExceeded], [], PaidBy: "another-member"))!;
        after.Payments["P1"].HeldAgain.ShouldBe(["O1"]);
        after.Orders["O2"].Status.ShouldBe(OrderStatus.Held);
        PaymentDecisions.Reverse(after, new ReversePayment("P1", Today, "again")).Result!.OrdersHeldAgain.ShouldBe(["O1"]);
    }

    [Fact]
    public void An_order_approved_against_the_cheques_credit_is_held_again_too()
    {
        CreditAccount account() => Account(Limit(0m), Deposit, Approved("O1", 1000m));

        var (after, entailed) = Bounce(account);

        entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>().Reasons.ShouldBe([NoCredit]);
        foreach (var e in entailed) after = CreditAccount.Fold(after, e)!;
        // Held now, for what holds it now; a repeated create still answers as it was placed: approved.
        OrderDecisions.ResultOf(after.Orders["O1"]).ShouldBe(new OrderResult("O1", OrderStatus.Held, 1000m, [NoCredit], []), new OrderResultComparer());
        var repeat = OrderDecisions.Place(after, Order("O1", 1000m), Context());
        repeat.Events.ShouldBeEmpty();
        (repeat.Result!.Status, repeat.Result.Reasons.Count).ShouldBe((OrderStatus.Approved, 0));
    }

    private sealed class OrderResultComparer : IEqualityComparer<OrderResult>
    {
        public bool Equals(OrderResult? a, OrderResult? b) => a is not null && b is not null && a.OrderId == b.OrderId && a.Status == b.Status
            && a.Amount == b.Amount && a.Reasons.SequenceEqual(b.Reasons) && a.Warnings.SequenceEqual(b.Warnings);

        public int GetHashCode(OrderResult r) => r.OrderId.GetHashCode();
    }

    [Fact]
    public void An_order_granted_before_the_payment_came_did_not_rest_on_it()
    {
        // Approved on the limit alone; the payment that bounced came later.
        CreditAccount account() => Account(Limit(1000m), Approved("O1", 1000m), Invoice("I1", 500m), Paid("P1", "I1", 500m));

        Bounce(account).Entailed.ShouldBeEmpty();
    }

    [Fact]
    public void A_controllers_release_stands()
    {
        CreditAccount account() => Account(Limit(0m), Held("O1", 1725m, NoCredit), Deposit, new HoldReleased("O1", "known customer", "controller-1"));

        Bounce(account).Entailed.ShouldBeEmpty();
    }

    [Fact]
    public void An_order_released_once_an_overdue_invoice_was_paid_is_held_again_when_that_payment_bounces()
    {
        CreditAccount account() => Account(Limit(10000m), Invoice("I1", 4600m, -10), Held("O1", 4600m, OverdueInvoices), Paid("P1", "I1", 4600m),
            new HoldReleased("O1", OrderDecisions.AutoReleaseReason, OrderDecisions.SystemUser));

        Bounce(account).Entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>().Reasons.ShouldBe([OverdueInvoices]);
    }

    [Fact]
    public void What_still_fits_without_the_payment_stays_granted_oldest_grant_first()
    {
        // Limit 1,000 and an invoice of 800 paid: two orders of 600 and 150 granted. Without the payment 200 is left: the
        // first (600) no longer fits and is held again; the second (150) fits in what the first gave back.
        CreditAccount account() => Account(Limit(1000m), Invoice("I1", 800m), Paid("P1", "I1", 800m), Approved("O1", 600m), Approved("O2", 150m));

        var (_, entailed) = Bounce(account);

        var again = entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>();
        again.OrderId.ShouldBe("O1");
        again.Reasons.ShouldBe([CreditLimitExceeded]);
    }

    [Fact]
    public void Together_the_orders_kept_never_exceed_the_limit()
    {
        CreditAccount account() => Account(Limit(1000m), Invoice("I1", 800m), Paid("P1", "I1", 800m), Approved("O1", 150m), Approved("O2", 150m));

        var (after, entailed) = Bounce(account);

        // 200 left: the first fits, the second would take it to 1,100.
        entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>().OrderId.ShouldBe("O2");
        foreach (var e in entailed) after = CreditAccount.Fold(after, e)!;
        after.Exposure.ShouldBe(950m);
    }

    [Fact]
    public void A_pool_spent_without_the_payment_holds_the_order_again()
    {
        CreditAccount account() => CreditAccount.From(Opened(group: "G1"), Limit(10000m), Invoice("I1", 800m), Paid("P1", "I1", 800m), Approved("O1", 500m));
        // The pool before the reversal: 9,700 with this member's 500; the bounce adds the 800 back (10,500).
        var pool = new GroupPosition("G1", null, 10000m, 9700m);

        var (_, entailed) = Bounce(account, ctx: Context(group: pool));

        entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>().Reasons.ShouldBe([GroupLimitExceeded]);
    }

    [Fact]
    public void An_order_failing_now_only_for_rules_no_payment_touches_stays_granted()
    {
        // Approved before the review threshold was lowered below it; the bounce leaves the limit ample.
        CreditAccount account() => Account(Limit(10000m), Invoice("I1", 800m), Paid("P1", "I1", 800m), Approved("O1", 2000m));

        Bounce(account, ctx: Context(PolicyOf(reviewThreshold: 1000m))).Entailed.ShouldBeEmpty();
    }

    [Fact]
    public void Orders_placed_under_the_bypass_were_never_counted_and_stay()
    {
        CreditAccount account() => CreditAccount.From(Opened(bypass: true), Limit(0m), Deposit, Approved("O1", 1000m));

        Bounce(account).Entailed.ShouldBeEmpty();
    }

    [Fact]
    public void Invoiced_and_cancelled_orders_are_gone_from_the_book_and_stay_as_they_are()
    {
        CreditAccount account() => Account(Limit(0m), Deposit, Approved("O1", 1000m), Approved("O2", 500m),
            Invoice("I1", 1000m, order: "O1"), new OrderCancelled("O2", "changed"));

        Bounce(account).Entailed.ShouldBeEmpty();
    }

    [Fact]
    public void An_order_failing_as_much_with_the_payment_counted_did_not_rest_on_it()
    {
        // Approved under 1,000 with a 1 SAR payment on account; the limit then cut to 300. Without the payment the order
        // fails the limit, but it fails it with the payment counted too: the cut did that, and a cut leaves what was
        // granted to a controller.
        CreditAccount account() => Account(Limit(1000m), new PaymentReceived("P1", 1m, Today, [], 1m, "fp-p1"), Approved("O1", 500m), Limit(300m));

        Bounce(account).Entailed.ShouldBeEmpty();
    }

    [Fact]
    public void An_invoice_fallen_overdue_since_is_no_rule_the_payment_satisfied()
    {
        CreditAccount account() => Account(Limit(10000m), new PaymentReceived("P1", 1m, Today, [], 1m, "fp-p1"), Approved("O1", 500m),
            Invoice("I1", 100m, -5));

        Bounce(account).Entailed.ShouldBeEmpty();
    }

    [Fact]
    public void A_controllers_confirmation_of_the_systems_release_stands_too()
    {
        CreditAccount account() => Account(Limit(0m), Held("O1", 1725m, NoCredit), Deposit,
            new HoldReleased("O1", OrderDecisions.AutoReleaseReason, OrderDecisions.SystemUser), new ReleaseConfirmed("O1", "I vouch for it", "controller-1"));

        Bounce(account).Entailed.ShouldBeEmpty();
    }

    [Fact]
    public void Releasing_what_the_system_released_is_recorded_as_the_controllers()
    {
        var account = Account(Limit(0m), Held("O1", 1725m, NoCredit), Deposit,
            new HoldReleased("O1", OrderDecisions.AutoReleaseReason, OrderDecisions.SystemUser));

        var confirmed = OrderDecisions.Release(account, "O1", "I vouch for it", "controller-1");

        confirmed.Result!.Status.ShouldBe(OrderStatus.Released);
        var e = confirmed.Events.ShouldHaveSingleItem().ShouldBeOfType<ReleaseConfirmed>();
        (e.Reason, e.By).ShouldBe(("I vouch for it", "controller-1"));
        account.Then(confirmed);
        // Once the controller's, a second release is a plain repeat.
        OrderDecisions.Release(account, "O1", "again", "controller-1").Events.ShouldBeEmpty();
    }

    [Fact]
    public void Orders_held_again_wait_behind_those_held_before_them()
    {
        // OB was approved on P1, OA held; P1 bounces and OB is held again: OA has waited longer and is released first.
        var account = Account(Limit(1000m), Invoice("I1", 500m), Paid("P1", "I1", 300m), Approved("OB", 700m), Held("OA", 300m, CreditLimitExceeded),
            new PaymentReversed("P1", Today, "bounced"), new OrderHeldAgain("OB", "P1", [CreditLimitExceeded], []), Paid("P2", "I1", 200m));

        var outcome = OrderDecisions.ReleaseWhatNowPasses(account, Context());

        outcome.Events.OfType<HoldReleased>().Select(r => r.OrderId).ShouldBe(["OA"]);
    }

    [Fact]
    public void An_order_that_needed_the_cheque_when_granted_is_held_again_though_the_limit_was_cut_since()
    {
        // Limit 1,000 and an invoice of 1,000 paid by a cheque: an order of 900 approved on it (100 to spare). The limit is
        // then cut to 800 and the cheque bounces: the order fails the cut limit with the cheque counted too, but it needed
        // the cheque when it was granted, so the cut does not keep it granted.
        CreditAccount account() => Account(Limit(1000m), Invoice("I1", 1000m), Paid("P1", "I1", 1000m), Approved("O1", 900m), Limit(800m));

        var again = Bounce(account).Entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>();
        again.Reasons.ShouldBe([CreditLimitExceeded]);
    }

    // Another member's bounce: member B's order of 500 was approved in a pool of 10,000 after member A paid 800; the pool
    // now stands at 10,300 (A's 800 back, B's 500 in it).
    private static readonly PoolBounce OtherMembers = new("A", "P-A", 800m);
    private static CreditAccount MemberB() => CreditAccount.From(Opened(group: "G1"), Limit(5000m), Approved("OB", 500m));
    private static CreditContext PoolAt(decimal exposure) => Context(group: new GroupPosition("G1", null, 10000m, exposure));

    [Fact]
    public void Another_members_bounce_holds_again_an_order_the_pool_covered_only_with_that_payment()
    {
        var account = MemberB();
        var grantedAt = account.Orders["OB"].GrantedAt;

        var outcome = OrderDecisions.HoldAgainInPool(account, PoolAt(10300m), OtherMembers, "OB", grantedAt, poolChange: -500m);

        outcome.Result.ShouldBeTrue();
        var again = outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>();
        (again.PaymentId, again.PaidBy).ShouldBe(("P-A", "A"));
        again.Reasons.ShouldBe([GroupLimitExceeded]);
        CreditAccount.Fold(account, again)!.Orders["OB"].Status.ShouldBe(OrderStatus.Held);
    }

    [Theory]
    [InlineData(9000, 0)]   // the pool covers it without the payment: it never rested on it
    [InlineData(11000, 0)]  // over the pool even with the payment: a cut since, left to a controller
    [InlineData(10300, 1)]  // the grant no longer stands as it was (confirmed by a controller, or granted again)
    public void Another_members_bounce_leaves_an_order_that_did_not_rest_on_it(int poolNow, int versionShift)
    {
        var account = MemberB();
        var grantedAt = account.Orders["OB"].GrantedAt + versionShift;

        var outcome = OrderDecisions.HoldAgainInPool(account, PoolAt(poolNow), OtherMembers, "OB", grantedAt, poolChange: -500m);

        (outcome.Result, outcome.Events.Count).ShouldBe((false, 0));
    }

    [Fact]
    public void Grants_kept_before_it_count_towards_the_next_one()
    {
        // B's two grants under review, 500 then 300, in a pool of 10,000 standing at 10,200 with both and A's 800 back. The
        // first fits without the payment and the second (9,400 + 500) and is kept; beside it the second does not
        // (10,200) though it did with the payment (9,400): held again. Had the first been held again (the pool at 9,700), the
        // second would fit.
        var account = CreditAccount.From(Opened(group: "G1"), Limit(5000m), Approved("O1", 500m), Approved("O2", 300m));
        var (first, second) = (account.Orders["O1"].GrantedAt, account.Orders["O2"].GrantedAt);

        OrderDecisions.HoldAgainInPool(account, PoolAt(10200m), OtherMembers, "O1", first, poolChange: -800m).Result.ShouldBeFalse();
        OrderDecisions.HoldAgainInPool(account, PoolAt(10200m), OtherMembers, "O2", second, poolChange: -300m).Result.ShouldBeTrue();
        OrderDecisions.HoldAgainInPool(account, PoolAt(9700m), OtherMembers, "O2", second, poolChange: -300m).Result.ShouldBeFalse();
    }

    /// <summary>An order placed through the decision (as the API does), so its grant records what it left to spare.</summary>
    private static object[] PlacedOn(CreditAccount account, CreditContext ctx, string id, decimal amount)
    {
        var placed = OrderDecisions.Place(account, Order(id, amount), ctx);
        placed.Result!.Status.ShouldBe(OrderStatus.Approved);
        return [.. placed.Events];
    }

    [Fact]
    public void An_order_that_needed_the_cheque_under_an_inherited_limit_is_held_again_though_the_limit_was_cut_since()
    {
        // The company's default of 1,000 and an invoice of 900 part paid by a 500 cheque: an order of 500 approved on it (100 to
        // spare). The default is cut to 800 before the cheque bounces: it failed either way, but it needed the cheque.
        object[] history = [Invoice("I1", 900m), Paid("P1", "I1", 500m)];
        var order = PlacedOn(Account(history), Context(PolicyOf(defaultLimit: 1000m)), "O1", 500m);
        CreditAccount account() => Account([.. history, .. order]);

        var (_, entailed) = Bounce(account, ctx: Context(PolicyOf(defaultLimit: 800m)));

        entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>().Reasons.ShouldBe([CreditLimitExceeded]);
    }

    [Fact]
    public void An_order_that_needed_the_cheque_in_its_pool_is_held_again_though_the_pool_was_cut_since()
    {
        // A pool of 1,000 with this member's invoice of 900 part paid by a 500 cheque: an order of 500 approved (100 to spare in
        // the pool). The pool is cut to 800; the cheque bounces.
        object[] history = [Invoice("I1", 900m), Paid("P1", "I1", 500m)];
        var opened = Opened(group: "G1");
        var order = PlacedOn(CreditAccount.From([opened, .. history]), Context(group: new GroupPosition("G1", null, 1000m, 400m)), "O1", 500m);
        CreditAccount account() => CreditAccount.From([opened, .. history, .. order]);

        var (_, entailed) = Bounce(account, ctx: Context(group: new GroupPosition("G1", null, 800m, 900m)));

        entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>().Reasons.ShouldBe([GroupLimitExceeded]);
    }

    [Fact]
    public void Two_bounced_cheques_that_together_paid_for_a_grant_take_it_back_after_a_cut()
    {
        // Limit 1,000, an invoice of 1,000 paid by two cheques of 60; an order of 20 approved (100 to spare, so it needed 120
        // of them, neither alone). The limit is cut to 850. The first bounce leaves it (60 of its 100 to spare); the second
        // takes it back.
        CreditAccount account() => Account(Limit(1000m), Invoice("I1", 1000m), Paid("P1", "I1", 60m), Paid("P2", "I1", 60m),
            Approved("O1", 20m), Limit(850m));
        Bounce(account).Entailed.ShouldBeEmpty();

        CreditAccount afterFirst() => account().Then(PaymentDecisions.Reverse(account(), new ReversePayment("P1", Today, "bounced")));
        Bounce(afterFirst, "P2").Entailed.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>().Reasons.ShouldBe([CreditLimitExceeded]);
    }

    [Fact]
    public void A_grant_that_fits_a_pool_by_a_fraction_of_a_halala_records_what_it_left_not_a_rounded_overdraft()
    {
        // The pool's exposure, summed at the members' rates, is 999.9875 SAR (999.99 shown); 0.001 KWD at 12.2 is 0.0122
        // SAR: it fits, with 0.0003 SAR to spare.
        var policy = CreditPolicy.Default with
        {
            ExchangeRates = new SortedDictionary<string, decimal>(StringComparer.Ordinal) { ["KWD"] = 12.2m },
        };
        var opened = Opened(group: "G1", currency: "KWD");
        var ctx = Context(policy, new GroupPosition("G1", null, 1000m, 999.9875m));
        var order = PlacedOn(CreditAccount.From([opened, Limit(5000m)]), ctx, "OK", 0.001m);
        var granted = CreditAccount.From([opened, Limit(5000m), .. order]).Orders["OK"];
        granted.Status.ShouldBe(OrderStatus.Approved);
        granted.PoolSpareAtGrant.ShouldNotBeNull();
        granted.PoolSpareAtGrant!.Value.ShouldBe(0.0003m / 12.2m);
    }

    [Fact]
    public void Another_members_bounce_takes_back_a_grant_that_needed_it_though_the_pool_was_cut_since()
    {
        // B's order of 500 approved with 300 to spare in the pool after A's 800 came; the pool is cut so that B fails it even
        // with A's payment counted: it needed the payment when granted, so the cut does not keep it.
        object[] history = [Limit(5000m)];
        var opened = Opened(group: "G1");
        var order = PlacedOn(CreditAccount.From([opened, .. history]), Context(group: new GroupPosition("G1", null, 10000m, 9200m)), "OB", 500m);
        var account = CreditAccount.From([opened, .. history, .. order]);
        account.Orders["OB"].PoolSpareAtGrant.ShouldBe(300m);
        var cut = Context(group: new GroupPosition("G1", null, 9000m, 10500m)); // 9,700 before, 800 back

        var outcome = OrderDecisions.HoldAgainInPool(account, cut, OtherMembers, "OB", account.Orders["OB"].GrantedAt, poolChange: -500m);

        outcome.Result.ShouldBeTrue();
        outcome.Events.ShouldHaveSingleItem().ShouldBeOfType<OrderHeldAgain>().Reasons.ShouldBe([GroupLimitExceeded]);
    }
}
