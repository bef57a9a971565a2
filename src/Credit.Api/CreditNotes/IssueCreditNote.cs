using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Validation;
using Credit.Domain.CreditNotes;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.CreditNotes;

/// <summary>POST /api/customers/{id}/credit-notes: against an invoice (reduces what it owes) or on account.</summary>
public sealed record IssueCreditNoteRequest(string CreditNoteId, decimal Amount, string? InvoiceId, DateOnly? IssuedOn, [property: Required] string? Reason);

public sealed class IssueCreditNoteValidator : AbstractValidator<IssueCreditNoteRequest>
{
    public IssueCreditNoteValidator()
    {
        RuleFor(x => x.CreditNoteId).RequiredId();
        RuleFor(x => x.Amount).Money();
        RuleFor(x => x.InvoiceId).BusinessId().When(x => x.InvoiceId is not null);
        RuleFor(x => x.Reason).Reason();
    }
}

public static class IssueCreditNoteEndpoint
{
    /// <summary>
    /// A credit note: against an invoice it settles that invoice (all notes on one invoice may not exceed its amount);
    /// on account, or what the invoice no longer owes, it settles the oldest open items issued by its date, and only
    /// the rest is unapplied credit.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/credit-notes")]
    [Authorize(Roles = Roles.Writers)]
    [Responds(typeof(Credit.Domain.CreditNotes.CreditNoteResult), 201)]
    [Responds(typeof(Credit.Domain.CreditNotes.CreditNoteResult), 200)]
    public static async Task<IResult> Post(string customerId, IssueCreditNoteRequest request, HttpContext http,
        AccountStore accounts, BusinessCalendar calendar, CancellationToken ct)
    {
        var command = new IssueCreditNote(request.CreditNoteId, request.Amount, request.IssuedOn ?? calendar.Today, request.InvoiceId,
            request.Reason!.Trim(),
            // The reason is kept trimmed, so a retry with a trailing space is the same note.
            Fingerprint.Print(request, (r, date, _) => r with { IssuedOn = r.IssuedOn ?? date, Reason = r.Reason?.Trim() }));
        var outcome = await accounts.DecideExisting(customerId, Caller.Of(http), (account, _) => CreditNoteDecisions.Issue(account, command), ct);
        if (outcome.Rejection is { } rejection) return Problems.From(rejection);

        var r = outcome.Result!;
        return outcome.Events.Count == 0 ? Results.Ok(r) : Results.Created($"/api/customers/{customerId}/credit-notes/{r.CreditNoteId}", r);
    }
}
