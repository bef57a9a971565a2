using Credit.Domain.Accounts;
using Credit.Domain.Reminders;
using static Credit.Domain.Tests.DecisionKit;

namespace Credit.Domain.Tests;

public class RemindersTests
{
    private static IReadOnlyList<Reminder> For(CreditAccount? before, params object[] events) =>
        ReminderSchedule.For("C1", before, events, daysBefore: 3, Today);

    [Fact]
    public void Every_installment_gets_a_due_soon_reminder_days_before_then_an_overdue_one_the_day_after()
    {
        var invoice = new InvoiceIssued("A", 200m, Today, Day(40), [new Installment(Day(10), 100m), new Installment(Day(40), 100m)], null, [], null, "fp");
        var first = For(Account(), invoice);
        first.ShouldBe([
            new Reminder("C1", "A", 1, ReminderKind.DueSoon, Day(10), Day(7)),
            new Reminder("C1", "A", 2, ReminderKind.DueSoon, Day(40), Day(37)),
        ]);
        // When a due-soon reminder goes out, the overdue one is scheduled for the day after the due date.
        ReminderSchedule.Next(first[0], Day(7)).ShouldBe(new Reminder("C1", "A", 1, ReminderKind.Overdue, Day(10), Day(11)));
        ReminderSchedule.Next(ReminderSchedule.Next(first[0], Day(7))!, Day(11)).ShouldBeNull();
    }

    [Fact]
    public void Installments_the_customers_earlier_credit_pays_in_full_get_no_reminder_the_rest_do()
    {
        var invoice = new InvoiceIssued("A", 200m, Today, Day(40), [new Installment(Day(10), 100m), new Installment(Day(40), 100m)], null, [], null, "fp");
        var applied = new CreditApplied("ADV", Today, [new Settlement("A", 1, 100m), new Settlement("A", 2, 30m)]);

        For(Account(), invoice, applied).ShouldBe([new Reminder("C1", "A", 2, ReminderKind.DueSoon, Day(40), Day(37))]);
    }

    [Fact]
    public void Backdated_documents_get_theirs_at_once_and_no_due_soon_once_past_due()
    {
        For(Account(), Accounts.Invoice("A", 100m, Day(-40), Day(-10))).ShouldBe([
            new Reminder("C1", "A", 1, ReminderKind.Overdue, Day(-10), Today),
        ]);
        var soon = For(Account(), Accounts.Invoice("B", 100m, Day(-20), Day(1)));
        soon.ShouldBe([new Reminder("C1", "B", 1, ReminderKind.DueSoon, Day(1), Today)]);
        ReminderSchedule.Next(soon[0], Today)!.SendOn.ShouldBe(Day(2));
    }

    [Fact]
    public void Where_backdated_documents_wait_for_the_morning_what_would_go_out_at_once_goes_out_tomorrow()
    {
        IReadOnlyList<Reminder> Late(CreditAccount? before, params object[] events) =>
            ReminderSchedule.For("C1", before, events, daysBefore: 3, Today, backdatedNextMorning: true);

        Late(Account(), Accounts.Invoice("A", 100m, Day(-40), Day(-10))).ShouldBe([new Reminder("C1", "A", 1, ReminderKind.Overdue, Day(-10), Day(1))]);
        Late(Account(), Accounts.Invoice("B", 100m, Day(-20), Day(2))).ShouldBe([new Reminder("C1", "B", 1, ReminderKind.DueSoon, Day(2), Day(1))]);
        // Due today and entered late: by tomorrow it is overdue, so that is the reminder it gets.
        Late(Account(), Accounts.Invoice("C", 100m, Day(-30), Today)).ShouldBe([new Reminder("C1", "C", 1, ReminderKind.Overdue, Today, Day(1))]);
        // Its own date in the future is kept.
        Late(Account(), Accounts.Invoice("D", 100m, Day(-5), Day(30))).ShouldBe([new Reminder("C1", "D", 1, ReminderKind.DueSoon, Day(30), Day(27))]);
        // Today's documents and today's bounce are not late: theirs go out at once, as ever.
        Late(Account(), Accounts.Invoice("E", 100m, Today, Today)).ShouldBe([new Reminder("C1", "E", 1, ReminderKind.DueSoon, Today, Today)]);
        var paid = Account(Accounts.Invoice("F", 100m, Day(-40), Day(-10)), Paid("P1", "F", 100m));
        Late(paid, new PaymentReversed("P1", Today, "bounced")).ShouldBe([new Reminder("C1", "F", 1, ReminderKind.Overdue, Day(-10), Today)]);
        Late(paid, new PaymentReversed("P1", Day(-3), "bounced")).ShouldBe([new Reminder("C1", "F", 1, ReminderKind.Overdue, Day(-10), Day(1))]);
        Late(null, new AccountOpened("C1", Accounts.Profile()), new OpeningBalanceRecorded(2500m, Day(-60), Day(-30)))
            .ShouldBe([new Reminder("C1", Receivable.OpeningBalanceId, 1, ReminderKind.Overdue, Day(-30), Day(1))]);
    }

    [Fact]
    public void Due_today_is_due_soon_today_and_overdue_tomorrow()
    {
        var first = For(Account(), Accounts.Invoice("A", 100m, Day(-30), Today)).Single();
        (first.Kind, first.SendOn).ShouldBe((ReminderKind.DueSoon, Today));
        ReminderSchedule.Next(first, Today)!.SendOn.ShouldBe(Day(1));
    }

    [Fact]
    public void An_overdue_reminder_coming_after_its_day_goes_out_at_once()
    {
        var dueSoon = new Reminder("C1", "A", 1, ReminderKind.DueSoon, Day(-5), Day(-8));
        ReminderSchedule.Next(dueSoon, Today)!.SendOn.ShouldBe(Today);
    }

    [Fact]
    public void The_opening_balance_is_reminded_like_an_invoice()
    {
        For(null, new AccountOpened("C1", Accounts.Profile()), new OpeningBalanceRecorded(2500m, Day(-60), Day(-30)))
            .ShouldBe([new Reminder("C1", Receivable.OpeningBalanceId, 1, ReminderKind.Overdue, Day(-30), Today)]);
    }

    [Fact]
    public void A_reversed_payment_schedules_reminders_again_for_what_it_reopens()
    {
        var account = Account(Accounts.Invoice("A", 100m, Day(-40), Day(-10)), Paid("P1", "A", 100m));
        For(account, new PaymentReversed("P1", Today, "bounced"))
            .ShouldBe([new Reminder("C1", "A", 1, ReminderKind.Overdue, Day(-10), Today)]);
    }

    [Fact]
    public void Payments_and_other_events_schedule_nothing()
    {
        var account = Account(Invoice("A", 100m));
        For(account, Paid("P1", "A", 100m), new LimitSet(5m, false, null, "r"), Approved("O1", 10m)).ShouldBeEmpty();
    }

    [Fact]
    public void A_reminder_still_applies_only_while_its_installment_is_open()
    {
        var reminder = new Reminder("C1", "A", 1, ReminderKind.Overdue, Day(-10), Today);
        var open = Account(Accounts.Invoice("A", 100m, Day(-40), Day(-10)), Paid("P1", "A", 30m));
        ReminderSchedule.StillOpen(open, reminder).ShouldBe(70m);
        ReminderSchedule.StillOpen(Account(Accounts.Invoice("A", 100m, Day(-40), Day(-10)), Paid("P1", "A", 100m)), reminder).ShouldBeNull();
        ReminderSchedule.StillOpen(open, reminder with { DocumentId = "B" }).ShouldBeNull();
        ReminderSchedule.StillOpen(null, reminder).ShouldBeNull();
    }

    [Theory]
    [InlineData(ReminderKind.DueSoon, "due-soon")]
    [InlineData(ReminderKind.Overdue, "overdue")]
    public void A_kind_and_its_stored_name_map_both_ways(ReminderKind kind, string name)
    {
        var reminder = new Reminder("C1", "I1", 1, kind, new DateOnly(2026, 12, 20), new DateOnly(2026, 12, 17));
        reminder.KindName.ShouldBe(name);
        Reminder.KindOf(name).ShouldBe(kind);
    }
}
