using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Payments;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.CreditNotes;

/// <summary>allocations: what the note settled, including credit applied from it later; unapplied: what is still credit.</summary>
public sealed record CreditNoteView(string CustomerId, string CreditNoteId, decimal Amount, DateOnly IssuedOn, string? InvoiceId,
    IReadOnlyList<InvoiceAllocation> Allocations, decimal Unapplied)
{
    internal static CreditNoteView Of(string customerId, CreditNoteState n) =>
        new(customerId, n.Id, n.Amount, n.IssuedOn, n.InvoiceId, PaymentDecisions.ResultOf(n.Id, n.Settlements, n.Unapplied).Allocations, n.Unapplied);
}

public static class GetCreditNoteEndpoint
{
    /// <summary>A credit note with what it settled (including credit applied from it later) and its unapplied rest.</summary>
    [WolverineGet("/api/customers/{customerId}/credit-notes/{creditNoteId}")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(CreditNoteView), 200)]
    public static async Task<IResult> Get(string customerId, string creditNoteId, HttpContext http, AccountStore accounts, CancellationToken ct) =>
        await accounts.ViewFor(customerId, Caller.Of(http), account => account.CreditNotes.TryGetValue(creditNoteId, out var n)
            ? Results.Ok(CreditNoteView.Of(customerId, n))
            : Problems.Result(404, ErrorCodes.CreditNoteNotFound), ct);
}
