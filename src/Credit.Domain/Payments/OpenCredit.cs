using Credit.Domain.Accounts;
using Credit.Domain.Decisions;

namespace Credit.Domain.Payments;

/// <summary>
/// Unapplied credit (advance payments, overpayments, what credit notes did not settle) put against items as they open:
/// an invoice issued, items a bounced payment reopens. Left unapplied beside them, those items would fall overdue
/// while the customer owes nothing net.
/// </summary>
/// <summary>Source: a payment or a credit note (the two may share an id).</summary>
public sealed record CreditApplication(string SourceId, DateOnly AppliedOn, IReadOnlyList<InvoiceAllocation> Allocations, CreditSource? Source);

/// <summary>What an apply-credit command settled, source by source, and the credit still unapplied after it.</summary>
public sealed record AppliedCredit(IReadOnlyList<CreditApplication> Applied, decimal Unapplied);

public static class OpenCredit
{
    /// <summary>
    /// Every unapplied credit over every open item, oldest credit first, oldest due first, dated <paramref name="today"/>
    /// or the credit's own later date: what explicit allocations or a credit note's date left beside open items, which
    /// would otherwise fall overdue. Nothing to apply: the same answer, no event.
    /// </summary>
    public static Outcome<AppliedCredit> ApplyToOpenItems(CreditAccount account, DateOnly today)
    {
        var items = account.OpenItemsOldestFirst().Select(x => (x.Receivable.Id, x.Installment.No, x.Installment.Open)).ToList();
        var applied = Apply(Sources(account), items, today).ToList();
        var result = new AppliedCredit(
            applied.Select(a => new CreditApplication(a.SourceId, a.AppliedOn, PaymentDecisions.ResultOf(a.SourceId, a.Settlements, 0m).Allocations, a.Source)).ToList(),
            account.UnappliedCredit - applied.Sum(a => a.Settlements.Sum(s => s.Amount)));
        return applied.Count == 0 ? Outcome<AppliedCredit>.Repeat(result) : Outcome<AppliedCredit>.Accept(result, [.. applied]);
    }

    /// <summary>The account's unapplied credit, oldest first, leaving out <paramref name="except"/> (a payment being reversed).</summary>
    public static IEnumerable<(string Id, CreditSource Kind, DateOnly On, decimal Unapplied)> Sources(CreditAccount account, string? except = null) =>
        account.Payments.Values.Where(p => !p.Reversed && p.Unapplied > 0 && p.Id != except).Select(p => (p.Id, CreditSource.Payment, On: p.ReceivedOn, p.Unapplied))
            .Concat(account.CreditNotes.Values.Where(n => n.Unapplied > 0).Select(n => (n.Id, CreditSource.CreditNote, On: n.IssuedOn, n.Unapplied)))
            .OrderBy(x => x.On);

    /// <summary>
    /// The credit, source by source, over the items in settlement order; each application is dated the later of its
    /// source's date and <paramref name="on"/> (credit cannot settle an item before either exists).
    /// </summary>
    public static IEnumerable<CreditApplied> Apply(IEnumerable<(string Id, CreditSource Kind, DateOnly On, decimal Unapplied)> sources,
        IReadOnlyList<(string DocumentId, int No, decimal Open)> items, DateOnly on)
    {
        var settled = new List<Settlement>();
        foreach (var (id, kind, sourceOn, unapplied) in sources)
        {
            var settlements = PaymentDecisions.SettleOldestFirst(items, unapplied, settled).ToList();
            if (settlements.Count == 0) yield break; // the items are covered
            settled.AddRange(settlements);
            yield return new CreditApplied(id, sourceOn > on ? sourceOn : on, settlements, kind);
        }
    }
}
