using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Payments;
using Credit.Domain.Policy;

namespace Credit.Domain.Invoicing;

/// <summary>OverrideBy is set only when an authorised controller asked to issue despite the rules.</summary>
public sealed record IssueInvoice(
    string InvoiceId,
    decimal Amount,
    DateOnly IssuedOn,
    string? OrderId,
    DateOnly? DueOn,
    IReadOnlyList<Installment>? Installments,
    string? OverrideReason,
    string? OverrideBy,
    RequestPrint Fingerprint);

/// <summary>Overridden: the reasons a controller's override issued the invoice despite (empty without one).</summary>
public sealed record InvoiceResult(string InvoiceId, DateOnly DueOn, IReadOnlyList<Installment> Installments, IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Overridden);

public static class InvoiceDecisions
{
    public static Outcome<InvoiceResult> Issue(CreditAccount account, IssueInvoice cmd, CreditContext ctx)
    {
        if (account.Receivables.TryGetValue(cmd.InvoiceId, out var existing))
            return Outcome<InvoiceResult>.Again(cmd.Fingerprint.Repeats(existing.Fingerprint, existing.IssuedOn, existing.DueOn), () => ResultOf(existing));
        if (!account.Profile.BuysFromUs) return Outcome<InvoiceResult>.Reject(RejectionKind.InvalidState, ErrorCodes.NotACustomer);

        if (Money.Currency.ImpreciseFields(cmd.Amount, cmd.Installments, i => i.Amount, "installments", account.Currency) is { Count: > 0 } imprecise)
            return Outcome<InvoiceResult>.Invalid(imprecise, "AMOUNT_PRECISION");

        OrderState? order = null;
        if (cmd.OrderId is not null)
        {
            if (!account.Orders.TryGetValue(cmd.OrderId, out order))
                return Outcome<InvoiceResult>.Reject(RejectionKind.NotFound, ErrorCodes.OrderNotFound);
            if (order.Status == OrderStatus.Held)
                return Outcome<InvoiceResult>.Reject(new Rejection(RejectionKind.InvalidState, ErrorCodes.InvalidState, Detail: "ORDER_HELD"));
            if (order.Status is not (OrderStatus.Approved or OrderStatus.Released))
                return Outcome<InvoiceResult>.Reject(Orders.OrderDecisions.NotInState(order));
        }

        var installments = Schedule(account, cmd, order);
        var decision = Check(account, cmd, order, ctx);

        CreditOverride? creditOverride = null;
        if (!decision.Allowed)
        {
            if (cmd.OverrideBy is null)
                return Outcome<InvoiceResult>.Reject(new Rejection(RejectionKind.Refused, ErrorCodes.CreditRefused, decision));
            creditOverride = new CreditOverride(cmd.OverrideReason ?? "", cmd.OverrideBy, decision.Reasons);
        }
        // Asked for though nothing needed overriding: the controller's reason is still the record's (nothing overridden).
        else if (cmd.OverrideBy is not null) creditOverride = new CreditOverride(cmd.OverrideReason ?? "", cmd.OverrideBy, []);

        var issued = new InvoiceIssued(cmd.InvoiceId, cmd.Amount, cmd.IssuedOn, installments[^1].DueOn, installments,
            cmd.OrderId, decision.Warnings, creditOverride, cmd.Fingerprint.For(cmd.IssuedOn, installments[^1].DueOn));
        return Outcome<InvoiceResult>.Accept(new InvoiceResult(issued.InvoiceId, issued.DueOn, installments, issued.Warnings,
                creditOverride?.OverriddenReasons ?? []),
            [issued, .. CreditFor(account, issued)]);
    }

    /// <summary>
    /// Credit the customer already has (advance payments, overpayments, credit notes on account), oldest first, put
    /// against the new invoice's installments in due order: it would otherwise stay open and fall overdue.
    /// </summary>
    private static IEnumerable<CreditApplied> CreditFor(CreditAccount account, InvoiceIssued invoice)
    {
        if (account.UnappliedCredit <= 0) return [];
        var installments = invoice.Installments.Select((i, n) => (invoice.InvoiceId, No: n + 1, i.DueOn, i.Amount))
            .OrderBy(i => i.DueOn).ThenBy(i => i.No).Select(i => (i.InvoiceId, i.No, i.Amount)).ToList();
        return OpenCredit.Apply(OpenCredit.Sources(account), installments, invoice.IssuedOn);
    }

    /// <summary>
    /// Against an approved or released order only the amount above the order is new credit: the order's
    /// amount already counts in exposure. An order placed under the bypass never counted, so it is checked in full.
    /// </summary>
    public static CreditDecision Check(CreditAccount account, IssueInvoice cmd, OrderState? order, CreditContext ctx)
    {
        var amount = cmd.Amount;
        if (order is { Counted: true })
        {
            amount = cmd.Amount - order.Amount;
            if (amount <= 0)
            {
                // Nothing new to check, but an account on hold stops everything.
                var full = CreditRules.Decide(account, ctx.Policy, ctx.Group, new(DocumentKind.Invoice, 0m, cmd.IssuedOn), ctx.Today);
                var onHold = account.OnHold ? new[] { ReasonCodes.AccountOnHold } : [];
                return full with { Allowed = onHold.Length == 0, Reasons = onHold, Warnings = [] };
            }
        }
        return CreditRules.Decide(account, ctx.Policy, ctx.Group, new(DocumentKind.Invoice, amount, cmd.IssuedOn), ctx.Today);
    }

    /// <summary>Explicit installments or due date win; else the order's agreed terms, else the customer's.</summary>
    private static IReadOnlyList<Installment> Schedule(CreditAccount account, IssueInvoice cmd, OrderState? order)
    {
        if (cmd.Installments is { Count: > 0 } given) return given;
        var due = cmd.DueOn ?? PaymentTerms.DueDate(order?.PaymentTerms ?? account.PaymentTerms, cmd.IssuedOn);
        return [new Installment(due, cmd.Amount)];
    }

    public static InvoiceResult ResultOf(Receivable r) =>
        new(r.Id, r.DueOn, r.Installments.Select(i => new Installment(i.DueOn, i.Amount)).ToList(), r.Warnings,
            r.Override?.OverriddenReasons ?? []);
}
