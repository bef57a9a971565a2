using Credit.Api.Accounts;
using Credit.Api.Hosting;
using Credit.Api.Localization;
using Credit.Domain.Reminders;
using Marten;
using Wolverine;

namespace Credit.Api.Reminders;

/// <summary>Sent when a reminder's business date comes: at once by the decision that opened the installment when
/// that is today, else by the sweep of <see cref="WaitingReminders"/>.</summary>
public sealed record SendReminder(Reminder Reminder);

/// <summary>A reminder that went out: kept for GET /api/notifications, one per installment and kind.</summary>
public sealed class Notification
{
    public string Id { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string CustomerName { get; set; } = "";
    public string DocumentId { get; set; } = "";
    public int Installment { get; set; }
    /// <summary>How many installments the document has (0 in notifications from before it was kept).</summary>
    public int Installments { get; set; }
    public string Type { get; set; } = "";
    public DateOnly DueOn { get; set; }
    public DateOnly SendOn { get; set; }
    public decimal OpenAmount { get; set; }
    public string Currency { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// What a customer reads, in a language: "عميلنا العزيز الصحيفي، نودّ تذكيركم بأن المبلغ المستحق عن القسط رقم 2 من
    /// الفاتورة رقم INV-1 وقدره 862.50 ر.س يحلّ موعد سداده في 2026-12-01. وشكرًا لكم."
    /// Written when asked for, so a list answers in the caller's language.
    /// </summary>
    public string MessageIn(System.Globalization.CultureInfo language)
    {
        var document = DocumentId == Domain.Accounts.Receivable.OpeningBalanceId ? Text.PhraseIn(language, "DOCUMENT_OPENING_BALANCE")
            : Installments > 1 || Installment > 1 ? Text.PhraseIn(language, "DOCUMENT_INSTALLMENT", DocumentId, Installment)
            : Text.PhraseIn(language, "DOCUMENT_INVOICE", DocumentId);
        var key = Type == Reminder.OverdueName ? "REMINDER_OVERDUE" : "REMINDER_DUE_SOON";
        // In Arabic the name is isolated (FSI … PDI): a Latin name ending in punctuation ("Acme Ltd.") would otherwise
        // pull its full stop to the wrong side of it in right-to-left text.
        var name = Text.IsArabic(language) ? $"\u2068{CustomerName}\u2069" : CustomerName;
        return Text.PhraseIn(language, key, name, Text.MoneyIn(language, OpenAmount, Currency), document,
            DueOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>
/// Published for every notification so a transport can carry it to e-mail/SMS/WhatsApp senders: with no
/// subscriber it goes nowhere. Attach one in Program.cs, e.g. with WolverineFx.RabbitMQ:
/// <c>opts.UseRabbitMq(uri).AutoProvision(); opts.PublishMessage&lt;CustomerReminded&gt;().ToRabbitExchange("credit-reminders");</c>
/// MessageAr and MessageEn are the text for the customer, ready to send.
/// </summary>
public sealed record CustomerReminded(
    string NotificationId, string CustomerId, string CustomerName, string DocumentId, int Installment, string Type,
    DateOnly DueOn, decimal OpenAmount, string Currency, string MessageAr, string MessageEn);

public static class SendReminderHandler
{
    /// <summary>Checks the account as it is now: paid or credited installments get no reminder.</summary>
    public static async Task<OutgoingMessages> Handle(SendReminder message, IDocumentSession session, AccountStore accounts,
        TimeProvider clock, BusinessCalendar calendar, CancellationToken ct)
    {
        var reminder = message.Reminder;
        var outgoing = new OutgoingMessages();
        var due = await accounts.View(reminder.CustomerId, a => ReminderSchedule.StillOpen(a, reminder) is { } open
            ? new { Open = open, a.Profile.Name, a.Currency,
                Installments = a.Receivables.TryGetValue(reminder.DocumentId, out var document) ? document.Installments.Count : 1 } : null, ct);
        if (due is null) return outgoing; // paid or credited: nothing now, and nothing later

        // The installment's next reminder waits in the same transaction (or goes now if its day has come).
        if (ReminderSchedule.Next(reminder, calendar.Today) is { } next)
        {
            if (next.SendOn <= calendar.Today) outgoing.Add(new SendReminder(next));
            else WaitingReminders.Queue(session, [next]);
        }
        if (await session.LoadAsync<Notification>(reminder.NotificationId, ct) is not null) return outgoing;

        var notification = new Notification
        {
            Id = reminder.NotificationId, CustomerId = reminder.CustomerId, CustomerName = due.Name,
            DocumentId = reminder.DocumentId, Installment = reminder.Installment, Installments = due.Installments, Type = reminder.KindName,
            DueOn = reminder.DueOn, SendOn = reminder.SendOn, OpenAmount = due.Open, Currency = due.Currency,
            CreatedAt = clock.GetUtcNow(),
        };
        session.Store(notification);
        outgoing.Add(new CustomerReminded(notification.Id, notification.CustomerId, notification.CustomerName, notification.DocumentId,
            notification.Installment, notification.Type, notification.DueOn, notification.OpenAmount, notification.Currency,
            notification.MessageIn(Text.Arabic), notification.MessageIn(Text.English)));
        return outgoing;
    }
}
