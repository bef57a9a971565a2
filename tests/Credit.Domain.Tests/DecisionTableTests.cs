using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Invoicing;
using Credit.Domain.Orders;
using Credit.Domain.Policy;
using static Credit.Domain.Policy.ReasonCodes;
using static Credit.Domain.Tests.DecisionKit;

namespace Credit.Domain.Tests;

/// <summary>The credit rules of the contract ("Credit policy and hierarchy", "Credit rules"), row by row.</summary>
public class DecisionTableTests
{
    // ---------------------------------------------------------------- the limit boundary, per currency minor unit

    public static TheoryData<string, decimal, decimal, decimal, bool> LimitBoundaries => new()
    {
        // currency, limit, existing outstanding, amount, allowed
        { "SAR", 1000m, 0m, 1000m, true },
        { "SAR", 1000m, 0m, 1000.01m, false },
        { "SAR", 1000m, 250.50m, 749.50m, true },
        { "SAR", 1000m, 250.50m, 749.51m, false },
        { "KWD", 1000m, 0m, 1000m, true },
        { "KWD", 1000m, 0m, 1000.001m, false },
        { "KWD", 1000m, 250.125m, 749.875m, true },
        { "KWD", 1000m, 250.125m, 749.876m, false },
        { "KWD", 0.005m, 0m, 0.005m, true },
        { "KWD", 0.005m, 0m, 0.006m, false },
    };

    private static CreditAccount LimitedAccount(string currency, decimal limit, decimal existing)
    {
        var events = new List<object> { Opened(currency: currency), Limit(limit) };
        if (existing > 0) events.Add(Invoice("I0", existing));
        return CreditAccount.From([.. events]);
    }

    [Theory, MemberData(nameof(LimitBoundaries))]
    public void Invoice_exactly_at_the_limit_is_issued_one_minor_unit_over_is_refused(
        string currency, decimal limit, decimal existing, decimal amount, bool allowed)
    {
        var account = LimitedAccount(currency, limit, existing);

        var outcome = InvoiceDecisions.Issue(account, IssueCmd("I1", amount), Context());

        if (allowed)
        {
            var issued = outcome.Issued();
            issued.Amount.ShouldBe(amount);
            issued.Warnings.ShouldBeEmpty();
            issued.Override.ShouldBeNull();
            account.Then(outcome).Exposure.ShouldBe(existing + amount);
        }
        else
        {
            var decision = outcome.Refused();
            decision.ShouldDecide([CreditLimitExceeded], None);
            decision.Exposure.ShouldBe(existing);
            decision.Limit.ShouldBe(limit);
            decision.Available.ShouldBe(limit - existing);
            decision.LimitSource.ShouldBe(LimitSource.Customer);
        }
    }

    [Theory, MemberData(nameof(LimitBoundaries))]
    public void Order_exactly_at_the_limit_is_approved_one_minor_unit_over_is_held(
        string currency, decimal limit, decimal existing, decimal amount, bool allowed)
    {
        var account = LimitedAccount(currency, limit, existing);

        var outcome = OrderDecisions.Place(account, Order("O1", amount), Context());

        outcome.IsAccepted.ShouldBeTrue();
        if (allowed)
        {
            outcome.Result!.Status.ShouldBe(OrderStatus.Approved);
            outcome.EventOf<OrderApproved>().Amount.ShouldBe(amount);
        }
        else
        {
            outcome.Result!.Status.ShouldBe(OrderStatus.Held);
            outcome.Result.Reasons.ShouldBe([CreditLimitExceeded]);
            outcome.EventOf<OrderHeld>().Reasons.ShouldBe([CreditLimitExceeded]);
        }
    }

    [Theory]
    [InlineData("SAR", "0.01", true)]
    [InlineData("SAR", "0.001", false)]
    [InlineData("SAR", "100.005", false)]
    [InlineData("KWD", "0.001", true)]
    [InlineData("KWD", "100.0001", false)]
    public void Amounts_finer_than_the_account_currency_are_invalid_for_orders_and_invoices(string currency, string amountText, bool fits)
    {
        var amount = decimal.Parse(amountText, System.Globalization.CultureInfo.InvariantCulture);
        var account = CreditAccount.From(Opened(currency: currency), UnlimitedLimit());

        var invoice = InvoiceDecisions.Issue(account, IssueCmd("I1", amount), Context());
        var order = OrderDecisions.Place(account, Order("O1", amount), Context());

        if (fits)
        {
            invoice.Issued().Amount.ShouldBe(amount);
            order.EventOf<OrderApproved>().Amount.ShouldBe(amount);
        }
        else
        {
            invoice.Rejection!.Kind.ShouldBe(RejectionKind.Invalid);
            invoice.Rejection.Code.ShouldBe("AMOUNT_PRECISION");
            invoice.Events.ShouldBeEmpty();
            order.Rejection!.Kind.ShouldBe(RejectionKind.Invalid);
            order.Rejection.Code.ShouldBe("AMOUNT_PRECISION");
            order.Events.ShouldBeEmpty();
        }
    }

    // ---------------------------------------------------------------- 0 vs null vs unlimited at customer level

    public static TheoryData<string, decimal?, decimal, string[], decimal?, LimitSource> CustomerLevelSettings => new()
    {
        // customer setting, company default, amount, reasons, effective limit, source
        { "zero", null, 0.01m, [NoCredit], 0m, LimitSource.Customer },
        { "zero", 5000m, 0.01m, [NoCredit], 0m, LimitSource.Customer },
        { "null", null, 999_999_999m, [], null, LimitSource.None },
        { "null", 5000m, 5000m, [], 5000m, LimitSource.Company },
        { "null", 5000m, 5000.01m, [CreditLimitExceeded], 5000m, LimitSource.Company },
        { "null", 0m, 0.01m, [NoCredit], 0m, LimitSource.Company },
        { "unlimited", null, 999_999_999m, [], null, LimitSource.Customer },
        { "unlimited", 0m, 999_999_999m, [], null, LimitSource.Customer },
        { "unlimited", 5000m, 999_999_999m, [], null, LimitSource.Customer },
    };

    [Theory, MemberData(nameof(CustomerLevelSettings))]
    public void Zero_means_no_credit_null_inherits_unlimited_wins(
        string setting, decimal? companyDefault, decimal amount, string[] reasons, decimal? limit, LimitSource source)
    {
        var limitSet = setting switch
        {
            "zero" => Limit(0m),
            "null" => Limit(null),
            "unlimited" => UnlimitedLimit(),
            _ => throw new ArgumentException(setting),
        };
        var account = Account(limitSet);

        var decision = DecideInvoice(account, amount, PolicyOf(defaultLimit: companyDefault));

        decision.ShouldDecide(reasons, None);
        decision.Limit.ShouldBe(limit);
        decision.Available.ShouldBe(limit);  // nothing outstanding yet
        decision.LimitSource.ShouldBe(source);
        decision.Exposure.ShouldBe(0m);
    }

    // ---------------------------------------------------------------- the fallback customer -> group -> company -> none

    public static TheoryData<decimal?, bool, bool, decimal?, decimal?, decimal?, LimitSource> Fallbacks => new()
    {
        // own, unlimited, in a group, group default, company default, effective, source
        { null, false, false, null, null, null, LimitSource.None },
        { null, false, false, null, 5000m, 5000m, LimitSource.Company },
        { null, false, true, null, 5000m, 5000m, LimitSource.Company },
        { null, false, true, 700m, 5000m, 700m, LimitSource.Group },
        { null, false, true, 700m, null, 700m, LimitSource.Group },
        { null, false, true, null, null, null, LimitSource.None },
        { 900m, false, true, 700m, 5000m, 900m, LimitSource.Customer },
        { 900m, false, false, null, null, 900m, LimitSource.Customer },
        { 0m, false, true, 700m, 5000m, 0m, LimitSource.Customer },
        { 0m, false, true, 10_000m, null, 0m, LimitSource.Customer },
        { null, false, true, 0m, 5000m, 0m, LimitSource.Group },
        { null, false, false, null, 0m, 0m, LimitSource.Company },
        { null, true, true, 700m, 5000m, null, LimitSource.Customer },
        { 900m, true, true, 700m, 5000m, null, LimitSource.Customer },
    };

    [Theory, MemberData(nameof(Fallbacks))]
    public void The_effective_limit_falls_back_customer_group_company_none(
        decimal? own, bool unlimited, bool inGroup, decimal? groupDefault, decimal? companyDefault, decimal? effective, LimitSource source)
    {
        var account = CreditAccount.From(Opened(group: inGroup ? "G1" : null), new LimitSet(own, unlimited, null, null));
        var group = inGroup ? new GroupPosition("G1", groupDefault, null, 0m) : null;
        var policy = PolicyOf(defaultLimit: companyDefault);

        var limit = CreditRules.EffectiveLimitOf(account, group, policy);
        limit.Amount.ShouldBe(effective);
        limit.Source.ShouldBe(source);
        limit.IsUnlimited.ShouldBe(effective is null);

        // ... and the decision uses exactly that limit.
        var atLimit = DecideInvoice(account, effective is > 0 ? effective.Value : 0.01m, policy, group);
        atLimit.Limit.ShouldBe(effective);
        atLimit.LimitSource.ShouldBe(source);
        atLimit.ShouldDecide(effective == 0m ? [NoCredit] : [], None);

        if (effective is > 0)
            DecideInvoice(account, effective.Value + 0.01m, policy, group).ShouldDecide([CreditLimitExceeded], None);
    }

    // ---------------------------------------------------------------- the group's shared pool

    public static TheoryData<decimal?, decimal, decimal?, decimal, decimal, string[]> GroupPools => new()
    {
        // own limit, own outstanding, shared pool, other members' exposure, amount, reasons
        { 5000m, 300m, 1000m, 600m, 100m, [] },                                          // pool reached exactly
        { 5000m, 300m, 1000m, 600m, 100.01m, [GroupLimitExceeded] },                    // pool exceeded, own limit fine
        { 5000m, 300m, 1000m, 600m, 200m, [GroupLimitExceeded] },
        { 400m, 300m, 1000m, 600m, 200m, [CreditLimitExceeded, GroupLimitExceeded] },  // both exceeded
        { 400m, 300m, 10_000m, 600m, 200m, [CreditLimitExceeded] },                    // only own exceeded
        { null, 0m, 1000m, 999.99m, 0.01m, [] },                                          // unlimited own, pool reached exactly
        { null, 0m, 1000m, 999.99m, 0.02m, [GroupLimitExceeded] },                      // unlimited own, pool still applies
        { 5000m, 0m, 0m, 0m, 0.01m, [GroupLimitExceeded] },                              // a pool of 0
        { 0m, 0m, 0m, 0m, 0.01m, [NoCredit, GroupLimitExceeded] },
        { 5000m, 0m, null, 1_000_000m, 100m, [] },                                       // no shared pool: others don't matter
    };

    [Theory, MemberData(nameof(GroupPools))]
    public void A_shared_pool_is_checked_in_addition_to_the_members_own_limit(
        decimal? ownLimit, decimal ownOutstanding, decimal? pool, decimal others, decimal amount, string[] reasons)
    {
        var events = new List<object> { Opened(group: "G1"), Limit(ownLimit) };
        if (ownOutstanding > 0) events.Add(Invoice("I0", ownOutstanding));
        var account = CreditAccount.From([.. events]);
        // Group exposure = every member's exposure, this customer's included.
        var group = new GroupPosition("G1", null, pool, others + account.Exposure);

        var decision = DecideInvoice(account, amount, group: group);

        decision.ShouldDecide(reasons, None);
        decision.Exposure.ShouldBe(ownOutstanding);
        decision.Limit.ShouldBe(ownLimit);
    }

    [Fact]
    public void The_pool_counts_for_orders_too()
    {
        var account = CreditAccount.From(Opened(group: "G1"), Limit(5000m));
        var group = new GroupPosition("G1", null, 1000m, 900m);

        DecideOrder(account, 100m, group: group).ShouldDecide([], None);
        DecideOrder(account, 100.01m, group: group).ShouldDecide([GroupLimitExceeded], None);
    }

    // ---------------------------------------------------------------- overdue invoices and grace days

    [Theory]
    [InlineData(0, 1, false)]
    [InlineData(0, 0, false)]     // due today: not yet overdue
    [InlineData(0, -1, true)]
    [InlineData(5, -5, false)]    // due + grace == today: on the boundary, passes
    [InlineData(5, -6, true)]
    [InlineData(30, -30, false)]
    [InlineData(30, -31, true)]
    public void Overdue_means_due_date_plus_grace_days_before_today(int graceDays, int dueOffset, bool overdue)
    {
        var account = Account(Invoice("I1", 100m, dueOffset));
        var policy = PolicyOf(graceDays: graceDays);

        string[] expected = overdue ? [OverdueInvoices] : [];
        DecideInvoice(account, 1m, policy).ShouldDecide(expected, None);
        DecideOrder(account, 1m, policy).ShouldDecide(expected, None);
    }

    private static readonly Dictionary<string, object[]> OverdueScenarios = new()
    {
        ["first of two installments overdue"] = [InstallmentInvoice("I1", (-10, 500m), (20, 500m))],
        ["first of two installments overdue, paid"] = [InstallmentInvoice("I1", (-10, 500m), (20, 500m)), Paid("P1", "I1", 500m, installment: 1)],
        ["only the later installment paid"] = [InstallmentInvoice("I1", (-10, 500m), (20, 500m)), Paid("P1", "I1", 500m, installment: 2)],
        ["second installment overdue, first paid"] = [InstallmentInvoice("I1", (-40, 500m), (-1, 500m)), Paid("P1", "I1", 500m, installment: 1)],
        ["three installments, none due yet"] = [InstallmentInvoice("I1", (0, 100m), (30, 100m), (60, 100m))],
        ["opening balance overdue"] = [new OpeningBalanceRecorded(2500m, Day(-90), Day(-1))],
        ["opening balance due today"] = [new OpeningBalanceRecorded(2500m, Day(-90), Day(0))],
        ["opening balance overdue, paid"] = [new OpeningBalanceRecorded(2500m, Day(-90), Day(-1)), Paid("P1", Receivable.OpeningBalanceId, 2500m)],
        ["invoice overdue, fully paid"] = [Invoice("I1", 800m, -10), Paid("P1", "I1", 800m)],
        ["invoice overdue, overpaid"] = [Invoice("I1", 800m, -10), Paid("P1", "I1", 800m, unapplied: 50m)],
        ["invoice overdue, paid but one minor unit"] = [Invoice("I1", 800m, -10), Paid("P1", "I1", 799.99m)],
        ["invoice overdue, cleared by a credit note"] =
            [Invoice("I1", 800m, -10), new CreditNoteIssued("CN1", 800m, Today, "I1", [new Settlement("I1", 1, 800m)], 0m, "returned", "fp-CN1")],
        ["invoice overdue, payment bounced"] = [Invoice("I1", 800m, -10), Paid("P1", "I1", 800m), new PaymentReversed("P1", Today, "bounced")],
        ["one of two invoices overdue"] = [Invoice("I1", 800m, 10), Invoice("I2", 10m, -1)],
    };

    public static TheoryData<string, bool> OverdueCases => new()
    {
        { "first of two installments overdue", true },
        { "first of two installments overdue, paid", false },
        { "only the later installment paid", true },
        { "second installment overdue, first paid", true },
        { "three installments, none due yet", false },
        { "opening balance overdue", true },
        { "opening balance due today", false },
        { "opening balance overdue, paid", false },
        { "invoice overdue, fully paid", false },
        { "invoice overdue, overpaid", false },
        { "invoice overdue, paid but one minor unit", true },
        { "invoice overdue, cleared by a credit note", false },
        { "invoice overdue, payment bounced", true },
        { "one of two invoices overdue", true },
    };

    [Theory, MemberData(nameof(OverdueCases))]
    public void Any_unpaid_installment_or_opening_balance_past_due_is_overdue(string scenario, bool overdue)
    {
        var account = Account(OverdueScenarios[scenario]);

        CreditRules.HasOverdue(account, Today, 0).ShouldBe(overdue);
        DecideInvoice(account, 1m).ShouldDecide(overdue ? [OverdueInvoices] : [], None);
    }

    // ---------------------------------------------------------------- limit expiry

    public static TheoryData<int?, decimal, string[]> Expiries => new()
    {
        // expires (days from today), amount, reasons; limit 1000
        { -1, 100m, [LimitExpired] },
        { -365, 100m, [LimitExpired] },
        { 0, 100m, [] },        // expires today: still valid today
        { 1, 100m, [] },
        { null, 100m, [] },
        { -1, 1000.01m, [CreditLimitExceeded, LimitExpired] },
        { 0, 1000.01m, [CreditLimitExceeded] },
    };

    [Theory, MemberData(nameof(Expiries))]
    public void A_customer_limit_expired_before_today_fails(int? expiresOffset, decimal amount, string[] reasons)
    {
        var account = Account(Limit(1000m, expiresOffset is { } d ? Day(d) : null));

        DecideInvoice(account, amount).ShouldDecide(reasons, None);
        DecideOrder(account, amount).ShouldDecide(reasons, None);
    }

    // ---------------------------------------------------------------- the account hold and NO_CREDIT always block

    [Theory]
    [InlineData(RuleMode.Block, DocumentKind.Invoice)]
    [InlineData(RuleMode.Warn, DocumentKind.Invoice)]
    [InlineData(RuleMode.Off, DocumentKind.Invoice)]
    [InlineData(RuleMode.Block, DocumentKind.Order)]
    [InlineData(RuleMode.Warn, DocumentKind.Order)]
    [InlineData(RuleMode.Off, DocumentKind.Order)]
    public void An_account_on_hold_is_blocked_whatever_the_policy_map_says(RuleMode mode, DocumentKind kind)
    {
        var policy = AllRules(mode, AccountOnHold, NoCredit);
        policy.ModeOf(AccountOnHold).ShouldBe(RuleMode.Block);
        var account = Account(UnlimitedLimit(), new AccountHeld("cheque bounced"));

        var decision = CreditRules.Decide(account, policy, null, new CreditRequest(kind, 1m, Today), Today);

        decision.ShouldDecide([AccountOnHold], None);
    }

    [Fact]
    public void Unholding_the_account_lets_it_pass_again()
    {
        var account = Account(UnlimitedLimit(), new AccountHeld("cheque bounced"), new AccountUnheld("cheque cleared"));
        DecideInvoice(account, 1m).ShouldDecide([], None);
    }

    [Theory]
    [InlineData(RuleMode.Block)]
    [InlineData(RuleMode.Warn)]
    [InlineData(RuleMode.Off)]
    public void No_credit_cannot_be_turned_off_or_down_to_a_warning(RuleMode mode)
    {
        var policy = AllRules(mode, NoCredit, AccountOnHold);
        policy.ModeOf(NoCredit).ShouldBe(RuleMode.Block);

        DecideInvoice(Account(Limit(0m)), 0.01m, policy).ShouldDecide([NoCredit], None);
        DecideOrder(Account(Limit(0m)), 0.01m, policy).ShouldDecide([NoCredit], None);
        DecideInvoice(Account(Limit(null)), 0.01m, policy with { DefaultCreditLimit = 0m }).ShouldDecide([NoCredit], None);
    }

    // ---------------------------------------------------------------- block / warn / off per configurable rule

    private sealed record Failing(CreditAccount Account, CreditPolicy Policy, GroupPosition? Group, DocumentKind Kind, decimal Amount, PaymentTerms? Terms = null)
    {
        public CreditDecision Decide(CreditPolicy policy) =>
            CreditRules.Decide(Account, policy, Group, new CreditRequest(Kind, Amount, Today, Terms), Today);
    }

    /// <summary>For each configurable rule, a request that fails that rule and no other.</summary>
    private static Failing FailingOnly(string code) => code switch
    {
        OverdueInvoices => new(Account(Invoice("I1", 100m, -1)), PolicyOf(), null, DocumentKind.Invoice, 50m),
        LimitExpired => new(Account(Limit(1000m, Day(-1))), PolicyOf(), null, DocumentKind.Invoice, 100m),
        OrderValueReview => new(Account(), PolicyOf(reviewThreshold: 500m), null, DocumentKind.Order, 500.01m),
        PaymentTermsExtended => new(Account(new PaymentTermsSet(Terms("days:30"), null)), PolicyOf(), null, DocumentKind.Order, 100m, Terms("days:45")),
        GroupLimitExceeded => new(CreditAccount.From(Opened(group: "G1")), PolicyOf(), new GroupPosition("G1", null, 1000m, 950m), DocumentKind.Invoice, 100m),
        CreditLimitExceeded => new(Account(Limit(1000m)), PolicyOf(), null, DocumentKind.Invoice, 1000.01m),
        _ => throw new ArgumentException(code),
    };

    public static TheoryData<string, RuleMode> ConfigurableRuleModes
    {
        get
        {
            var data = new TheoryData<string, RuleMode>();
            foreach (var code in new[] { OverdueInvoices, LimitExpired, OrderValueReview, PaymentTermsExtended, GroupLimitExceeded, CreditLimitExceeded })
                foreach (var mode in new[] { RuleMode.Block, RuleMode.Warn, RuleMode.Off })
                    data.Add(code, mode);
            return data;
        }
    }

    [Theory, MemberData(nameof(ConfigurableRuleModes))]
    public void Block_refuses_warn_passes_with_the_code_in_warnings_off_ignores(string code, RuleMode mode)
    {
        var failing = FailingOnly(code);

        var decision = failing.Decide(failing.Policy.WithModes((code, mode)));

        switch (mode)
        {
            case RuleMode.Block: decision.ShouldDecide([code], None); break;
            case RuleMode.Warn: decision.ShouldDecide(None, [code]); break;
            case RuleMode.Off: decision.ShouldDecide(None, None); break;
        }
    }

    [Fact]
    public void The_configurable_rules_are_exactly_the_six_of_the_contract()
    {
        ReasonCodes.Configurable.ShouldBe(
            [OverdueInvoices, LimitExpired, OrderValueReview, PaymentTermsExtended, GroupLimitExceeded, CreditLimitExceeded], ignoreOrder: true);
        CreditPolicy.Default.Rules.Count.ShouldBe(6);
        CreditPolicy.Default.Rules.Values.ShouldAllBe(m => m == RuleMode.Block);
    }

    [Fact]
    public void Each_rule_keeps_its_own_mode_in_one_decision()
    {
        var account = Account(Limit(1000m, Day(-1)), Invoice("I1", 900m, -10));
        var policy = CreditPolicy.Default.WithModes((OverdueInvoices, RuleMode.Warn), (LimitExpired, RuleMode.Off));

        DecideInvoice(account, 100.01m, policy).ShouldDecide([CreditLimitExceeded], [OverdueInvoices]);
        DecideInvoice(account, 100m, policy).ShouldDecide([], [OverdueInvoices]);
    }

    [Fact]
    public void A_rule_missing_from_the_policy_map_blocks()
    {
        var policy = CreditPolicy.Default with { Rules = new Dictionary<string, RuleMode>() };
        var account = Account(Limit(1000m), Invoice("I1", 900m, -10));

        DecideInvoice(account, 100.01m, policy).ShouldDecide([CreditLimitExceeded, OverdueInvoices], None);
    }

    [Fact]
    public void With_every_rule_on_warn_only_hold_and_no_credit_still_refuse()
    {
        var held = CreditAccount.From(Opened(group: "G1"), Limit(1000m, Day(-1)), Invoice("I1", 900m, -10), new AccountHeld("audit"));
        var group = new GroupPosition("G1", null, 500m, 900m);
        var decision = DecideInvoice(held, 200m, AllRules(RuleMode.Warn), group);

        decision.ShouldDecide([AccountOnHold], [CreditLimitExceeded, GroupLimitExceeded, LimitExpired, OverdueInvoices]);
    }

    // ---------------------------------------------------------------- exposure

    public static TheoryData<OrderStatus, decimal, decimal> ExposureByOrderStatus => new()
    {
        // order of 500 in this status, with an invoice of 300 outstanding: open orders, outstanding
        { OrderStatus.Approved, 500m, 300m },
        { OrderStatus.Released, 500m, 300m },
        { OrderStatus.Held, 0m, 300m },
        { OrderStatus.Rejected, 0m, 300m },
        { OrderStatus.Cancelled, 0m, 300m },
        { OrderStatus.Invoiced, 0m, 800m },   // now outstanding as an invoice, not twice
    };

    [Theory, MemberData(nameof(ExposureByOrderStatus))]
    public void Exposure_is_outstanding_plus_approved_and_released_orders(OrderStatus status, decimal openOrders, decimal outstanding)
    {
        var account = Account([Limit(10_000m), Invoice("I0", 300m), .. OrderIn(status, "O1", 500m)]);
        account.Orders["O1"].Status.ShouldBe(status);

        account.OpenOrders.ShouldBe(openOrders);
        account.Outstanding.ShouldBe(outstanding);
        account.Exposure.ShouldBe(openOrders + outstanding);

        var room = 10_000m - account.Exposure;
        var decision = DecideInvoice(account, room);
        decision.ShouldDecide([], None);
        decision.Exposure.ShouldBe(openOrders + outstanding);
        decision.Available.ShouldBe(room);
        DecideInvoice(account, room + 0.01m).ShouldDecide([CreditLimitExceeded], None);
    }

    [Fact]
    public void Exposure_adds_opening_balance_and_invoices_less_payments_credit_notes_and_unapplied_credit()
    {
        var account = Account(
            Limit(2000m),
            new OpeningBalanceRecorded(1000m, Day(-100), Day(10)),
            Invoice("I1", 500m),
            Paid("P1", Receivable.OpeningBalanceId, 300m, unapplied: 50m),
            new CreditNoteIssued("CN1", 100m, Today, "I1", [new Settlement("I1", 1, 100m)], 0m, "damaged", "fp-CN1"),
            Approved("O1", 200m),
            Held("O2", 5000m, CreditLimitExceeded));

        account.Outstanding.ShouldBe(1000m + 500m - 300m - 100m - 50m);
        account.OpenOrders.ShouldBe(200m);
        account.Exposure.ShouldBe(1250m);

        var decision = DecideInvoice(account, 750m);
        decision.ShouldDecide([], None);
        decision.Exposure.ShouldBe(1250m);
        decision.Available.ShouldBe(750m);
        DecideInvoice(account, 750.01m).ShouldDecide([CreditLimitExceeded], None);
    }
}
