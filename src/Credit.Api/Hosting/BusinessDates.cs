using System.Globalization;
using Credit.Api.Errors;

namespace Credit.Api.Hosting;

/// <summary>
/// Business dates in query strings: yyyy-mm-dd, real calendar dates between <see cref="Earliest"/> and
/// <see cref="Latest"/>; anything else is a field error. The range keeps date arithmetic (terms of months, windows
/// of years) inside the calendar: 9999-12-31 plus 60 days was a 500.
/// </summary>
public static class BusinessDates
{
    public static readonly DateOnly Earliest = new(1900, 1, 1);
    public static readonly DateOnly Latest = new(2199, 12, 31);

    public static bool InRange(DateOnly date) => date >= Earliest && date <= Latest;

    /// <summary>yyyy-mm-dd, a real calendar day (its range is checked apart).</summary>
    public static bool TryParse(string? value, out DateOnly date) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static DateOnly? Parse(string? value, string field, List<(string Field, string Code)> errors)
    {
        if (value is null) return null;
        if (TryParse(value, out var date))
        {
            if (InRange(date)) return date;
            errors.Add((field, "DATE_OUT_OF_RANGE"));
            return null;
        }
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

/// <summary>Dates in request bodies: as the serializer's own (yyyy-mm-dd), and inside <see cref="BusinessDates"/>' range;
/// outside it the body is refused with the field named, like any value of the wrong form.</summary>
public sealed class BusinessDateJson : System.Text.Json.Serialization.JsonConverter<DateOnly>
{
    public override DateOnly Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        // Without a message the serializer writes its own, with the field's path: the 400 then names the field.
        if (reader.TokenType != System.Text.Json.JsonTokenType.String || !BusinessDates.TryParse(reader.GetString(), out var date)
            || !BusinessDates.InRange(date))
            throw new System.Text.Json.JsonException();
        return date;
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateOnly value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
}

/// <summary>Timestamps go out in UTC with a Z, to the microsecond the database keeps ("2026-11-30T08:29:26.368987Z"):
/// the contract's "ISO-8601 UTC" in its most common form, and what time travel's asOf takes back as it is.</summary>
public sealed class TimestampJson : System.Text.Json.Serialization.JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(System.Text.Json.Utf8JsonWriter writer, DateTimeOffset value, System.Text.Json.JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
}
