using System.Text.Json.Serialization;

namespace Credit.Domain.Accounts;

/// <summary>One of: n days, n calendar months (clamped to month end), or end of the issue month plus n days.
/// No terms at all means due on issue.</summary>
public sealed record PaymentTerms(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Days = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Months = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? EndOfMonthPlusDays = null)
{
    public static DateOnly DueDate(PaymentTerms? terms, DateOnly issuedOn) => terms switch
    {
        null => issuedOn,
        { Days: { } days } => issuedOn.AddDays(days),
        // DateOnly.AddMonths clamps: 31 Jan + 1 month = 28/29 Feb.
        { Months: { } months } => issuedOn.AddMonths(months),
        { EndOfMonthPlusDays: { } extra } =>
            new DateOnly(issuedOn.Year, issuedOn.Month, DateTime.DaysInMonth(issuedOn.Year, issuedOn.Month)).AddDays(extra),
        _ => issuedOn,
    };

    /// <summary>True when <paramref name="asked"/> gives the customer longer to pay than <paramref name="agreed"/>
    /// for a document dated <paramref name="on"/>.</summary>
    public static bool IsLonger(PaymentTerms? asked, PaymentTerms? agreed, DateOnly on) =>
        DueDate(asked, on) > DueDate(agreed, on);

    [JsonIgnore]
    public bool IsValid =>
        new[] { Days.HasValue, Months.HasValue, EndOfMonthPlusDays.HasValue }.Count(x => x) == 1
        && (Days ?? Months ?? EndOfMonthPlusDays) is >= 0 and <= 3650;
}
