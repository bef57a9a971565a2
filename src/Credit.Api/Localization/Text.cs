using System.Globalization;
using System.Resources;

namespace Credit.Api.Localization;

/// <summary>Messages by stable code, in the request's language (Accept-Language: ar or en; default en).</summary>
public static class Text
{
    private static readonly ResourceManager Resources = new("Credit.Api.Localization.Messages", typeof(Text).Assembly);

    public static readonly CultureInfo English = new("en"), Arabic = new("ar");
    public static readonly CultureInfo[] Supported = [English, Arabic];

    public static string Of(string code) => Resources.GetString(code, CultureInfo.CurrentUICulture) ?? code;

    public static bool IsArabic(CultureInfo language) => language.TwoLetterISOLanguageName == "ar";

    // Sentences around figures, apart from the codes (the API reference lists every code from Messages).
    private static readonly ResourceManager Phrases = new("Credit.Api.Localization.Phrases", typeof(Text).Assembly);

    public static string Phrase(string key, params object[] args) => PhraseIn(CultureInfo.CurrentUICulture, key, args);

    /// <summary>
    /// What a reason code says of an account as it stands (a balance's statusReasons): the refusal's own sentence, except
    /// where that speaks of "this amount" a balance has none of.
    /// </summary>
    public static string StatusOf(string code) => Phrases.GetString("STATUS_" + code, CultureInfo.CurrentUICulture) ?? Of(code);

    /// <summary>A release's reason as shown: the system's own, which the event keeps in English, in the request's language.</summary>
    public static string? ReleaseReason(string? reason, string? by) =>
        by == Domain.Orders.OrderDecisions.SystemUser && reason == Domain.Orders.OrderDecisions.AutoReleaseReason
            ? Phrase("AUTO_RELEASE_REASON") : reason;

    /// <summary>A phrase in a given language (messages that leave without a request: reminders for SMS/e-mail).</summary>
    public static string PhraseIn(CultureInfo language, string key, params object[] args) =>
        string.Format(CultureInfo.InvariantCulture, Phrases.GetString(key, language) ?? key,
            IsArabic(language) ? Array.ConvertAll(args, Isolated) : args);

    /// <summary>
    /// In Arabic text, a value without Arabic letters (an id, a date, a Latin name) is isolated (FSI … PDI): right to left,
    /// "2026-001" was shown as "001-2026" and "Acme Ltd." with its full stop on the wrong side. Amounts ("10,000.00 ر.س")
    /// and nested Arabic phrases read right as they are.
    /// </summary>
    private static object Isolated(object arg) =>
        arg is string { Length: > 0 } s && s[0] != '\u2068' && !s.Any(c => c is >= '\u0600' and <= '\u06FF') ? $"\u2068{s}\u2069" : arg;

    // The Gulf currencies as a merchant reads them in Arabic; others by their ISO code.
    private static readonly Dictionary<string, string> ArabicSymbols = new()
    {
        ["SAR"] = "ر.س", ["AED"] = "د.إ", ["KWD"] = "د.ك", ["BHD"] = "د.ب", ["OMR"] = "ر.ع", ["QAR"] = "ر.ق",
    };

    /// <summary>10,000.00 SAR (English) or 10,000.00 ر.س (Arabic), to the currency's minor unit.</summary>
    public static string Money(decimal amount, string currency) => MoneyIn(CultureInfo.CurrentUICulture, amount, currency);

    public static string MoneyIn(CultureInfo language, decimal amount, string currency)
    {
        var figure = amount.ToString("N" + Domain.Money.Currency.MinorUnits(currency), CultureInfo.InvariantCulture);
        var unit = IsArabic(language) ? ArabicSymbols.GetValueOrDefault(currency, currency) : currency;
        return $"{figure} {unit}";
    }
}
