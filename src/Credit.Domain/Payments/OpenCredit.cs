using Credit.Domain.Accounts;

namespace Credit.Domain.Payments;

/// <summary>
/// Unapplied credit (advance payments, overpayments, what credit notes did not settle) put against items as they open:
/// an invoice issued, items a bounced payment reopens. Left unapplied beside them, those items would fall overdue
/// while the customer owes nothing net.
/// </summary>
public static class OpenCredit
{
    /// <summary>The account's unapplied credit, oldest first, leaving out <paramref name="except"/> (a payment being reversed).</summary>
    public static IEnumerable<(string Id, DateOnly On, decimal Unapplied)> Sources(CreditAccount account, string? except = null) =>
        account.Payments.Values.Where(p => !p.Reversed && p.Unapplied > 0 && p.Id != except).Select(p => (p.Id, On: p.ReceivedOn, p.Unapplied))
            .Concat(account.CreditNotes.Values.Where(n => n.Unapplied > 0).Select(n => (n.Id, On: n.IssuedOn, n.Unapplied)))
            .OrderBy(x => x.On);

    /// <summary>
    /// The credit, source by source, over the items in settlement order; each application is dated the later of its
    /// source's date and <paramref name="on"/> (credit cannot settle an item before either exists).
    /// </summary>
    public static IEnumerable<CreditApplied> Apply(IEnumerable<(string Id, DateOnly On, decimal Unapplied)> sources,
        IReadOnlyList<(string DocumentId, int No, decimal Open)> items, DateOnly on)
    {
        var settled = new List<Settlement>();
        foreach (var (id, sourceOn, unapplied) in sources)
        {
            var settlements = PaymentDecisions.SettleOldestFirst(items, unapplied, settled).ToList();
            if (settlements.Count == 0) yield break; // the items are covered
            settled.AddRange(settlements);
            yield return new CreditApplied(id, sourceOn > on ? sourceOn : on, settlements);
        }
    }
}
