using Credit.Domain.Statistics;

namespace Credit.Domain.Tests;

public class StatisticsTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s);

    private static DailyActivity Sale(string on, decimal amount) => new(D(on), amount, 0, 0, 0, 0, 0);
    private static DailyActivity Receipt(string on, decimal amount) => new(D(on), 0, 0, amount, 0, 0, 0);

    /// <summary>The worked example: since 1 Jan 2026; sales 70k/80k/150k; 50k paid in March.</summary>
    private static readonly DailyActivity[] Example =
        [Sale("2026-01-10", 70_000), Sale("2026-02-10", 80_000), Sale("2026-03-05", 100_000), Sale("2026-03-25", 50_000), Receipt("2026-03-20", 50_000)];

    [Fact]
    public void Worked_example_simple_dso_is_75_days_and_count_back_67_86()
    {
        var s = CreditStatistics.Compute(Example, [], null, D("2026-01-01"), D("2026-03-31"), [3, 12], "SAR");
        s.Outstanding.ShouldBe(250_000m);
        s.Dso.ShouldBe([new DsoFigure(3, 75.00m, 67.86m), new DsoFigure(12, 75.00m, 67.86m)]);
    }

    [Fact]
    public void The_window_starts_the_day_after_asOf_minus_the_months_and_never_before_customer_since()
    {
        CreditStatistics.Window(3, D("2025-01-01"), D("2026-03-31")).ShouldBe((D("2026-01-01"), 90));
        CreditStatistics.Window(1, D("2025-01-01"), D("2028-03-31")).ShouldBe((D("2028-03-01"), 31));
        CreditStatistics.Window(1, D("2025-01-01"), D("2028-02-29")).ShouldBe((D("2028-01-30"), 31)); // leap February
        CreditStatistics.Window(12, D("2026-02-15"), D("2026-03-31")).ShouldBe((D("2026-02-15"), 45));
    }

    [Fact]
    public void Without_sales_in_the_window_simple_dso_is_null()
    {
        var s = CreditStatistics.Compute([Sale("2025-01-10", 1000)], [], null, D("2025-01-01"), D("2026-03-31"), [3], "SAR");
        s.Dso[0].Days.ShouldBeNull();
        s.Outstanding.ShouldBe(1000m);
    }

    [Fact]
    public void Count_back_returns_all_days_since_the_customer_started_when_history_runs_out()
    {
        // 1,000 outstanding from a 600 sale plus a 400 opening balance: sales never cover it.
        DailyActivity[] activity = [new(D("2026-02-01"), 0, 400, 0, 0, 0, 0), Sale("2026-03-10", 600)];
        var s = CreditStatistics.Compute(activity, [], null, D("2026-02-01"), D("2026-03-31"), [3], "SAR");
        s.Dso[0].CountBackDays.ShouldBe(59m); // 1 Feb .. 31 Mar
    }

    [Fact]
    public void The_month_of_asOf_counts_from_its_first_day_to_asOf()
    {
        var s = CreditStatistics.Compute([Sale("2026-03-02", 1000), Receipt("2026-03-03", 500)], [], null, D("2026-01-01"), D("2026-03-15"), [1], "SAR");
        s.Dso[0].CountBackDays.ShouldBe(7.5m); // 500 / 1000 × 15 days
    }

    /// <summary>
    /// History starts at customerSince, so the customer's first month counts from that day: the count-back never exceeds
    /// the customer's age and never falls as debt rises. (Counting the first month whole gave 61 days for a customer 52
    /// days old, and 0.01 more debt then gave 9 days fewer, the "history ran out" answer.)
    /// </summary>
    [Fact]
    public void Count_back_starts_the_first_month_at_customer_since_and_rises_with_debt()
    {
        var covered = CreditStatistics.Compute([Sale("2026-11-10", 300)], [], null, D("2026-11-10"), D("2026-11-30"), [3], "SAR");
        covered.Dso[0].CountBackDays.ShouldBe(21m); // 10 .. 30 November

        decimal? CountBack(decimal earlier) => CreditStatistics.Compute(
            [Sale("2026-10-05", earlier), Sale("2026-10-10", 600), Sale("2026-11-20", 300)], [], null, D("2026-10-05"), D("2026-11-30"), [3], "SAR")
            .Dso[0].CountBackDays;
        var age = D("2026-11-30").DayNumber - D("2026-10-05").DayNumber + 1;
        decimal? before = 0m;
        foreach (var earlier in new[] { 0.01m, 1m, 50m, 500m })
        {
            var days = CountBack(earlier);
            days.ShouldNotBeNull();
            days.Value.ShouldBeLessThanOrEqualTo(age);
            days.Value.ShouldBeGreaterThanOrEqualTo(before!.Value);
            before = days;
        }
    }

    [Fact]
    public void Nothing_outstanding_counts_back_zero_days()
    {
        var s = CreditStatistics.Compute([Sale("2026-03-02", 1000), Receipt("2026-03-03", 1000)], [], null, null, D("2026-03-15"), [1], "SAR");
        s.Dso[0].CountBackDays.ShouldBe(0m);
        s.Dso[0].Days.ShouldBe(0m);
    }

    [Fact]
    public void Orders_alone_make_no_history_every_figure_is_null()
    {
        // The profile's customerSince is null until a document (or an opening balance) comes: the statistics agree.
        var orders = new DailyActivity(D("2026-10-01"), 0, 0, 0, 0, 0, 100);
        var s = CreditStatistics.Compute([orders], [], 1000m, null, D("2026-11-30"), [3, 12], "SAR");
        s.CustomerSince.ShouldBeNull();
        s.Dso.ShouldAllBe(d => d.Days == null && d.CountBackDays == null);
        s.AverageBalance.ShouldAllBe(a => a.Amount == null);
        (s.AverageCreditUsagePct, s.AverageExposurePct).ShouldBe((null, null));
    }

    [Fact]
    public void Average_balance_is_the_mean_of_end_of_day_outstanding_over_the_window()
    {
        // 1,000 from day 1 to 10 of a 30-day window, then 400: (10 × 1000 + 20 × 400) / 30 = 600.
        var s = CreditStatistics.Compute([Sale("2026-04-01", 1000), Receipt("2026-04-11", 600)], [], null, D("2026-04-01"), D("2026-04-30"), [1], "SAR");
        s.AverageBalance.ShouldBe([new AverageBalance(1, 600m)]);
    }

    [Fact]
    public void Before_the_customers_history_begins_there_is_no_average_as_there_is_no_dso()
    {
        var s = CreditStatistics.Compute([Sale("2026-04-01", 1000)], [], null, D("2026-04-01"), D("2026-03-15"), [1, 12], "SAR");
        s.AverageBalance.ShouldBe([new AverageBalance(1, null), new AverageBalance(12, null)]);
        s.Dso.ShouldAllBe(d => d.Days == null && d.CountBackDays == null);
    }

    [Fact]
    public void A_customer_in_credit_averages_a_negative_balance()
    {
        // A credit note of 100 on 1 April, nothing else: -100 every day of the window.
        var s = CreditStatistics.Compute([new(D("2026-04-01"), 0, 0, 0, 0, 100, 0)], [], null, D("2026-04-01"), D("2026-04-30"), [1], "SAR");
        s.AverageBalance[0].Amount.ShouldBe(-100m);
        s.Dso[0].CountBackDays.ShouldBe(0m); // nothing outstanding to count back
        s.Dso[0].Days.ShouldBeNull(); // no sales
    }

    [Fact]
    public void Usage_and_exposure_are_averaged_over_days_with_a_finite_non_zero_limit()
    {
        DailyActivity[] activity = [Sale("2026-04-01", 500), new(D("2026-04-01"), 0, 0, 0, 0, 0, 250)];
        // 1–10 April limit 1,000 (50 % used, 75 % exposed); 11–20 unlimited (left out); 21–30 limit 2,000 (25 %, 37.5 %).
        LimitChange[] limits = [new(D("2026-04-01"), 1000, false), new(D("2026-04-11"), null, true), new(D("2026-04-21"), 2000, false)];
        var s = CreditStatistics.Compute(activity, limits, null, D("2026-04-01"), D("2026-04-30"), [1], "SAR");
        s.AverageCreditUsagePct.ShouldBe(37.5m);
        s.AverageExposurePct.ShouldBe(56.25m);
    }

    [Fact]
    public void An_inherited_limit_applies_when_the_customer_has_none_and_no_limit_means_no_usage_figure()
    {
        var activity = new[] { Sale("2026-04-01", 500) };
        CreditStatistics.Compute(activity, [], 1000m, D("2026-04-01"), D("2026-04-30"), [1], "SAR").AverageCreditUsagePct.ShouldBe(50m);
        CreditStatistics.Compute(activity, [], null, D("2026-04-01"), D("2026-04-30"), [1], "SAR").AverageCreditUsagePct.ShouldBeNull();
        CreditStatistics.Compute(activity, [new(D("2026-03-01"), 0, false)], null, D("2026-04-01"), D("2026-04-30"), [1], "SAR")
            .AverageCreditUsagePct.ShouldBeNull();
    }

    [Fact]
    public void A_migrated_history_before_the_account_was_opened_is_measured_against_the_limit_it_was_opened_with()
    {
        // Opened on 30 November with a limit of 2,000, its history entered backdated: June is measured against 2,000.
        LimitChange[] openedWithLimit = [new(D("2026-11-30"), null, false), new(D("2026-11-30"), 2000, false)];
        var s = CreditStatistics.Compute([Sale("2026-06-01", 1000)], openedWithLimit, 5000m, D("2026-06-01"), D("2026-06-30"), [1], "SAR");
        s.AverageCreditUsagePct.ShouldBe(50m);

        // Opened without a limit of its own (inheriting 5,000) and given 2,000 later: before the change, the inherited one.
        LimitChange[] setLater = [new(D("2026-11-30"), null, false), new(D("2026-12-15"), 2000, false)];
        CreditStatistics.Compute([Sale("2026-06-01", 1000)], setLater, 5000m, D("2026-06-01"), D("2026-06-30"), [1], "SAR")
            .AverageCreditUsagePct.ShouldBe(20m);
    }

    [Fact]
    public void As_of_a_date_far_ahead_carries_the_last_movements_figures()
    {
        // 170 years after the last movement (the figures are looked up by movement, not walked day by day).
        DailyActivity[] activity = [Sale("2026-04-01", 1000), Receipt("2026-04-11", 600)];
        var s = CreditStatistics.Compute(activity, [], 1000m, D("2026-04-01"), D("2199-12-31"), [1, 120], "SAR");
        s.Outstanding.ShouldBe(400m);
        s.AverageBalance.Select(a => a.Amount).ShouldBe([400m, 400m]);
        s.AverageCreditUsagePct.ShouldBe(40m);
        s.Dso[0].Days.ShouldBeNull(); // no sales in the window
    }

    [Fact]
    public void Backdated_documents_count_on_their_own_business_date()
    {
        // Recorded late, dated in February: it belongs to February's sales and balances.
        var s = CreditStatistics.Compute([Sale("2026-02-28", 900)], [], null, D("2026-02-01"), D("2026-02-28"), [1], "SAR");
        s.Dso[0].Days.ShouldBe(28m);
        s.AverageBalance[0].Amount.ShouldBe(32.14m); // 900 on 1 of 28 days
    }
}
