using Credit.Api.Tests.Infrastructure;
using Credit.Api.Reminders;
using Credit.Domain.Reminders;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Wolverine;

namespace Credit.Api.Tests.Receivables;

/// <summary>Due-soon and overdue reminders: sent at once when due today, else waiting for the sweep of their business date.</summary>
public class RemindersTests(AppFixture app)
{
    private static Task<ApiResponse> Notifications(ApiClient client, string customerId) =>
        client.Get($"/api/notifications?customerId={customerId}");

    private static IEnumerable<string> Kinds(ApiResponse r) =>
        r.Body.EnumerateArray().Select(n => $"{n.GetProperty("documentId").GetString()}/{n.GetProperty("installment").GetInt32()}/{n.GetProperty("type").GetString()}");

    /// <summary>Stands in for the calendar reaching the reminders' date on the shared host (whose clock other tests
    /// rely on): what waits for this customer is due today.</summary>
    private static async Task BringWaitingRemindersForward(string connectionString, string customerId)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var update = new NpgsqlCommand(
            "update credit.waiting_reminders set send_on = '2026-11-23' where customer_id = @customer", conn);
        update.Parameters.AddWithValue("customer", customerId);
        (await update.ExecuteNonQueryAsync()).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Backdated_and_soon_due_documents_get_their_reminders_at_once()
    {
        // Today is 2026-11-23; reminderDaysBefore defaults to 3.
        var id = await app.Customer(new { name = "عميل التذكير" });
        // SOON first: once OLD is on the account, OVERDUE_INVOICES would refuse it.
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "SOON", amount = 100, issuedOn = "2026-11-20", dueOn = "2026-11-25" }))
            .Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "OLD", amount = 100, issuedOn = "2026-10-01", dueOn = "2026-10-31" }))
            .Status.ShouldBe(201);

        var found = await Scenario.Eventually(() => Notifications(app.Clerk, id), r => r.Body.GetArrayLength() >= 2);
        Kinds(found).Order().ShouldBe(["OLD/1/overdue", "SOON/1/due-soon"]);
        var overdue = found.Body.EnumerateArray().First(n => n.GetProperty("type").GetString() == "overdue");
        overdue.GetProperty("openAmount").GetDecimal().ShouldBe(100m);
        overdue.GetProperty("dueOn").GetString().ShouldBe("2026-10-31");
        // The text for the customer, ready for SMS or WhatsApp, in the caller's language.
        overdue.GetProperty("message").GetString().ShouldBe("Dear عميل التذكير, a reminder that 100.00 SAR for invoice OLD was due on 2026-10-31 and is still unpaid. Please settle it at your earliest convenience. Thank you.");
        var arabic = await app.Clerk.InLanguage("ar").Get($"/api/notifications?customerId={id}&type=due-soon");
        arabic.Body[0].GetProperty("message").GetString().ShouldBe("عميلنا العزيز \u2068عميل التذكير\u2069، نودّ تذكيركم بأن المبلغ المستحق عن الفاتورة رقم \u2068SOON\u2069 وقدره 100.00 ر.س يحلّ موعد سداده في \u20682026-11-25\u2069. وشكرًا لكم.");

        var onlyOverdue = await app.Clerk.Get($"/api/notifications?customerId={id}&type=overdue");
        Kinds(onlyOverdue).ShouldBe(["OLD/1/overdue"]);
        (await app.Clerk.Get("/api/notifications?type=late")).Status.ShouldBe(400);
    }

    /// <summary>Reminders page like the other lists: the count over all, the next page's address, nothing lost past 200.</summary>
    [Fact]
    public async Task Reminders_page_with_a_count_and_a_next_link()
    {
        var id = await app.Customer(new { name = "Many reminders", creditLimit = 100000 });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "OLD", amount = 300, issuedOn = "2026-09-01",
            installments = new[] { new { dueOn = "2026-10-01", amount = 100 }, new { dueOn = "2026-10-02", amount = 100 }, new { dueOn = "2026-10-03", amount = 100 } },
        })).Status.ShouldBe(201);
        await Scenario.Eventually(() => Notifications(app.Clerk, id), r => r.Body.GetArrayLength() == 3);

        var first = await app.Clerk.Get($"/api/notifications?customerId={id}&limit=2");
        first.Body.GetArrayLength().ShouldBe(2);
        first.Headers["X-Total-Count"].ShouldBe("3");
        first.Headers["Link"].ShouldContain("offset=2");
        var second = await app.Clerk.Get($"/api/notifications?customerId={id}&limit=2&offset=2");
        second.Body.GetArrayLength().ShouldBe(1);
        second.Headers.ContainsKey("Link").ShouldBeFalse();
        Kinds(first).Concat(Kinds(second)).ShouldBe(Kinds(await Notifications(app.Clerk, id)));
        (await app.Clerk.Get("/api/notifications?offset=-1")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task A_reminder_for_an_installment_names_it_even_the_first()
    {
        var id = await app.Customer(new { name = "Split" });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 100, issuedOn = "2026-10-01",
            installments = new[] { new { dueOn = "2026-10-31", amount = 50 }, new { dueOn = "2027-01-31", amount = 50 } },
        })).Status.ShouldBe(201);
        var found = await Scenario.Eventually(() => app.Clerk.Get($"/api/notifications?customerId={id}&type=overdue"), r => r.Body.GetArrayLength() >= 1);
        found.Body[0].GetProperty("message").GetString().ShouldBe("Dear Split, a reminder that 50.00 SAR for installment 1 of invoice I1 was due on 2026-10-31 and is still unpaid. Please settle it at your earliest convenience. Thank you.");

        // Sent by a version that did not keep the count: the account tells it.
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var old = new NpgsqlCommand("update credit.mt_doc_notification set data = data - 'installments' where data ->> 'customerId' = @id", conn);
            old.Parameters.AddWithValue("id", id);
            (await old.ExecuteNonQueryAsync()).ShouldBeGreaterThan(0);
        }
        (await app.Clerk.Get($"/api/notifications?customerId={id}&type=overdue")).Body[0].GetProperty("message").GetString()!
            .ShouldContain("installment 1 of invoice I1");
    }

    [Fact]
    public async Task Paid_installments_get_no_reminder_when_theirs_comes_due()
    {
        var id = await app.Customer(new { name = "Pays on time" });
        await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 200, issuedOn = "2026-11-23",
            installments = new[] { new { dueOn = "2026-12-20", amount = 100 }, new { dueOn = "2027-01-20", amount = 100 } },
        });
        await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 100 }); // settles installment 1

        await BringWaitingRemindersForward(app.ConnectionString, id);
        await Scenario.Eventually(() => Notifications(app.Clerk, id), r => r.Body.GetArrayLength() >= 1);
        // The due-soon reminder scheduled the overdue one; its day comes too.
        await BringWaitingRemindersForward(app.ConnectionString, id);

        await Scenario.Eventually(() => Notifications(app.Clerk, id), r => r.Body.GetArrayLength() >= 2);
        await Task.Delay(500); // let any stray reminder for the paid installment land before asserting it did not
        Kinds(await Notifications(app.Clerk, id)).Order().ShouldBe(["I1/2/due-soon", "I1/2/overdue"]);
    }

    [Fact]
    public async Task Scheduled_reminders_survive_a_restart_of_the_host()
    {
        var database = await app.NewDatabase("restart");
        var clock = new TestClock(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));
        string id;
        await using (var first = await AppFixture.StartHost(database, clock))
        {
            var controller = new ApiClient(first, app.Token("controller-1", "controller"));
            id = AppFixture.NewId("restart");
            (await controller.Put($"/api/customers/{id}", new { name = "Restart" })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, issuedOn = "2026-11-23", dueOn = "2026-12-20" }))
                .Status.ShouldBe(201);
            (await Notifications(controller, id)).Body.GetArrayLength().ShouldBe(0);
        }

        // The host is gone; the reminder waits in PostgreSQL. Time passes to after the due date: the second host's
        // sweep sends the due-soon reminder, which finds the overdue one's day has come too.
        clock.Set(new DateTimeOffset(2026, 12, 21, 7, 0, 0, TimeSpan.Zero));

        await using var second = await AppFixture.StartHost(database, clock);
        var reader = new ApiClient(second, app.Token("controller-1", "controller"));
        var found = await Scenario.Eventually(() => Notifications(reader, id), r => r.Body.GetArrayLength() >= 2, seconds: 20);
        Kinds(found).Order().ShouldBe(["I1/1/due-soon", "I1/1/overdue"]);
    }

    [Fact]
    public async Task A_waiting_reminder_goes_out_on_the_morning_of_its_date_and_no_scheduled_message_waits_for_it()
    {
        var database = await app.NewDatabase("morning");
        var clock = new TestClock(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));
        await using var host = await AppFixture.StartHost(database, clock, ("Credit:Reminders:SweepSeconds", "0.2"));
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        var id = AppFixture.NewId("morning");
        (await controller.Put($"/api/customers/{id}", new { name = "Morning" })).Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 200, issuedOn = "2026-11-23",
            installments = new[] { new { dueOn = "2026-12-20", amount = 100 }, new { dueOn = "2027-01-20", amount = 100 } },
        })).Status.ShouldBe(201);

        // One row per installment, three days before each due date; nothing in Wolverine's scheduled messages.
        (await Waiting(database, id)).ShouldBe(["I1/1/due-soon/2026-12-17", "I1/2/due-soon/2027-01-17"]);
        (await ScheduledEnvelopes(database)).ShouldBe(0);

        // 07:00 in Riyadh on the due-soon date: not yet.
        clock.Set(new DateTimeOffset(2026, 12, 17, 4, 0, 0, TimeSpan.Zero));
        await Task.Delay(1000);
        (await Notifications(controller, id)).Body.GetArrayLength().ShouldBe(0);
        (await Waiting(database, id)).Count.ShouldBe(2);

        // 08:30: the first installment's due-soon goes out, and its overdue reminder waits for the day after the due date.
        clock.Set(new DateTimeOffset(2026, 12, 17, 5, 30, 0, TimeSpan.Zero));
        var found = await Scenario.Eventually(() => Notifications(controller, id), r => r.Body.GetArrayLength() >= 1);
        Kinds(found).ShouldBe(["I1/1/due-soon"]);
        for (var i = 0; i < 100 && !(await Waiting(database, id)).Contains("I1/1/overdue/2026-12-21"); i++) await Task.Delay(100);
        (await Waiting(database, id)).ShouldBe(["I1/1/overdue/2026-12-21", "I1/2/due-soon/2027-01-17"]);
    }

    [Fact]
    public async Task Where_configured_a_backlog_entered_late_is_reminded_the_next_morning_so_its_receipts_come_first()
    {
        var database = await app.NewDatabase("backlog");
        var clock = new TestClock(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero)); // 10:00 in Riyadh
        await using var host = await AppFixture.StartHost(database, clock,
            ("Credit:Reminders:SweepSeconds", "0.2"), ("Credit:Reminders:BackdatedNextMorning", "true"));
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        var id = AppFixture.NewId("backlog");
        (await controller.Put($"/api/customers/{id}", new { name = "Backlog", creditLimit = 10000 })).Status.ShouldBe(201);

        // October's paper documents, entered today: PAID was settled on time, LATE was not.
        (await controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "PAID", amount = 100, issuedOn = "2026-10-01", dueOn = "2026-10-31" }))
            .Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 100, receivedOn = "2026-10-20" })).Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "LATE", amount = 100, issuedOn = "2026-10-05", dueOn = "2026-11-04" }))
            .Status.ShouldBe(201);
        (await Waiting(database, id)).ShouldBe(["LATE/1/overdue/2026-11-24", "PAID/1/overdue/2026-11-24"]);
        await Task.Delay(1000);
        (await Notifications(controller, id)).Body.GetArrayLength().ShouldBe(0);

        // The next morning only the unpaid one is reminded.
        clock.Set(new DateTimeOffset(2026, 11, 24, 5, 30, 0, TimeSpan.Zero));
        var found = await Scenario.Eventually(() => Notifications(controller, id), r => r.Body.GetArrayLength() >= 1);
        for (var i = 0; i < 100 && (await Waiting(database, id)).Count > 0; i++) await Task.Delay(100);
        Kinds(await Notifications(controller, id)).ShouldBe(["LATE/1/overdue"], found.ToString());
    }

    [Fact]
    public async Task Reminders_an_earlier_version_scheduled_in_Wolverines_inbox_move_to_the_waiting_table_at_start()
    {
        var database = await app.NewDatabase("legacy");
        var clock = new TestClock(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));
        await using (var first = await AppFixture.StartHost(database, clock))
        {
            // What an earlier version did for each installment: a durable message scheduled for its morning.
            using var scope = first.Services.CreateScope();
            var reminder = new Reminder("legacy", "I1", 2, ReminderKind.DueSoon, new DateOnly(2026, 12, 20), new DateOnly(2026, 12, 17));
            await scope.ServiceProvider.GetRequiredService<IMessageBus>()
                .ScheduleAsync(new SendReminder(reminder), new DateTimeOffset(2026, 12, 17, 5, 0, 0, TimeSpan.Zero));
        }
        (await ScheduledEnvelopes(database)).ShouldBe(1);
        (await Waiting(database, "legacy")).ShouldBeEmpty();

        await using var second = await AppFixture.StartHost(database, clock);
        (await ScheduledEnvelopes(database)).ShouldBe(0);
        (await Waiting(database, "legacy")).ShouldBe(["I1/2/due-soon/2026-12-17"]);
    }

    [Fact]
    public async Task A_new_notice_period_moves_the_due_soon_reminders_still_waiting()
    {
        // Its own database: the company's notice period applies to every customer's reminders.
        var database = await app.NewDatabase("notice");
        await using var host = await AppFixture.StartHost(database, app.Clock, ("Credit:Reminders:SweepSeconds", "0.5"));
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        (await controller.Put("/api/customers/N1", new { name = "Notice" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/N1/invoices", new { invoiceId = "I1", amount = 100, dueOn = "2026-12-23" })).Status.ShouldBe(201);
        (await Waiting(database, "N1")).ShouldBe(["I1/1/due-soon/2026-12-20"]);

        var policy = (await controller.Get("/api/policy")).Body;
        (await controller.Put("/api/policy", new { reminderDaysBefore = 10, currency = policy.GetProperty("currency").GetString() })).Status.ShouldBe(200);
        (await Waiting(database, "N1")).ShouldBe(["I1/1/due-soon/2026-12-13"]);
        // Longer than what is left: due today, so the sweep sends it now.
        (await controller.Put("/api/policy", new { reminderDaysBefore = 60 })).Status.ShouldBe(200);
        var sent = await Scenario.Eventually(() => Notifications(controller, "N1"), r => r.Body.GetArrayLength() == 1);
        Kinds(sent).ShouldBe(["I1/1/due-soon"]);
    }

    private static async Task<long> ScheduledEnvelopes(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from credit.wolverine_incoming_envelopes where status = 'Scheduled'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> Waiting(string connectionString, string customerId)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select document_id || '/' || installment || '/' || kind || '/' || send_on from credit.waiting_reminders " +
            "where customer_id = @customer order by 1", conn);
        cmd.Parameters.AddWithValue("customer", customerId);
        var rows = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
