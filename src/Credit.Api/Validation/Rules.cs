using System.Text;
using Credit.Domain.Accounts;
using Credit.Domain.Money;
using FluentValidation;

namespace Credit.Api.Validation;

/// <summary>Field rules shared by every request: ids, money, reasons, terms. Codes are stable, messages localized.</summary>
public static class Rules
{
    public const decimal MaxAmount = 1_000_000_000_000m;
    public const int MaxReasonLength = 500;
    private static readonly System.Text.RegularExpressions.Regex IdPattern = new(@"^[A-Za-z0-9._-]{1,64}\z"); // \z: "$" also matches before a final newline

    /// <summary>The contract's pattern, but not dots alone: "." and ".." are path segments URLs resolve away, so a
    /// document with such an id could be created and never addressed again.</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern.IsMatch(id) && id.AsSpan().TrimStart('.').Length > 0;

    public static IRuleBuilderOptions<T, string?> BusinessId<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(IsValidId).WithCode("INVALID_ID");

    public static IRuleBuilderOptions<T, string> RequiredId<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(IsValidId).WithCode("INVALID_ID");

    /// <summary>0 &lt; amount ≤ 1e12 with at most 3 decimals here; the account's currency narrows it further.</summary>
    public static IRuleBuilderOptions<T, decimal> Money<T>(this IRuleBuilder<T, decimal> rule) =>
        rule.GreaterThan(0).WithCode("AMOUNT_NOT_POSITIVE")
            .LessThanOrEqualTo(MaxAmount).WithCode("AMOUNT_TOO_LARGE")
            .Must(a => decimal.Round(a, 3) == a).WithCode("AMOUNT_PRECISION");

    public static IRuleBuilderOptions<T, decimal?> OptionalLimit<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.Must(a => a is null or >= 0).WithCode("AMOUNT_NEGATIVE")
            .Must(a => a is null or <= MaxAmount).WithCode("AMOUNT_TOO_LARGE")
            .Must(a => a is null || decimal.Round(a.Value, 3) == a).WithCode("AMOUNT_PRECISION");

    /// <summary>No more decimals than the currency's minor unit (an unknown currency is reported on its own field).</summary>
    public static IRuleBuilderOptions<T, decimal?> FitsCurrency<T>(this IRuleBuilderOptions<T, decimal?> rule, Func<T, string?> currency) =>
        rule.Must((x, a) => a is null || Fits(a.Value, currency(x) ?? Currency.Default)).WithCode("AMOUNT_PRECISION");

    private static bool Fits(decimal amount, string currency) => !Currency.IsKnown(currency) || Currency.FitsMinorUnit(amount, currency);

    /// <summary>Nothing a reader would see: empty, white space, or invisible marks (zero-width space, direction marks, BOM).</summary>
    public static bool IsBlank(string? text)
    {
        if (text is null) return true;
        foreach (var rune in text.EnumerateRunes())
            if (!Rune.IsWhiteSpace(rune) && !Invisible(rune)) return false;
        return true;
    }

    // Format and control characters (zero-width space, direction marks, BOM, tags), and the letters and marks that draw
    // nothing: the combining grapheme joiner, the Hangul fillers, the braille blank.
    private static bool Invisible(Rune r) =>
        Rune.GetUnicodeCategory(r) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.Control
        || r.Value is 0x034F or 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800;

    public static IRuleBuilderOptions<T, string?> Reason<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(r => !IsBlank(r)).WithCode("REQUIRED")
            .Must(r => r is null || r.Length <= MaxReasonLength).WithCode("TOO_LONG")
            .Must(r => IsPrintable(r, lineBreaks: true)).WithCode("CONTROL_CHARACTERS");

    /// <summary>
    /// Text people read back on statements, hold queues and reminders: no control characters (a bell, an escape) and no
    /// direction overrides (U+202A-U+202E, which can make "INV-1" display as another text); marks and isolates, which
    /// Arabic text uses, are kept. A reason may run over lines.
    /// </summary>
    public static bool IsPrintable(string? text, bool lineBreaks = false)
    {
        if (text is null) return true;
        foreach (var c in text)
        {
            if (c is >= '\u202A' and <= '\u202E') return false;
            if (char.IsControl(c) && !(lineBreaks && c is '\n' or '\r' or '\t')) return false;
        }
        return true;
    }

    public static IRuleBuilderOptions<T, PaymentTerms?> Terms<T>(this IRuleBuilder<T, PaymentTerms?> rule) =>
        rule.Must(t => t is null || t.IsValid).WithCode("INVALID_TERMS");

    /// <summary>Error code plus the message in the request's language, looked up when the rule fails.</summary>
    public static IRuleBuilderOptions<T, TProperty> WithCode<T, TProperty>(this IRuleBuilderOptions<T, TProperty> rule, string code) =>
        rule.WithErrorCode(code).WithMessage(_ => Localization.Text.Of(code));
}
