using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Payments;

namespace Credit.Domain.CreditNotes;

public sealed record IssueCreditNote(string CreditNoteId, decimal Amount, DateOnly IssuedOn, string? InvoiceId, string Reason, RequestPrint Fingerprint);

public sealed record CreditNoteResult(string CreditNoteId, string? InvoiceId, IReadOnlyList<InvoiceAllocation> Allocations, decimal Unapplied);

public static class CreditNoteDecisions
{
    /// <summary>
    /// Against an invoice (a return, a price correction): settles that invoice's open installments, oldest due
    /// first. Without an invoice, and with what the invoice no longer owes (it was already paid), the note is credit on
    /// account: like a payment without allocations it settles the oldest open items issued by its date, and only the
    /// rest stays unapplied (else those items would fall overdue while the customer owes nothing net). All credit
    /// notes on one invoice together may not exceed its amount.
    /// </summary>
    public static Outcome<CreditNoteResult> Issue(CreditAccount account, IssueCreditNote cmd)
    {
        if (account.CreditNotes.TryGetValue(cmd.CreditNoteId, out var existing))
            return Outcome<CreditNoteResult>.Again(cmd.Fingerprint.Repeats(existing.Fingerprint, existing.IssuedOn), () => ResultOf(existing));

        if (!Money.Currency.FitsMinorUnit(cmd.Amount, account.Currency))
            return Outcome<CreditNoteResult>.Invalid("amount", "AMOUNT_PRECISION");

        var settlements = new List<Settlement>();
        if (cmd.InvoiceId is not null)
        {
            if (!account.Receivables.TryGetValue(cmd.InvoiceId, out var invoice))
                return Outcome<CreditNoteResult>.Reject(RejectionKind.NotFound, ErrorCodes.InvoiceNotFound);
            if (cmd.Amount > invoice.Amount - invoice.Credited)
                return Outcome<CreditNoteResult>.Invalid("amount", ErrorCodes.CreditNoteExceedsInvoice);
            if (cmd.IssuedOn < invoice.IssuedOn)
                return Outcome<CreditNoteResult>.Invalid("issuedOn", ErrorCodes.CreditNoteBeforeInvoice);
            var items = invoice.Installments.OrderBy(i => i.DueOn).ThenBy(i => i.No).Select(i => (invoice, i));
            settlements.AddRange(PaymentDecisions.SettleOldestFirst(items, cmd.Amount, []));
        }
        var onAccount = cmd.Amount - settlements.Sum(s => s.Amount);
        if (onAccount > 0)
        {
            var open = account.OpenItemsOldestFirst().Where(x => x.Receivable.IssuedOn <= cmd.IssuedOn);
            settlements.AddRange(PaymentDecisions.SettleOldestFirst(open, onAccount, settlements).ToList());
        }

        var unapplied = cmd.Amount - settlements.Sum(s => s.Amount);
        var issued = new CreditNoteIssued(cmd.CreditNoteId, cmd.Amount, cmd.IssuedOn, cmd.InvoiceId, settlements, unapplied, cmd.Reason, cmd.Fingerprint.For(cmd.IssuedOn));
        return Outcome<CreditNoteResult>.Accept(
            new CreditNoteResult(cmd.CreditNoteId, cmd.InvoiceId, PaymentDecisions.ResultOf(cmd.CreditNoteId, settlements, unapplied).Allocations, unapplied),
            issued);
    }

    /// <summary>What the note answered when it was issued: its own settlements, not credit applied from it later.</summary>
    private static CreditNoteResult ResultOf(CreditNoteState n)
    {
        var first = PaymentDecisions.FirstAnswer(n.Id, n.Amount, n.Settlements, n.OwnSettlements);
        return new(n.Id, n.InvoiceId, first.Allocations, first.Unapplied);
    }
}
