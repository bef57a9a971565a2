using System.Globalization;
using Credit.Api.Errors;

namespace Credit.Api.Hosting;

/// <summary>Business dates in query strings: yyyy-mm-dd, real calendar dates; anything else is a field error.</summary>
public static class BusinessDates
{
    public static DateOnly? Parse(string? value, string field, List<(string Field, string Code)> errors)
    {
        if (value is null) return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        errors.Add((field, "INVALID_DATE"));
        return null;
    }

    /// <summary><c>?asOf=</c>: the date asked for, today when absent, or the 400 to answer.</summary>
    public static bool TryAsOf(string? asOf, BusinessCalendar calendar, out DateOnly day, out IResult? problem)
    {
        var errors = new List<(string, string)>();
        day = Parse(asOf, "asOf", errors) ?? calendar.Today;
        problem = errors.Count > 0 ? Problems.Validation(errors) : null;
        return problem is null;
    }
}
