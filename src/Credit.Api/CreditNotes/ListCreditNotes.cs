using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
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
    public static async Task<IResult> Get(string customerId, string? status, int? limit, int? offset, HttpContext http,
        AccountStore accounts, CancellationToken ct)
    {
        status ??= "all";
        if (!Statuses.Contains(status)) return Problems.Validation([("status", "INVALID_VALUE")]);
        if (Paging.Invalid(limit, offset) is { } badPage) return badPage;
        // Read under the account's gate; paged outside it, since paging writes the response's headers.
        var (seen, problem) = await accounts.Visible(customerId, Caller.Of(http), account => account.CreditNotes.Values
            .Where(n => status == "all" || n.Unapplied > 0)
            .Select(n => CreditNoteView.Of(customerId, n))
            .ToList(), ct);
        return problem ?? Results.Ok(Paging.Slice(seen!, limit, offset, http));
    }
}
