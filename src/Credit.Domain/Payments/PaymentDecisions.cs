using Credit.Domain.Accounts;
using Credit.Domain.Decisions;

namespace Credit.Domain.Payments;

public sealed record RequestedAllocation(string InvoiceId, decimal Amount);

public sealed record ReceivePayment(
    string PaymentId,
    decimal Amount,
    DateOnly ReceivedOn,
    IReadOnlyList<RequestedAllocation>? Allocations,
    RequestPrint Fingerprint);

public sealed record InvoiceAllocation(string InvoiceId, decimal Amount);

public sealed record PaymentResult(string PaymentId, IReadOnlyList<InvoiceAllocation> Allocations, decimal Unapplied);

/// <summary>DateGiven false: ReversedOn is today's date by default, which a payment dated in the future (a post-dated
/// cheque recorded ahead) cannot be reversed on; it is then reversed on its own date.</summary>
public sealed record ReversePayment(string PaymentId, DateOnly ReversedOn, string Reason, bool DateGiven = true);

/// <summary>What a reversal reopened: exactly what the payment had settled, and the unapplied credit it withdrew; and the
/// customer's own orders it held again (other pool members' grants are looked at a moment later, each in its account).</summary>
public sealed record ReversalResult(string PaymentId, DateOnly ReversedOn, IReadOnlyList<InvoiceAllocation> Reopened, decimal UnappliedWithdrawn,
    IReadOnlyList<string> OrdersHeldAgain);

public static class PaymentDecisions
{
    public static Outcome<PaymentResult> Receive(CreditAccount account, ReceivePayment cmd)
    {
        if (account.Payments.TryGetValue(cmd.PaymentId, out var existing))
            return Outcome<PaymentResult>.Again(cmd.Fingerprint.Repeats(existing.Fingerprint, existing.ReceivedOn),
                () => FirstAnswer(existing.Id, existing.Amount, existing.Settlements, existing.OwnSettlements));

        if (Money.Currency.ImpreciseFields(cmd.Amount, cmd.Allocations, a => a.Amount, "allocations", account.Currency) is { Count: > 0 } imprecise)
            return Outcome<PaymentResult>.Invalid(imprecise, "AMOUNT_PRECISION");

        var settlements = new List<Settlement>();
        if (cmd.Allocations is { Count: > 0 } requested)
        {
            if (requested.Sum(a => a.Amount) > cmd.Amount)
                return Outcome<PaymentResult>.Invalid("allocations", ErrorCodes.AllocationExceedsPayment);
            for (var n = 0; n < requested.Count; n++)
            {
                var allocation = requested[n];
                if (!account.Receivables.TryGetValue(allocation.InvoiceId, out var receivable))
                    return Outcome<PaymentResult>.Invalid($"allocations[{n}].invoiceId", ErrorCodes.InvoiceNotFound);
                var alreadyAllocated = settlements.Where(s => s.DocumentId == receivable.Id).Sum(s => s.Amount);
                if (allocation.Amount > receivable.Open - alreadyAllocated)
                    return Outcome<PaymentResult>.Invalid($"allocations[{n}].amount", ErrorCodes.AllocationExceedsOpen);
                settlements.AddRange(SettleOldestFirst(
                    receivable.Installments.Select(i => (receivable, i)), allocation.Amount, settlements).ToList());
            }
        }
        else
        {
            settlements.AddRange(SettleOldestFirst(account.OpenItemsOldestFirst(), cmd.Amount, settlements).ToList());
        }

        var unapplied = cmd.Amount - settlements.Sum(s => s.Amount);
        var received = new PaymentReceived(cmd.PaymentId, cmd.Amount, cmd.ReceivedOn, settlements, unapplied, cmd.Fingerprint.For(cmd.ReceivedOn));
        return Outcome<PaymentResult>.Accept(ResultOf(received.PaymentId, settlements, unapplied), received);
    }

    /// <summary>
    /// A bounced cheque: the payment's settlements reopen and its unapplied credit goes. Never refused for
    /// credit reasons, since it records a fact; if the customer is now over the limit the balance shows it.
    /// Reversing twice answers with the first reversal.
    /// </summary>
    public static Outcome<ReversalResult> Reverse(CreditAccount account, ReversePayment cmd)
    {
        if (!account.Payments.TryGetValue(cmd.PaymentId, out var payment))
            return Outcome<ReversalResult>.Reject(RejectionKind.NotFound, ErrorCodes.PaymentNotFound);
        if (payment.Reversed)
            return Outcome<ReversalResult>.Repeat(ReversalOf(payment, payment.ReversedOn ?? cmd.ReversedOn));
        if (!cmd.DateGiven && cmd.ReversedOn < payment.ReceivedOn) cmd = cmd with { ReversedOn = payment.ReceivedOn };
        if (cmd.ReversedOn < payment.ReceivedOn)
            return Outcome<ReversalResult>.Invalid("reversedOn", ErrorCodes.ReversedBeforeReceived);
        var reversed = new PaymentReversed(cmd.PaymentId, cmd.ReversedOn, cmd.Reason);
        return Outcome<ReversalResult>.Accept(ReversalOf(payment, cmd.ReversedOn),
            [reversed, .. OpenCredit.Apply(OpenCredit.Sources(account, except: payment.Id), Reopened(account, payment), cmd.ReversedOn)]);
    }

    /// <summary>The items a reversal reopens, in settlement order, with what each will owe once it has.</summary>
    private static IReadOnlyList<(string DocumentId, int No, decimal Open)> Reopened(CreditAccount account, PaymentState payment) =>
        payment.Settlements.GroupBy(s => (s.DocumentId, s.Installment))
            .Select(g => (Receivable: account.Receivables[g.Key.DocumentId], Installment: g.Key.Installment, Reopens: g.Sum(s => s.Amount)))
            .Select(x => (x.Receivable, Item: x.Receivable.Installments.First(i => i.No == x.Installment), x.Reopens))
            .OrderBy(x => x.Item.DueOn).ThenBy(x => x.Receivable.Sequence).ThenBy(x => x.Item.No)
            .Select(x => (x.Receivable.Id, x.Item.No, x.Item.Open + x.Reopens)).ToList();

    private static ReversalResult ReversalOf(PaymentState p, DateOnly on) => new(p.Id, on, ResultOf(p).Allocations, p.Unapplied, [.. p.HeldAgain]);

    /// <summary>Spreads an amount over open installments in the order given, never above what is open.</summary>
    public static IEnumerable<Settlement> SettleOldestFirst(
        IEnumerable<(Receivable Receivable, InstallmentState Installment)> items, decimal amount, IReadOnlyList<Settlement> earlier) =>
        SettleOldestFirst(items.Select(x => (x.Receivable.Id, x.Installment.No, x.Installment.Open)), amount, earlier);

    /// <summary>The same over installments given by document, number and open amount (<paramref name="earlier"/>
    /// settlements already take their part of them).</summary>
    public static IEnumerable<Settlement> SettleOldestFirst(
        IEnumerable<(string DocumentId, int No, decimal Open)> items, decimal amount, IReadOnlyList<Settlement> earlier)
    {
        var left = amount;
        foreach (var (document, no, openBefore) in items)
        {
            if (left <= 0) yield break;
            var taken = earlier.Where(s => s.DocumentId == document && s.Installment == no).Sum(s => s.Amount);
            var open = openBefore - taken;
            if (open <= 0) continue;
            var part = Math.Min(open, left);
            left -= part;
            yield return new Settlement(document, no, part);
        }
    }

    public static PaymentResult ResultOf(PaymentState p) => ResultOf(p.Id, p.Settlements, p.Unapplied);

    /// <summary>
    /// What a payment or credit note answered when it was recorded: its own settlements (the first <paramref name="own"/>;
    /// credit applied from it later, a reversal, change nothing there) and the rest of its amount as unapplied.
    /// </summary>
    public static PaymentResult FirstAnswer(string id, decimal amount, IReadOnlyList<Settlement> settlements, int own)
    {
        var made = settlements.Take(own).ToList();
        return ResultOf(id, made, amount - made.Sum(s => s.Amount));
    }

    public static PaymentResult ResultOf(string id, IEnumerable<Settlement> settlements, decimal unapplied) =>
        new(id, settlements.GroupBy(s => s.DocumentId).Select(g => new InvoiceAllocation(g.Key, g.Sum(s => s.Amount))).ToList(), unapplied);
}
