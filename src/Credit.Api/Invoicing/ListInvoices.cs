using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Hosting;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Invoicing;

public static class ListInvoicesEndpoint
{
    /// <summary>The status filter's values, its default first.</summary>
    internal static readonly string[] Statuses = ["all", "open", "overdue", "paid"];

    /// <summary>
    /// The customer's invoices (and opening balance), by the date each is next due (nextDueOn: its earliest open
    /// installment; a paid one by its due date), each with what is settled and still open,
    /// installment by installment: what a collector works through. status: open (anything still owed), overdue, paid,
    /// all (the default). Optional limit/offset page it (X-Total-Count, Link rel="next").
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/invoices")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(InvoiceView[]), 200)]
    public static Task<IResult> Get(string customerId, string? status, int? limit, int? offset, HttpContext http,
        AccountStore accounts, BusinessCalendar calendar, CancellationToken ct)
    {
        var today = calendar.Today;
        return accounts.ListFor(customerId, status, Statuses, limit, offset, http, (account, filter) => account.Receivables.Values
            .OrderBy(r => r.Sequence)
            .Select(r => GetInvoiceEndpoint.View(customerId, r, today))
            .OrderBy(v => v.NextDueOn ?? v.DueOn) // stable: documents due the same day stay in the order they were recorded
            .Where(v => filter switch
            {
                "open" => v.OpenAmount > 0,
                "overdue" => v.Status == "overdue",
                "paid" => v.Status == "paid",
                _ => true,
            })
            .ToList(), ct);
    }
}
