using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Reporting;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Statements;

/// <summary>A statement line; Description is the line as the customer reads it, in the request's language ("فاتورة رقم INV-1").</summary>
public sealed record StatementLineView(
    DateOnly Date, [property: OneOf("opening-balance", "invoice", "payment", "payment-reversal", "credit-note")] string Type,
    string Document, string Description, decimal Debit, decimal Credit, decimal Balance);

public sealed record StatementView(
    string CustomerId, string Name, string Currency, DateOnly From, DateOnly To, decimal OpeningBalance,
    IReadOnlyList<StatementLineView> Lines, decimal TotalDebit, decimal TotalCredit, decimal ClosingBalance);

public static class GetStatementEndpoint
{
    /// <summary>
    /// Account statement (كشف حساب) by business date: balance brought forward, every document in the period
    /// with a running balance, and the closing balance. Defaults: the month to date.
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/statement")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(StatementView), 200)]
    public static async Task<IResult> Get(string customerId, string? from, string? to, HttpContext http, AccountStore accounts,
        ReportingReads reads, BusinessCalendar calendar, CancellationToken ct)
    {
        var errors = new List<(string, string)>();
        var toDate = BusinessDates.Parse(to, "to", errors) ?? calendar.Today;
        var fromDate = BusinessDates.Parse(from, "from", errors) ?? new DateOnly(toDate.Year, toDate.Month, 1);
        if (errors.Count == 0 && fromDate > toDate) errors.Add(("from", "FROM_AFTER_TO"));
        if (errors.Count > 0) return Problems.Validation(errors);

        var (who, problem) = await accounts.Visible(customerId, Caller.Of(http), a => (a.Profile.Name, a.Currency), ct);
        if (problem is not null) return problem;
        var (name, currency) = who;

        await reads.CaughtUp(customerId, ct);
        var (opening, lines) = await reads.Statement(customerId, fromDate, toDate, ct);
        var debit = lines.Sum(l => l.Debit);
        var credit = lines.Sum(l => l.Credit);
        var described = lines.Select(l => new StatementLineView(l.Date, l.Type, l.Document, Describe(l), l.Debit, l.Credit, l.Balance)).ToList();
        return Results.Ok(new StatementView(customerId, name, currency, fromDate, toDate, opening, described,
            debit, credit, opening + debit - credit));
    }

    /// <summary>A statement goes to the customer: each line in words, not the type's code.</summary>
    private static string Describe(StatementLine line) => line.Type switch
    {
        "opening-balance" => Localization.Text.Phrase("STATEMENT_OPENING_BALANCE"),
        "invoice" => Localization.Text.Phrase("STATEMENT_INVOICE", line.Document),
        "payment" => Localization.Text.Phrase("STATEMENT_PAYMENT", line.Document),
        "payment-reversal" => Localization.Text.Phrase("STATEMENT_PAYMENT_REVERSAL", line.Document),
        "credit-note" => Localization.Text.Phrase("STATEMENT_CREDIT_NOTE", line.Document),
        _ => line.Document,
    };
}
