using Credit.Api.Localization;
using Credit.Domain.Decisions;

namespace Credit.Api.Errors;

public sealed record ReasonView(string Code, string Message);

/// <summary>RFC 9457 problem documents with a stable `code` and a localized `message`.</summary>
public static class Problems
{
    private static readonly int[] Titled = [400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503];

    /// <summary>The status's title in the request's language (an Arabic answer is Arabic throughout).</summary>
    private static string TitleOf(int status) => Text.Phrase(Titled.Contains(status) ? $"TITLE_{status}" : "TITLE_ERROR");

    /// <summary>A refusal's own title: the one a till shows ("Conflict" told a cashier nothing).</summary>
    private static string TitleOf(int status, string code) => code == ErrorCodes.CreditRefused ? Text.Phrase("TITLE_CREDIT_REFUSED") : TitleOf(status);

    public static Dictionary<string, object?> Body(int status, string code, string? detail = null)
    {
        var message = Text.Of(code);
        return new Dictionary<string, object?>
        {
            ["type"] = TypeOf(code),
            ["title"] = TitleOf(status, code),
            ["status"] = status,
            ["detail"] = detail ?? message,
            ["code"] = code,
            ["message"] = message,
        };
    }

    private static string TypeOf(string code) => $"https://creditledger.dev/problems/{code.ToLowerInvariant().Replace('_', '-')}";

    public static IResult Result(int status, string code, string? detail = null) => Json(status, Body(status, code, detail));

    /// <summary>A role refused, naming the roles that may ("your role does not allow this" left a clerk guessing whom to ask).</summary>
    public static IResult Forbidden(IReadOnlyCollection<string> roles)
    {
        if (roles.Count == 0) return Result(403, "FORBIDDEN");
        var named = string.Join(Text.Phrase("LIST_SEPARATOR"), roles.Select(r => Text.Phrase("ROLE_" + r.ToUpperInvariant())));
        var body = Body(403, "FORBIDDEN", Text.Phrase("FORBIDDEN_ROLES", named));
        body["roles"] = roles;
        return Json(403, body);
    }

    public static IResult Json(int status, Dictionary<string, object?> body) =>
        Results.Json(body, statusCode: status, contentType: "application/problem+json");

    /// <summary>400 with field -> messages, plus field -> codes for machines.</summary>
    public static IResult Validation(IEnumerable<(string Field, string Code)> failures)
    {
        var list = failures.ToList();
        var body = Body(400, "VALIDATION_FAILED");
        body["errors"] = list.GroupBy(f => f.Field).ToDictionary(g => g.Key, g => g.Select(f => Text.Of(f.Code)).Distinct().ToArray());
        body["errorCodes"] = list.GroupBy(f => f.Field).ToDictionary(g => g.Key, g => g.Select(f => f.Code).Distinct().ToArray());
        return Json(400, body);
    }

    /// <summary>Problems written by the framework (e.g. Wolverine's malformed-JSON 400) get our code and message too.</summary>
    public static void AddCode(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code")) return;
        // The JSON reader's positions and the parameter's name: our problems name fields in errors instead.
        problem.Extensions.Remove("lineNumber");
        problem.Extensions.Remove("bytePositionInLine");
        var parameterName = problem.Extensions.Remove("parameter", out var p) ? p as string : null;
        // A well-formed body with a value of the wrong type or form (a text amount, 2026-02-30): a validation error on
        // that field, as the contract's "400 with errors" has it. MALFORMED_JSON is kept for bodies that do not parse.
        var wrongField = problem.Status == 400 ? ConvertedField(problem.Detail) : null;
        var code = problem.Status switch
        {
            400 when wrongField is not null => "VALIDATION_FAILED",
            // No body at all (empty or white space): as a null body is answered.
            400 when problem.Detail?.Contains("does not contain any JSON tokens", StringComparison.Ordinal) == true => "BODY_REQUIRED",
            400 when problem.Title?.Contains("JSON", StringComparison.OrdinalIgnoreCase) == true => "MALFORMED_JSON",
            400 => "VALIDATION_FAILED",
            401 => "UNAUTHENTICATED",
            403 => "FORBIDDEN",
            404 => "NOT_FOUND",
            405 => "METHOD_NOT_ALLOWED",
            409 => "CONCURRENCY_CONFLICT",
            413 => "PAYLOAD_TOO_LARGE",
            415 => "UNSUPPORTED_MEDIA_TYPE",
            429 => "RATE_LIMITED",
            _ => "INTERNAL_ERROR",
        };
        problem.Extensions["code"] = code;
        problem.Extensions["message"] = Text.Of(code);
        // The same type and title as the problems we write ourselves (the framework's point at httpstatuses.com).
        problem.Type = TypeOf(code);
        problem.Title = TitleOf(problem.Status ?? 500);
        // The serializer names the request type, not the field's, so dates are known by the contract's names for them.
        if (wrongField is { } field) FieldError(problem, field, DateField.IsMatch(field) ? "INVALID_DATE" : "INVALID_VALUE");
        // A query-string value that does not parse (Wolverine names it in "parameter"): a field error like any other.
        else if (code == "VALIDATION_FAILED" && parameterName is { } name) FieldError(problem, name, "INVALID_VALUE");
        else if (code is not ("BODY_REQUIRED" or "MALFORMED_JSON")) return;
        // The framework's own text names our request types ("could not be converted to Credit.Api…"): ours instead.
        problem.Detail = Text.Of(code);
    }

    /// <summary>The field a value of the wrong type or form was given for ("could not be converted … Path: $.amount"), or
    /// null: a body that does not parse as JSON names no such field.</summary>
    private static string? ConvertedField(string? detail) =>
        detail is not null && detail.Contains("could not be converted", StringComparison.Ordinal)
        && JsonPath.Match(detail) is { Success: true } path && path.Groups[1].Value.Length > 0
            ? DictionaryKey.Replace(QuotedKey.Replace(path.Groups[1].Value, "[$1]"), "$1[$2]") : null;

    /// <summary>A dictionary key the serializer quotes in its path (exchangeRates['K.W[D]'], exchangeRates['K'W']), named as
    /// validation names keys.</summary>
    private static readonly System.Text.RegularExpressions.Regex QuotedKey = new(@"\['(.*?)'\](?=$|[.\[])");

    /// <summary>A plain key of the policy's maps, which the serializer writes as a property (rules.OVERDUE_INVOICES): named
    /// rules[OVERDUE_INVOICES], as validation names it.</summary>
    private static readonly System.Text.RegularExpressions.Regex DictionaryKey = new(@"^(rules|exchangeRates)\.(.+)$");

    /// <summary>One field's error in the shape <see cref="Validation"/> gives: field -> messages and field -> codes.</summary>
    private static void FieldError(Microsoft.AspNetCore.Mvc.ProblemDetails problem, string field, string code)
    {
        problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [Text.Of(code)] };
        problem.Extensions["errorCodes"] = new Dictionary<string, string[]> { [field] = [code] };
    }

    private static readonly System.Text.RegularExpressions.Regex JsonPath = new(@"Path: \$\.?(.*?) \| LineNumber");

    /// <summary>issuedOn, dueOn, installments[0].dueOn, customerSince, openingBalance.asOf...: every body date.</summary>
    private static readonly System.Text.RegularExpressions.Regex DateField = new(@"(On|Since|asOf)$");

    public static IReadOnlyList<ReasonView> Reasons(IEnumerable<string> codes) => codes.Select(c => new ReasonView(c, Text.Of(c))).ToList();

    /// <summary>Reasons an account is blocked, said of the account as it stands (<see cref="Text.StatusOf"/>).</summary>
    public static IReadOnlyList<ReasonView> StatusReasons(IEnumerable<string> codes) =>
        codes.Select(c => new ReasonView(c, Text.StatusOf(c))).ToList();

    /// <summary>The one place a domain rejection becomes HTTP.</summary>
    public static IResult From(Rejection rejection) => rejection.Kind switch
    {
        RejectionKind.Invalid => Validation((rejection.FieldErrors ?? new Dictionary<string, string[]>())
            .SelectMany(kv => kv.Value.Select(code => (kv.Key, code)))),
        RejectionKind.NotFound => Result(404, rejection.Code),
        RejectionKind.Forbidden => Result(403, rejection.Code),
        RejectionKind.Refused => Refused(rejection.Decision!),
        _ => Result(409, rejection.Code, rejection.Detail is { } detail ? Text.Phrase(detail) : null),
    };

    private static IResult Refused(CreditDecision decision)
    {
        // The detail a POS shows as it is: every reason, then the figures (Daftra's "exceeded the allowed limit" with amounts).
        // A customer (or a pool) in credit or over its limit is said so ("in credit by 500.00", "over the limit by 450.00"),
        // not shown a negative amount used or available, which an accountant reads as an error.
        var currency = decision.Currency;
        string Used(decimal exposure, string c, string key = "FIGURE_USED", string inCredit = "FIGURE_IN_CREDIT") =>
            exposure < 0 ? Text.Phrase(inCredit, Text.Money(-exposure, c)) : Text.Phrase(key, Text.Money(exposure, c));
        string Left(decimal available, string c, string over = "FIGURE_OVER_LIMIT") =>
            available < 0 ? Text.Phrase(over, Text.Money(-available, c)) : Text.Phrase("FIGURE_AVAILABLE", Text.Money(available, c));
        var figures = new List<string>
        {
            decision.Unrated is { For: RateNeed.Limit }
                ? Text.Phrase("REFUSAL_FIGURES_UNRATED", currency, Used(decision.Exposure, currency, "FIGURE_USED_CREDIT"))
            : decision is { Limit: { } limit, Available: { } available }
                ? Text.Phrase("REFUSAL_FIGURES", Text.Money(limit, currency), Used(decision.Exposure, currency), Left(available, currency))
                : Text.Phrase("REFUSAL_FIGURES_UNLIMITED", Used(decision.Exposure, currency, "FIGURE_USED_CREDIT")),
        };
        // The rate the pool lacked: another member's currency, not necessarily the customer's. (The review threshold's
        // holds an order, which is never refused.)
        if (decision.Reasons.Contains(Domain.Policy.ReasonCodes.ExchangeRateMissing) && decision.Unrated is { For: RateNeed.Pool } missing)
            figures.Add(Text.Phrase("REFUSAL_POOL_UNRATED", missing.Currency));
        if (decision.Pool is { } shared && decision.Reasons.Contains(Domain.Policy.ReasonCodes.GroupLimitExceeded))
            figures.Add(Text.Phrase("REFUSAL_POOL_FIGURES", Text.Money(shared.SharedCreditLimit, shared.Currency),
                Used(shared.Exposure, shared.Currency, inCredit: "FIGURE_POOL_IN_CREDIT"),
                Left(shared.Available, shared.Currency, "FIGURE_POOL_OVER_LIMIT")));
        // What the customer must pay to be sold to again, and since when it has been owed.
        var overdue = OverdueShown(decision);
        if (overdue is not null)
            figures.Add(Text.Phrase("REFUSAL_OVERDUE_FIGURES", Text.Money(overdue.Amount, currency), overdue.Items,
                overdue.OldestDueOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), overdue.DaysPastDue));
        var body = Body(409, ErrorCodes.CreditRefused, string.Join(" ", decision.Reasons.Select(Text.Of).Concat(figures)));
        body["reasons"] = Reasons(decision.Reasons);
        body["warnings"] = Reasons(decision.Warnings);
        body["currency"] = decision.Currency;
        body["exposure"] = decision.Exposure;
        body["limit"] = decision.Limit;
        body["available"] = decision.Available;
        body["limitSource"] = LimitSourceName(decision.LimitSource);
        if (decision.Pool is { } pool) body["group"] = pool; // the pool's own figures beside the customer's
        if (overdue is not null) body["overdue"] = overdue;
        return Json(409, body);
    }

    /// <summary>The overdue figures when the overdue rule is among the decision's reasons or warnings (not when it is off).</summary>
    public static OverdueFigures? OverdueShown(CreditDecision decision) =>
        decision.Reasons.Contains(Domain.Policy.ReasonCodes.OverdueInvoices) || decision.Warnings.Contains(Domain.Policy.ReasonCodes.OverdueInvoices)
            ? decision.Overdue : null;

    public static string StandingName(Standing standing) => standing switch
    {
        Standing.OnHold => "on-hold",
        Standing.Blocked => "blocked",
        _ => "ok",
    };

    public static string LimitSourceName(LimitSource source) => source switch
    {
        LimitSource.Customer => "customer",
        LimitSource.Group => "group",
        LimitSource.Company => "company",
        _ => "none",
    };
}
