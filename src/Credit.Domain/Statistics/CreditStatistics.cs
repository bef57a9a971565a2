namespace Credit.Domain.Statistics;

/// <summary>One business day's movements on an account (only days with activity are listed).</summary>
public sealed record DailyActivity(
    DateOnly Date, decimal Sales, decimal OpeningBalance, decimal Receipts, decimal Reversals, decimal CreditNotes, decimal OrdersChange)
{
    public decimal OutstandingChange => Sales + OpeningBalance + Reversals - Receipts - CreditNotes;
}

/// <summary>A customer-level limit from that business date on; Amount null and not unlimited = inherited (also the
/// account's opening without a limit of its own).</summary>
public sealed record LimitChange(DateOnly Date, decimal? Amount, bool Unlimited);

public sealed record DsoFigure(int WindowMonths, decimal? Days, decimal? CountBackDays);

/// <summary>Amount null when the window has no days (asOf before customerSince): a mean over nothing, like DSO's null.</summary>
public sealed record AverageBalance(int WindowMonths, decimal? Amount);

/// <summary>CustomerSince null: no document or opening balance yet (as the profile says), so no window and every figure null.</summary>
public sealed record CustomerStatistics(
    DateOnly AsOf, DateOnly? CustomerSince, decimal Outstanding, IReadOnlyList<DsoFigure> Dso, IReadOnlyList<AverageBalance> AverageBalance,
    decimal? AverageCreditUsagePct, decimal? AverageExposurePct);

/// <summary>
/// Days sales outstanding and average balances as Dynamics 365 credit management defines them, by business date:
/// <list type="bullet">
/// <item>Window of n months: the days after (asOf − n months) up to and including asOf, none before customerSince.</item>
/// <item>Simple DSO: outstanding at asOf ÷ credit sales in the window × days in the window (null without sales).</item>
/// <item>Count-back DSO: consume outstanding with each calendar month's sales, newest first, counting the
/// consumed months' days and the last month's fraction; all days since customerSince if history runs out.</item>
/// <item>Average balance: mean end-of-day outstanding over the window; usage and exposure %: mean of outstanding
/// (or exposure) ÷ effective limit × 100 over the first window's days that had a finite non-zero limit.</item>
/// </list>
/// </summary>
public static class CreditStatistics
{
    public static CustomerStatistics Compute(
        IReadOnlyList<DailyActivity> activity, IReadOnlyList<LimitChange> limits, decimal? inheritedLimit,
        DateOnly? customerSince, DateOnly asOf, IReadOnlyList<int> windowsMonths, string currency)
    {
        // End-of-day outstanding, exposure and sales to date at each day with movements, looked up by binary search:
        // the cost follows the movements and the windows, not the days from the first movement to asOf (a report as of
        // 2199 once walked every day to it, 13 s for 3,000 customers).
        var dates = new List<DateOnly>();
        var ends = new List<(decimal Outstanding, decimal Exposure, decimal SalesTo)>();
        decimal runningOutstanding = 0, runningOrders = 0, runningSales = 0;
        foreach (var r in activity.Where(a => a.Date <= asOf).OrderBy(a => a.Date))
        {
            (runningOutstanding, runningOrders, runningSales) = (runningOutstanding + r.OutstandingChange, runningOrders + r.OrdersChange, runningSales + r.Sales);
            var end = (runningOutstanding, runningOutstanding + runningOrders, runningSales);
            if (dates.Count > 0 && dates[^1] == r.Date) ends[^1] = end;
            else
            {
                dates.Add(r.Date);
                ends.Add(end);
            }
        }
        // The end of the last day with movements on or before that day (nothing before the first).
        (decimal Outstanding, decimal Exposure, decimal SalesTo) EndOf(DateOnly day)
        {
            var at = dates.BinarySearch(day);
            var last = at >= 0 ? at : ~at - 1;
            return last >= 0 ? ends[last] : default;
        }
        decimal OutstandingOn(DateOnly day) => EndOf(day).Outstanding;
        decimal SalesBetween(DateOnly from, DateOnly to) => EndOf(to).SalesTo - EndOf(from.AddDays(-1)).SalesTo;

        var outstandingNow = OutstandingOn(asOf);
        // Without a stated date, the first document's (an order is none): with no document yet there is no history to
        // measure, as the profile's customerSince is null too.
        var firstDocument = activity.Where(a => a.Sales != 0 || a.OpeningBalance != 0 || a.Receipts != 0 || a.Reversals != 0 || a.CreditNotes != 0)
            .Select(a => (DateOnly?)a.Date).Min();
        if ((customerSince ?? firstDocument) is not { } since)
            return new CustomerStatistics(asOf, null, outstandingNow, windowsMonths.Select(m => new DsoFigure(m, null, null)).ToList(),
                windowsMonths.Select(m => new AverageBalance(m, null)).ToList(), null, null);

        var countBack = CountBack(outstandingNow, since, asOf, SalesBetween);
        var dso = new List<DsoFigure>();
        var averages = new List<AverageBalance>();
        foreach (var months in windowsMonths)
        {
            var (start, days) = Window(months, since, asOf);
            var sales = days > 0 ? SalesBetween(start, asOf) : 0m;
            decimal? simple = sales > 0 ? Math.Round(outstandingNow / sales * days, 2, MidpointRounding.AwayFromZero) : null;
            dso.Add(new DsoFigure(months, simple, countBack));
            decimal? mean = days > 0 ? Enumerable.Range(0, days).Select(i => OutstandingOn(start.AddDays(i))).Average() : null;
            averages.Add(new AverageBalance(months, mean is { } m ? Money.Currency.Round(m, currency) : null));
        }

        decimal? usage = null, exposurePct = null;
        if (windowsMonths.Count > 0)
        {
            var (start, days) = Window(windowsMonths[0], since, asOf);
            var usageDays = new List<decimal>();
            var exposureDays = new List<decimal>();
            for (var i = 0; i < days; i++)
            {
                var d = start.AddDays(i);
                if (LimitOn(d, limits, inheritedLimit) is not { } limit || limit == 0) continue;
                usageDays.Add(OutstandingOn(d) / limit * 100);
                exposureDays.Add(EndOf(d).Exposure / limit * 100);
            }
            if (usageDays.Count > 0)
            {
                usage = Math.Round(usageDays.Average(), 2, MidpointRounding.AwayFromZero);
                exposurePct = Math.Round(exposureDays.Average(), 2, MidpointRounding.AwayFromZero);
            }
        }
        return new CustomerStatistics(asOf, since, outstandingNow, dso, averages, usage, exposurePct);
    }

    public static (DateOnly Start, int Days) Window(int months, DateOnly since, DateOnly asOf)
    {
        var start = Max(asOf.AddMonths(-months).AddDays(1), since);
        return (start, Math.Max(asOf.DayNumber - start.DayNumber + 1, 0));
    }

    public static decimal? CountBack(decimal outstanding, DateOnly since, DateOnly asOf, Func<DateOnly, DateOnly, decimal> salesBetween)
    {
        if (asOf < since) return null;
        if (outstanding <= 0) return 0m;
        var remaining = outstanding;
        var days = 0m;
        var end = asOf;
        while (true)
        {
            var start = Max(new DateOnly(end.Year, end.Month, 1), since);
            var periodDays = end.DayNumber - start.DayNumber + 1;
            var sales = salesBetween(start, end);
            if (sales >= remaining && sales > 0)
                return Math.Round(days + remaining / sales * periodDays, 2, MidpointRounding.AwayFromZero);
            days += periodDays;
            remaining -= sales;
            if (start <= since) return asOf.DayNumber - since.DayNumber + 1; // history ran out
            end = start.AddDays(-1);
        }
    }

    /// <summary>
    /// The effective limit that day: the customer's own if set, else the inherited one; null = unlimited. Days before the
    /// first recorded change (a history migrated with backdated documents) take the limit the account was opened with,
    /// as it stood at the end of that first day: the opening's own limit, or none (inherited) when it was opened without.
    /// </summary>
    public static decimal? LimitOn(DateOnly day, IReadOnlyList<LimitChange> limits, decimal? inheritedLimit)
    {
        if (limits.Count == 0) return inheritedLimit;
        var last = limits.Where(l => l.Date <= day).LastOrDefault() ?? limits.Last(l => l.Date == limits[0].Date);
        if (last.Unlimited) return null;
        return last.Amount ?? inheritedLimit;
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
