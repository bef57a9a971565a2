using Credit.Domain.Accounts;

namespace Credit.Domain.Reminders;

public enum ReminderKind { DueSoon, Overdue }

/// <summary>A reminder about one installment of one receivable, to go out on a business date.</summary>
public sealed record Reminder(string CustomerId, string DocumentId, int Installment, ReminderKind Kind, DateOnly DueOn, DateOnly SendOn)
{
    public const string DueSoonName = "due-soon", OverdueName = "overdue";

    public string KindName => Kind == ReminderKind.DueSoon ? DueSoonName : OverdueName;

    /// <summary>The kind a <see cref="KindName"/> stands for.</summary>
    public static ReminderKind KindOf(string name) => name == OverdueName ? ReminderKind.Overdue : ReminderKind.DueSoon;

    /// <summary>One notification per installment and kind, however often the reminder is scheduled or fires.</summary>
    public string NotificationId => $"{CustomerId}/{DocumentId}/{Installment}/{KindName}";
}

public static class ReminderSchedule
{
    /// <summary>
    /// The first reminder of each installment these events open: those of a new invoice or opening balance, and
    /// those a reversed payment reopens. Due-soon goes out <paramref name="daysBefore"/> days before the due
    /// date, overdue the day after (see <see cref="Next"/>); a date already past (backdated documents) means
    /// today, and an installment already past due starts with overdue. With <paramref name="backdatedNextMorning"/>, a
    /// document dated before today that would be reminded at once waits for tomorrow instead: a merchant entering a
    /// month of paper invoices and then its receipts would otherwise tell customers who paid on time that they are late.
    /// </summary>
    public static IReadOnlyList<Reminder> For(
        string customerId, CreditAccount? before, IEnumerable<object> events, int daysBefore, DateOnly today,
        bool backdatedNextMorning = false)
    {
        var opened = new List<(string Document, int No, DateOnly DueOn, DateOnly Dated)>();
        var amounts = new Dictionary<(string, int), decimal>();
        var covered = new Dictionary<(string, int), decimal>();
        foreach (var e in events)
        {
            switch (e)
            {
                case InvoiceIssued x:
                    opened.AddRange(x.Installments.Select((i, n) => (x.InvoiceId, n + 1, i.DueOn, x.IssuedOn)));
                    for (var n = 0; n < x.Installments.Count; n++) amounts[(x.InvoiceId, n + 1)] = x.Installments[n].Amount;
                    break;
                case CreditApplied x: // credit the customer already had: a new installment it pays needs no reminder
                    foreach (var c in x.Settlements) covered[(c.DocumentId, c.Installment)] = covered.GetValueOrDefault((c.DocumentId, c.Installment)) + c.Amount;
                    break;
                case OpeningBalanceRecorded x:
                    opened.Add((Receivable.OpeningBalanceId, 1, x.DueOn, x.AsOf));
                    break;
                case PaymentReversed x when before?.Payments.GetValueOrDefault(x.PaymentId) is { } payment:
                    foreach (var s in payment.Settlements)
                    {
                        var installment = before.Receivables.GetValueOrDefault(s.DocumentId)?.Installments.FirstOrDefault(i => i.No == s.Installment);
                        if (installment is not null) opened.Add((s.DocumentId, s.Installment, installment.DueOn, x.ReversedOn));
                    }
                    break;
            }
        }

        var reminders = new List<Reminder>();
        foreach (var (document, no, dueOn, dated) in opened.DistinctBy(o => (o.Document, o.No, o.DueOn)))
        {
            if (amounts.TryGetValue((document, no), out var amount) && covered.GetValueOrDefault((document, no)) >= amount) continue;
            var earliest = backdatedNextMorning && dated < today ? today.AddDays(1) : today;
            reminders.Add(earliest <= dueOn
                ? new Reminder(customerId, document, no, ReminderKind.DueSoon, dueOn, Max(dueOn.AddDays(-Math.Max(daysBefore, 0)), earliest))
                : new Reminder(customerId, document, no, ReminderKind.Overdue, dueOn, Max(dueOn.AddDays(1), earliest)));
        }
        return reminders;
    }

    /// <summary>What follows a reminder that went out: after due-soon, overdue the day after the due date
    /// (scheduled only then, so an installment has one reminder waiting at a time).</summary>
    public static Reminder? Next(Reminder sent, DateOnly today) => sent.Kind == ReminderKind.DueSoon
        ? sent with { Kind = ReminderKind.Overdue, SendOn = Max(sent.DueOn.AddDays(1), today) }
        : null;

    /// <summary>What is still open on the reminder's installment when it comes due; null when there is nothing
    /// to remind of (paid, credited, or the document is gone).</summary>
    public static decimal? StillOpen(CreditAccount? account, Reminder reminder)
    {
        var installment = account?.Receivables.GetValueOrDefault(reminder.DocumentId)?.Installments
            .FirstOrDefault(i => i.No == reminder.Installment && i.DueOn == reminder.DueOn);
        return installment is { Open: > 0 } ? installment.Open : null;
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
