using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Payments;
using Credit.Domain.Policy;
using static Credit.Domain.Tests.Accounts;

namespace Credit.Domain.Tests;

/// <summary>Group and company limits are in the company currency; a customer in another one meets them at the policy's rate.</summary>
public class ExchangeRateTests
{
    private static readonly CreditPolicy Sar = CreditPolicy.Default with { DefaultCreditLimit = 7000m };
    private static readonly CreditPolicy SarWithKwd = Sar with { ExchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } };

    private static CreditAccount Customer(string currency, decimal? ownLimit = null, string? group = null, params object[] more) =>
        CreditAccount.From([new AccountOpened("C1", Profile(group, currency: currency)), new LimitSet(ownLimit, false, null, null), .. more]);

    private static CreditDecision Invoice(CreditAccount account, decimal amount, CreditPolicy policy, GroupPosition? group = null) =>
        CreditRules.Decide(account, policy, group, new CreditRequest(DocumentKind.Invoice, amount, Today), Today);

    [Fact]
    public void An_inherited_company_limit_is_converted_and_rounded_down_to_the_customers_minor_unit()
    {
        // 7,000 SAR / 12.25 = 571.4285714… KWD: 571.428, never the 571.429 that would grant more than 7,000 SAR.
        var limit = CreditRules.EffectiveLimitOf(Customer("KWD"), null, SarWithKwd);
        limit.ShouldBe(new EffectiveLimit(571.428m, LimitSource.Company));

        Invoice(Customer("KWD"), 571.428m, SarWithKwd).Allowed.ShouldBeTrue();
        var over = Invoice(Customer("KWD"), 571.429m, SarWithKwd);
        over.Reasons.ShouldBe([ReasonCodes.CreditLimitExceeded]);
        over.Limit.ShouldBe(571.428m);
    }

    [Fact]
    public void A_group_default_converts_the_same_way_into_a_currency_without_decimals()
    {
        var policy = SarWithKwd with { ExchangeRates = new Dictionary<string, decimal> { ["JPY"] = 0.025m } };
        var limit = CreditRules.EffectiveLimitOf(Customer("JPY", group: "G1"), new GroupPosition("G1", 1000.01m, null, 0m), policy);
        limit.ShouldBe(new EffectiveLimit(40000m, LimitSource.Group)); // 40,000.4 yen: whole yen only, down
    }

    [Fact]
    public void Without_a_rate_an_inherited_limit_grants_nothing_and_says_why_whatever_the_rules_say()
    {
        var everyRuleOff = Sar with { Rules = ReasonCodes.Configurable.ToDictionary(c => c, _ => RuleMode.Off) };
        var decision = Invoice(Customer("KWD"), 1m, everyRuleOff);
        decision.Allowed.ShouldBeFalse();
        decision.Reasons.ShouldBe([ReasonCodes.ExchangeRateMissing]); // not NO_CREDIT: nobody set a limit of 0
        decision.Limit.ShouldBe(0m);
        decision.LimitSource.ShouldBe(LimitSource.Company);
        CreditRules.EffectiveLimitOf(Customer("KWD"), null, everyRuleOff).Unrated.ShouldBeTrue();
    }

    [Fact]
    public void The_customers_own_limit_a_zero_limit_and_no_limit_need_no_rate()
    {
        Invoice(Customer("KWD", ownLimit: 100.125m), 100.125m, Sar).Allowed.ShouldBeTrue();
        Invoice(Customer("KWD"), 0.001m, Sar with { DefaultCreditLimit = 0m }).Reasons.ShouldBe([ReasonCodes.NoCredit]);
        Invoice(Customer("KWD"), 1_000_000m, CreditPolicy.Default).Allowed.ShouldBeTrue();
    }

    [Fact]
    public void The_company_currency_itself_is_never_converted()
    {
        var kwdCompany = SarWithKwd with { Currency = "KWD", ExchangeRates = new Dictionary<string, decimal>() };
        CreditRules.EffectiveLimitOf(Customer("KWD"), null, kwdCompany).ShouldBe(new EffectiveLimit(7000m, LimitSource.Company));
        CreditRules.EffectiveLimitOf(Customer("SAR"), null, kwdCompany).Unrated.ShouldBeTrue();
    }

    [Theory]
    [InlineData("81.632", true)]   // 999.992 SAR joins 9,000 under a 10,000 pool
    [InlineData("81.633", false)]  // 1,000.00425 SAR: over by less than a halala, still over
    public void A_foreign_customers_request_joins_the_pool_at_its_rate_unrounded(string amount, bool allowed)
    {
        var pool = new GroupPosition("G1", null, 10_000m, 9_000m);
        var decision = Invoice(Customer("KWD", ownLimit: 1000m, group: "G1"), decimal.Parse(amount), SarWithKwd, pool);
        decision.Allowed.ShouldBe(allowed);
        if (!allowed) decision.Reasons.ShouldBe([ReasonCodes.GroupLimitExceeded]);
    }

    [Fact]
    public void A_pool_with_an_unrated_member_or_an_unrated_requester_refuses_instead_of_guessing()
    {
        var unknowable = new GroupPosition("G1", null, 10_000m, 0m, UnratedCurrency: "BHD");
        Invoice(Customer("SAR", ownLimit: 1000m, group: "G1"), 1m, SarWithKwd, unknowable).Reasons
            .ShouldBe([ReasonCodes.ExchangeRateMissing]);

        var pool = new GroupPosition("G1", null, 10_000m, 0m);
        Invoice(Customer("OMR", ownLimit: 1000m, group: "G1"), 1m, SarWithKwd, pool).Reasons.ShouldBe([ReasonCodes.ExchangeRateMissing]);

        // Both the inherited limit and the pool lack the rate: one reason, once.
        Invoice(Customer("OMR", group: "G1"), 1m, SarWithKwd, pool).Reasons.ShouldBe([ReasonCodes.ExchangeRateMissing]);

        // A document the customer's own deposit covers extends no credit: the pool need not be summed.
        var deposit = new PaymentReceived("D", 10m, Today, [], 10m, "fp-d");
        Invoice(Customer("SAR", ownLimit: 0m, group: "G1", deposit), 10m, SarWithKwd, unknowable).Allowed.ShouldBeTrue();
        Invoice(Customer("SAR", ownLimit: 0m, group: "G1", deposit), 10.01m, SarWithKwd, unknowable).Reasons
            .ShouldBe([ReasonCodes.NoCredit, ReasonCodes.ExchangeRateMissing]);
    }

    [Fact]
    public void Conversions_to_the_company_currency_are_exact_so_a_pool_adds_up_whatever_the_split()
    {
        SarWithKwd.ToCompanyCurrency(0.001m, "KWD").ShouldBe(0.01225m);
        (SarWithKwd.ToCompanyCurrency(0.001m, "KWD") + SarWithKwd.ToCompanyCurrency(0.002m, "KWD"))
            .ShouldBe(SarWithKwd.ToCompanyCurrency(0.003m, "KWD"));
        SarWithKwd.ToCompanyCurrency(5m, "BHD").ShouldBeNull();
        SarWithKwd.ToCompanyCurrency(0m, "BHD").ShouldBe(0m);
        SarWithKwd.ToCompanyCurrency(5m, "SAR").ShouldBe(5m);
    }

    [Fact]
    public void The_same_settings_in_new_lists_and_maps_are_the_same_policy()
    {
        var copy = SarWithKwd with
        {
            AgingBuckets = [.. SarWithKwd.AgingBuckets], DsoWindowsMonths = [.. SarWithKwd.DsoWindowsMonths],
            Rules = ReasonCodes.Configurable.ToDictionary(c => c, _ => RuleMode.Block),
            ExchangeRates = new Dictionary<string, decimal> { ["KWD"] = SarWithKwd.ExchangeRates["KWD"] * 1.000m },
        };
        copy.SameAs(SarWithKwd).ShouldBeTrue();
        (copy with { AgingBuckets = [30, 60, 120] }).SameAs(SarWithKwd).ShouldBeFalse();
        (copy with { Rules = new Dictionary<string, RuleMode> { ["OVERDUE_INVOICES"] = RuleMode.Warn } }).SameAs(SarWithKwd).ShouldBeFalse();
        (copy with { ExchangeRates = new Dictionary<string, decimal>() }).SameAs(SarWithKwd).ShouldBeFalse();
        (copy with { GraceDays = 1 }).SameAs(SarWithKwd).ShouldBeFalse();
    }

    [Fact]
    public void Policies_that_differ_only_in_what_reports_read_decide_alike()
    {
        (SarWithKwd with { AgingBuckets = [15, 45], DsoWindowsMonths = [6] }).DecidesAs(SarWithKwd).ShouldBeTrue();
        (SarWithKwd with { AgingBuckets = [15, 45], GraceDays = 3 }).DecidesAs(SarWithKwd).ShouldBeFalse();
        (SarWithKwd with { ReminderDaysBefore = 7 }).DecidesAs(SarWithKwd).ShouldBeFalse(); // the reminders a decision schedules
        (SarWithKwd with { OrderReviewThreshold = 5000 }).DecidesAs(SarWithKwd).ShouldBeFalse();
        (SarWithKwd with { ExchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.3m } }).DecidesAs(SarWithKwd).ShouldBeFalse();
    }

    [Fact]
    public void Only_a_higher_default_another_currency_or_a_new_or_changed_rate_may_give_more_credit()
    {
        SarWithKwd.MayRaiseLimits(SarWithKwd with { }).ShouldBeFalse();
        (SarWithKwd with { GraceDays = 30, OrderReviewThreshold = 5m, Rules = new Dictionary<string, RuleMode>() }).MayRaiseLimits(SarWithKwd).ShouldBeFalse();
        (SarWithKwd with { ExchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } }).MayRaiseLimits(SarWithKwd).ShouldBeFalse();
        (SarWithKwd with { DefaultCreditLimit = 7001m }).MayRaiseLimits(SarWithKwd).ShouldBeTrue();
        (SarWithKwd with { DefaultCreditLimit = 6999m }).MayRaiseLimits(SarWithKwd).ShouldBeFalse(); // lower: nothing held can pass now
        (SarWithKwd with { DefaultCreditLimit = null }).MayRaiseLimits(SarWithKwd).ShouldBeTrue(); // none at all: unlimited
        (SarWithKwd with { DefaultCreditLimit = 5m }).MayRaiseLimits(SarWithKwd with { DefaultCreditLimit = null }).ShouldBeFalse();
        (SarWithKwd with { Currency = "USD" }).MayRaiseLimits(SarWithKwd).ShouldBeTrue();
        Sar.MayRaiseLimits(SarWithKwd).ShouldBeFalse(); // a rate taken away leaves the limit unknowable, never larger
        SarWithKwd.MayRaiseLimits(Sar).ShouldBeTrue(); // a new rate: 0 becomes a limit
        (SarWithKwd with { ExchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.2m } }).MayRaiseLimits(SarWithKwd).ShouldBeTrue();
        // A higher rate shrinks an inherited limit, but a pool member in credit in that currency gives the pool more room.
        (SarWithKwd with { ExchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.3m } }).MayRaiseLimits(SarWithKwd).ShouldBeTrue();
    }

    [Theory]
    [InlineData(40, true)]    // 490 SAR
    [InlineData(45, false)]   // 551.25 SAR, though 45 < 500
    public void The_order_review_threshold_is_compared_in_the_company_currency(int kwd, bool allowed)
    {
        var policy = SarWithKwd with { DefaultCreditLimit = null, OrderReviewThreshold = 500m };
        var decision = CreditRules.Decide(Customer("KWD"), policy, null, new CreditRequest(DocumentKind.Order, kwd, Today), Today);
        decision.Allowed.ShouldBe(allowed);
        if (!allowed) decision.Reasons.ShouldBe([ReasonCodes.OrderValueReview]);
    }

    [Fact]
    public void An_order_in_a_currency_without_a_rate_cannot_be_shown_under_the_threshold_and_is_held_for_the_rate()
    {
        var policy = Sar with { DefaultCreditLimit = null, OrderReviewThreshold = 500m };
        CreditRules.Decide(Customer("KWD"), policy, null, new CreditRequest(DocumentKind.Order, 1m, Today), Today)
            .Reasons.ShouldBe([ReasonCodes.ExchangeRateMissing]);
        // With the review off, the threshold asks for no rate.
        var off = policy with { Rules = new Dictionary<string, RuleMode> { [ReasonCodes.OrderValueReview] = RuleMode.Off } };
        CreditRules.Decide(Customer("KWD"), off, null, new CreditRequest(DocumentKind.Order, 1m, Today), Today).Allowed.ShouldBeTrue();
    }

    [Fact]
    public void Where_the_review_only_warns_an_unconvertible_order_goes_through_with_the_missing_rate_as_its_warning()
    {
        var warn = Sar with
        {
            DefaultCreditLimit = null, OrderReviewThreshold = 500m,
            Rules = new Dictionary<string, RuleMode> { [ReasonCodes.OrderValueReview] = RuleMode.Warn },
        };
        var decision = CreditRules.Decide(Customer("KWD"), warn, null, new CreditRequest(DocumentKind.Order, 1m, Today), Today);
        decision.Allowed.ShouldBeTrue();
        decision.Warnings.ShouldBe([ReasonCodes.ExchangeRateMissing]);
        // A rate the limit itself needs still blocks, and is not repeated as a warning.
        var inherited = warn with { DefaultCreditLimit = 1_000m };
        var refused = CreditRules.Decide(Customer("KWD"), inherited, null, new CreditRequest(DocumentKind.Order, 1m, Today), Today);
        refused.Reasons.ShouldBe([ReasonCodes.ExchangeRateMissing]);
        refused.Warnings.ShouldBeEmpty();
    }
}
