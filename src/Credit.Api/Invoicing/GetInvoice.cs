using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Invoicing;

/// <summary>PaidAmount: settled by payments; CreditedAmount: by credit notes (as on the invoice).</summary>
public sealed record InstallmentView(int No, DateOnly DueOn, decimal Amount, decimal PaidAmount, decimal CreditedAmount, decimal OpenAmount, bool Overdue);

public sealed record OverrideView(string Reason, string By, IReadOnlyList<ReasonView> OverriddenReasons);

/// <summary>DueOn: the last installment's due date; NextDueOn: the earliest still open (null once paid), what a collector
/// chases first.</summary>
public sealed record InvoiceView(
    string CustomerId, string InvoiceId, decimal Amount, DateOnly IssuedOn, DateOnly DueOn, string? OrderId,
    decimal PaidAmount, decimal CreditedAmount, decimal OpenAmount,
    [property: OneOf("open", "partially-paid", "overdue", "paid")] string Status, IReadOnlyList<InstallmentView> Installments,
    IReadOnlyList<ReasonView> Warnings, OverrideView? Override, DateOnly? NextDueOn);

public static class GetInvoiceEndpoint
{
    /// <summary>The invoice (or "opening-balance") with what is settled and still open, installment by installment.</summary>
    [WolverineGet("/api/customers/{customerId}/invoices/{invoiceId}")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(InvoiceView), 200)]
    public static async Task<IResult> Get(string customerId, string invoiceId, HttpContext http,
        AccountStore accounts, Hosting.BusinessCalendar calendar, CancellationToken ct)
    {
        var today = calendar.Today;
        return await accounts.ViewFor(customerId, Caller.Of(http), account => account.Receivables.TryGetValue(invoiceId, out var r)
            ? Results.Ok(View(customerId, r, today)) : Problems.Result(404, ErrorCodes.InvoiceNotFound), ct);
    }

    public static InvoiceView View(string customerId, Receivable r, DateOnly today)
    {
        var open = r.Open;
        var status = open == 0 ? "paid" : r.Installments.Any(i => i.Open > 0 && i.DueOn < today) ? "overdue"
            : open < r.Amount ? "partially-paid" : "open";
        // Settled = payments + credit notes; what credit notes settled is shown on its own.
        var settled = r.Amount - open;
        return new InvoiceView(customerId, r.Id, r.Amount, r.IssuedOn, r.DueOn, r.OrderId,
            settled - r.CreditSettled, r.CreditSettled, open, status,
            r.Installments.Select(i => new InstallmentView(i.No, i.DueOn, i.Amount, i.Settled - i.CreditSettled, i.CreditSettled, i.Open,
                i.Open > 0 && i.DueOn < today)).ToList(),
            Problems.Reasons(r.Warnings),
            r.Override is { } o ? new OverrideView(o.Reason, o.By, Problems.Reasons(o.OverriddenReasons)) : null,
            r.Installments.Where(i => i.Open > 0).Select(i => (DateOnly?)i.DueOn).Min());
    }
}
