using Credit.Api.Accounts;
using Credit.Api.Auth;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.CreditNotes;

public static class ListCreditNotesEndpoint
{
    /// <summary>The status filter's values, its default first.</summary>
    internal static readonly string[] Statuses = ["all", "unapplied"];

    /// <summary>
    /// The customer's credit notes in the order they were issued, each as <c>GET …/credit-notes/{creditNoteId}</c> shows
    /// it. status: unapplied (credit still on account) or all (the default). Optional limit/offset page it
    /// (X-Total-Count, Link rel="next").
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/credit-notes")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(CreditNoteView[]), 200)]
    public static Task<IResult> Get(string customerId, string? status, int? limit, int? offset, HttpContext http,
        AccountStore accounts, CancellationToken ct) =>
        accounts.ListFor(customerId, status, Statuses, limit, offset, http, (account, filter) => account.CreditNotes.Values
            .Where(n => filter == "all" || n.Unapplied > 0)
            .Select(n => CreditNoteView.Of(customerId, n))
            .ToList(), ct);
}
