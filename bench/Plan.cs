namespace CreditLedger.Bench;

/// <summary>Sizes and durations of one run; --quick shrinks everything so a run fits in under 3 minutes.</summary>
public sealed record Plan(
    bool Quick,
    int[] Clients,
    TimeSpan PgbenchWarmup,
    TimeSpan PgbenchMeasure,
    TimeSpan LoadWarmup,
    TimeSpan LoadMeasure,
    int Customers,
    int TimeTravelEvents,
    int TimeTravelViaApi,
    int TimeTravelCalls,
    int RebuildEvents,
    TimeSpan QuietWait,
    int Attempts)
{
    /// <summary>Other processes may take this much of the machine (%) before a level is measured again.</summary>
    public const double OtherCpuLimit = 10;

    public static readonly Plan Full = new(false, [1, 4, 16, 64],
        TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(15),
        TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20),
        Customers: 1_000, TimeTravelEvents: 10_000, TimeTravelViaApi: 10_000, TimeTravelCalls: 50, RebuildEvents: 200_000,
        QuietWait: TimeSpan.FromSeconds(60), Attempts: 3);

    public static readonly Plan QuickRun = new(true, [1, 4, 16, 64],
        TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4),
        TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5),
        Customers: 200, TimeTravelEvents: 1_200, TimeTravelViaApi: 1_200, TimeTravelCalls: 20, RebuildEvents: 10_000,
        QuietWait: TimeSpan.Zero, Attempts: 1);

    /// <summary>The level ratio16 compares (16 clients), or the closest one the plan has.</summary>
    public int RatioClients => Clients.OrderBy(c => Math.Abs(c - 16)).First();
}
