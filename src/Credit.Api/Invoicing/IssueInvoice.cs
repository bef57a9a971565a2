using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using Credit.Domain.Invoicing;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Invoicing;

public sealed record InstallmentRequest(DateOnly DueOn, decimal Amount);

public sealed record OverrideRequest([property: Required] string? Reason);

/// <summary>POST /api/customers/{id}/invoices: a credit sale, checked against every credit rule.</summary>
public sealed record IssueInvoiceRequest(
    string InvoiceId,
    decimal Amount,
    DateOnly? IssuedOn,
    string? OrderId,
    DateOnly? DueOn,
    InstallmentRequest[]? Installments,
    OverrideRequest? Override);

/// <summary>Overridden: the reasons a controller's override issued it despite (empty without an override).</summary>
public sealed record InvoiceIssuedResponse(string InvoiceId, DateOnly DueOn, IReadOnlyList<Installment> Installments, IReadOnlyList<ReasonView> Warnings,
    IReadOnlyList<ReasonView> Overridden);

public sealed class IssueInvoiceValidator : AbstractValidator<IssueInvoiceRequest>
{
    /// <summary>Ten years of weekly installments (forty-three of monthly ones).</summary>
    public const int MaxInstallments = 520;

    public IssueInvoiceValidator(BusinessCalendar calendar)
    {
        RuleFor(x => x.InvoiceId).RequiredId();
        // The opening balance is a receivable under this id: an invoice taking it blocked the real one and was shown as it.
        RuleFor(x => x.InvoiceId).NotEqual(Credit.Domain.Accounts.Receivable.OpeningBalanceId).WithCode("RESERVED_ID");
        RuleFor(x => x.Amount).Money();
        RuleFor(x => x.OrderId).BusinessId().When(x => x.OrderId is not null);
        RuleFor(x => x.DueOn).Must((x, due) => due >= (x.IssuedOn ?? calendar.Today)).When(x => x.DueOn is not null).WithCode("DUE_BEFORE_ISSUE");
        RuleFor(x => x.Installments).Null().When(x => x.DueOn is not null).WithCode("MUTUALLY_EXCLUSIVE");
        RuleFor(x => x.DueOn).Null().When(x => x.Installments is not null).WithCode("MUTUALLY_EXCLUSIVE"); // names both fields
        RuleForEach(x => x.Installments).NotNull().WithCode("REQUIRED");
        When(x => x.Installments is not null && x.Installments.All(i => i is not null), () =>
        {
            RuleFor(x => x.Installments!.Length).GreaterThanOrEqualTo(2).OverridePropertyName("installments").WithCode("INSTALLMENTS_MIN");
            // Every installment carries two reminders and a line in each read model: a plan is weeks or months, not a flood.
            RuleFor(x => x.Installments!.Length).LessThanOrEqualTo(MaxInstallments).OverridePropertyName("installments").WithCode("INSTALLMENTS_MAX");
            RuleForEach(x => x.Installments).ChildRules(i => i.RuleFor(x => x.Amount).Money());
            RuleFor(x => x.Installments).Must((x, list) => list!.Sum(i => i.Amount) == x.Amount).WithCode("INSTALLMENTS_SUM");
            RuleFor(x => x.Installments).Must(list => list!.Zip(list!.Skip(1)).All(p => p.First.DueOn < p.Second.DueOn)).WithCode("INSTALLMENTS_ORDER");
            RuleFor(x => x.Installments).Must((x, list) => list!.All(i => i.DueOn >= (x.IssuedOn ?? calendar.Today))).WithCode("INSTALLMENT_BEFORE_ISSUE");
        });
        RuleFor(x => x.Override!.Reason).Reason().When(x => x.Override is not null).OverridePropertyName("override.reason");
    }
}

public static class IssueInvoiceEndpoint
{
    /// <summary>
    /// A credit sale, checked against every credit rule: 201 with the due date(s), or 409 CREDIT_REFUSED with the
    /// reasons, exposure, limit and available (and the pool's figures for a pool member). dueOn defaults from the
    /// payment terms (or the order's); installments (2-520) must sum to the amount. Against an approved/released order
    /// only the amount above it is checked. override (controllers) issues despite the rules and records why. Unapplied
    /// credit settles the new invoice at once (CreditApplied). 409 NOT_A_CUSTOMER for a supplier-only contact.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/invoices")]
    [Authorize(Roles = Roles.Writers)]
    [Responds(typeof(InvoiceIssuedResponse), 201)]
    [Responds(typeof(InvoiceIssuedResponse), 200)]
    public static async Task<IResult> Post(string customerId, IssueInvoiceRequest request, HttpContext http,
        AccountStore accounts, BusinessCalendar calendar, CancellationToken ct)
    {
        var caller = Caller.Of(http);
        // ERPNext's "credit controller" role: only a controller may issue despite the rules.
        if (request.Override is not null && !caller.IsController) return Problems.Forbidden(Roles.Controllers.Split(','));

        var command = new IssueInvoice(request.InvoiceId, request.Amount, request.IssuedOn ?? calendar.Today, request.OrderId,
            request.DueOn, request.Installments?.Select(i => new Installment(i.DueOn, i.Amount)).ToList(),
            request.Override?.Reason?.Trim(), request.Override is null ? null : caller.User,
            // A due date left out is the one the terms gave; with installments there is none to give.
            Fingerprint.Print(request, (r, date, due) => r with
            {
                IssuedOn = r.IssuedOn ?? date, DueOn = r.Installments is null ? r.DueOn ?? due : r.DueOn,
                Override = r.Override is { } o ? o with { Reason = o.Reason?.Trim() } : null,
            }));

        var outcome = await accounts.DecideExisting(customerId, caller, (account, context) => InvoiceDecisions.Issue(account, command, context), ct);
        if (outcome.Rejection is { } rejection) return Problems.From(rejection);

        var r = outcome.Result!;
        var body = new InvoiceIssuedResponse(r.InvoiceId, r.DueOn, r.Installments, Problems.Reasons(r.Warnings), Problems.Reasons(r.Overridden));
        return outcome.Events.Count == 0 ? Results.Ok(body) : Results.Created($"/api/customers/{customerId}/invoices/{r.InvoiceId}", body);
    }
}
