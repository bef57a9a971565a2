using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Invoicing;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Checks;

/// <summary>POST /api/customers/{id}/credit-check: what a document would get now. Records nothing. Kind is required: an
/// order and an invoice meet different rules (the review threshold, longer terms, the bypass), and a check without it
/// answered for an invoice whatever the till was about to do.</summary>
public sealed record CheckCreditRequest(decimal Amount, [property: Required, OneOf(typeof(DocumentKind))] string? Kind, string? OrderId,
    PaymentTerms? PaymentTerms);

/// <summary>Group: the shared pool's figures when the customer is in one (null otherwise).
/// Currency: the customer's, which exposure, limit and available are in (the pool's figures are in the company's).
/// Overdue: what is past due beyond the grace days, when that blocks or warns (null otherwise).</summary>
public sealed record CheckCreditResponse(bool Allowed, IReadOnlyList<ReasonView> Reasons, IReadOnlyList<ReasonView> Warnings,
    string Currency, decimal Exposure, decimal? Limit, decimal? Available,
    [property: OneOf(typeof(LimitSource))] string LimitSource, PoolFigures? Group, OverdueFigures? Overdue);

public sealed class CheckCreditValidator : AbstractValidator<CheckCreditRequest>
{
    public CheckCreditValidator()
    {
        RuleFor(x => x.Amount).Money();
        RuleFor(x => x.Kind).NotNull().WithCode("REQUIRED").Must(k => k is null or "order" or "invoice").WithCode("INVALID_VALUE");
        RuleFor(x => x.OrderId).BusinessId().When(x => x.OrderId is not null);
        RuleFor(x => x.PaymentTerms).Terms();
    }
}

public static class CheckCreditEndpoint
{
    /// <summary>
    /// What-if: the decision a real order or invoice of this amount would get now (allowed, reasons, warnings,
    /// exposure, limit, available, the pool's figures), recording nothing. For a POS before checkout.
    /// </summary>
    [WolverinePost("/api/customers/{customerId}/credit-check")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(CheckCreditResponse), 200)]
    public static async Task<IResult> Post(string customerId, CheckCreditRequest request, HttpContext http, AccountStore accounts,
        BusinessCalendar calendar, CancellationToken ct)
    {
        await using var read = await accounts.Read(customerId, ct);
        var (account, context) = read;
        if (account is null) return Problems.Result(404, ErrorCodes.CustomerNotFound);
        if (!Caller.Of(http).MayRead(account.Profile.AssignedTo)) return Problems.Result(403, ErrorCodes.CustomerNotAssigned);
        if (!account.Profile.BuysFromUs) return Problems.Result(409, ErrorCodes.NotACustomer);
        if (!Domain.Money.Currency.FitsMinorUnit(request.Amount, account.Currency)) return Problems.Validation([("amount", "AMOUNT_PRECISION")]);

        // The same functions the documents use, so the answer is the one a real document would get now.
        CreditDecision decision;
        if (request.Kind == "order")
        {
            decision = CreditRules.Decide(account, context.Policy, context.Group,
                new CreditRequest(DocumentKind.Order, request.Amount, calendar.Today, request.PaymentTerms), context.Today);
        }
        else
        {
            var order = request.OrderId is null ? null : account.Orders.GetValueOrDefault(request.OrderId);
            if (request.OrderId is not null && order is null) return Problems.Result(404, ErrorCodes.OrderNotFound);
            var probe = new IssueInvoice("what-if", request.Amount, calendar.Today, request.OrderId, null, null, null, null, "");
            decision = InvoiceDecisions.Check(account, probe, order, context);
        }
        return Results.Ok(new CheckCreditResponse(decision.Allowed, Problems.Reasons(decision.Reasons), Problems.Reasons(decision.Warnings),
            decision.Currency, decision.Exposure, decision.Limit, decision.Available, Problems.LimitSourceName(decision.LimitSource), decision.Pool,
            Problems.OverdueShown(decision)));
    }
}
