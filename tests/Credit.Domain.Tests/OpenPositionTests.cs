using Credit.Domain.Accounts;
using Credit.Domain.Payments;
using Shouldly;
using static Credit.Domain.Tests.Accounts;

namespace Credit.Domain.Tests;

/// <summary>
/// The account keeps its open position (open receivables, promised and held orders) up to date event by event
/// instead of summing its whole history per decision. After every event of a long, varied history it must agree
/// with a plain recount of the collections, and so must an account built afresh from the same events.
/// </summary>
public class OpenPositionTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Kept_position_matches_a_recount_after_every_event(int seed)
    {
        var random = new Random(seed);
        var history = new List<object> { new AccountOpened("C1", Profile()), new LimitSet(1_000_000m, false, null, null) };
        var account = CreditAccount.From([.. history]);
        _ = account.Exposure; // the position now exists and must be kept in step from here on

        for (var n = 0; n < 600; n++)
        {
            var e = NextEvent(account, random, n);
            if (e is null) continue;
            history.Add(e);
            CreditAccount.Fold(account, e);

            ShouldMatchRecount(account, $"after event {n} ({e.GetType().Name})");
        }
        var fresh = CreditAccount.From([.. history]);
        fresh.Exposure.ShouldBe(account.Exposure);
        fresh.OpenItemsOldestFirst().Select(Key).ShouldBe(account.OpenItemsOldestFirst().Select(Key));
        var open = account.OpenItemsOldestFirst().Select(x => x.Receivable.Id).Distinct().Count();
        open.ShouldBeGreaterThan(0);
        account.Receivables.Count.ShouldBeGreaterThan(open); // some were settled in full
    }

    private static void ShouldMatchRecount(CreditAccount a, string when)
    {
        a.Outstanding.ShouldBe(a.Receivables.Values.Sum(r => r.Installments.Sum(i => i.Amount - i.Settled)) - a.UnappliedCredit, when);
        a.OpenOrders.ShouldBe(a.Orders.Values.Where(o => o.Status is OrderStatus.Approved or OrderStatus.Released).Sum(o => o.Amount), when);
        a.HeldOrders.Select(o => o.Id).Order().ShouldBe(a.Orders.Values.Where(o => o.Status == OrderStatus.Held).Select(o => o.Id).Order(), when);
        a.OldestOpenDueOn.ShouldBe(a.Receivables.Values.SelectMany(r => r.Installments).Where(i => i.Amount > i.Settled)
            .Select(i => (DateOnly?)i.DueOn).Min(), when);
        a.OpenItemsOldestFirst().Select(Key).ShouldBe(
            a.Receivables.Values.SelectMany(r => r.Installments.Where(i => i.Amount > i.Settled).Select(i => (r, i)))
                .OrderBy(x => x.i.DueOn).ThenBy(x => x.r.Sequence).ThenBy(x => x.i.No).Select(Key), when);
    }

    private static string Key((Receivable Receivable, InstallmentState Installment) x) => $"{x.Receivable.Id}/{x.Installment.No}";

    /// <summary>A plausible next event: documents, settlements of what is open, reversals and order moves.</summary>
    private static object? NextEvent(CreditAccount a, Random random, int n)
    {
        var on = Today.AddDays(n / 10);
        var amount = random.Next(1, 500) * 10m;
        switch (random.Next(9))
        {
            case 0 when !a.Receivables.ContainsKey(Receivable.OpeningBalanceId):
                return new OpeningBalanceRecorded(amount, on, on.AddDays(15));
            case 0 or 1:
                var half = Math.Round(amount / 2, 2);
                return new InvoiceIssued($"I{n}", amount, on, on.AddDays(60),
                    [new Installment(on.AddDays(30), half), new Installment(on.AddDays(60), amount - half)], null, [], null, $"fp{n}");
            case 2:
            {
                var (settlements, unapplied) = Settle(a, amount);
                return new PaymentReceived($"P{n}", amount, on, settlements, unapplied, $"fp{n}");
            }
            case 3:
            {
                var live = a.Payments.Values.Where(p => !p.Reversed).ToList();
                return live.Count == 0 ? null : new PaymentReversed(live[random.Next(live.Count)].Id, on, "bounced");
            }
            case 4:
            {
                var (settlements, unapplied) = Settle(a, amount);
                return new CreditNoteIssued($"N{n}", amount, on, null, settlements, unapplied, "returned goods", $"fp{n}");
            }
            case 5:
                return random.Next(2) == 0
                    ? new OrderApproved($"O{n}", amount, on, null, [], $"fp{n}")
                    : new OrderHeld($"O{n}", amount, on, null, ["CREDIT_LIMIT_EXCEEDED"], [], $"fp{n}");
            case 6:
            {
                var held = a.HeldOrders.ToList();
                if (held.Count == 0) return null;
                var order = held[random.Next(held.Count)].Id;
                return random.Next(2) == 0 ? new HoldReleased(order, "ok", "controller") : new OrderRejected(order, "no");
            }
            case 7:
            {
                var open = a.Orders.Values.Where(o => o.CountsAsExposure).ToList();
                if (open.Count == 0) return null;
                var order = open[random.Next(open.Count)];
                return random.Next(2) == 0
                    ? new OrderCancelled(order.Id, "customer changed mind")
                    : new InvoiceIssued($"I{n}", order.Amount, on, on.AddDays(30), [new Installment(on.AddDays(30), order.Amount)], order.Id, [], null, $"fp{n}");
            }
            default:
                return null;
        }
    }

    private static (List<Settlement>, decimal Unapplied) Settle(CreditAccount a, decimal amount)
    {
        var settlements = PaymentDecisions.SettleOldestFirst(a.OpenItemsOldestFirst(), amount, []).ToList();
        return (settlements, amount - settlements.Sum(s => s.Amount));
    }
}
