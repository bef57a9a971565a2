namespace Credit.Api.Hosting;

/// <summary>Business dates in the company's time zone (Riyadh by default), from the injected TimeProvider.</summary>
public sealed class BusinessCalendar(TimeProvider clock, TimeZoneInfo zone)
{
    public static BusinessCalendar From(TimeProvider clock, IConfiguration config) => new(clock, ZoneFrom(config));

    public static TimeZoneInfo ZoneFrom(IConfiguration config)
    {
        var id = config["Credit:TimeZone"] ?? "Asia/Riyadh";
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    public TimeZoneInfo Zone => zone;

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>When reminders for a business date go out: 08:00 in the company's time zone.</summary>
    public DateTimeOffset MorningOf(DateOnly date)
    {
        var local = date.ToDateTime(new TimeOnly(8, 0));
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>The last instant of a business date: "as of 2026-03-31" means at the close of that day.</summary>
    public DateTimeOffset EndOf(DateOnly date)
    {
        var next = date.AddDays(1).ToDateTime(TimeOnly.MinValue);
        // In UTC: Npgsql writes only offset-zero values to timestamptz. Timestamps are stored to the microsecond.
        return new DateTimeOffset(next, zone.GetUtcOffset(next)).AddTicks(-10).ToUniversalTime();
    }

    public DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    public DateOnly Today => DateOf(clock.GetUtcNow());
}
