namespace Credit.Api.Hosting;

/// <summary>Business dates in the company's time zone (Riyadh by default), from the injected TimeProvider.</summary>
public sealed class BusinessCalendar(TimeProvider clock, TimeZoneInfo zone)
{
    public static BusinessCalendar From(TimeProvider clock, IConfiguration config)
    {
        var id = config["Credit:TimeZone"] ?? "Asia/Riyadh";
        return new BusinessCalendar(clock, TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc);
    }

    public DateTimeOffset Now => clock.GetUtcNow();

    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
}
