using Credit.Api.Tests.Infrastructure;
using Npgsql;

namespace Credit.Api.Tests.Receivables;

/// <summary>Due-soon and overdue reminders from durable scheduled Wolverine messages.</summary>
public class RemindersTests(AppFixture app)
{
    private static Task<ApiResponse> Notifications(ApiClient client, string customerId) =>
        client.Get($"/api/notifications?customerId={customerId}");

    private static IEnumerable<string> Kinds(ApiResponse r) =>
        r.Body.EnumerateArray().Select(n => $"{n.GetProperty("documentId").GetString()}/{n.GetProperty("installment").GetInt32()}/{n.GetProperty("type").GetString()}");

    /// <summary>Stands in for the calendar reaching the reminders' date: their scheduled time becomes now.</summary>
    private static async Task BringScheduledRemindersForward(string connectionString, string customerId)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var find = new NpgsqlCommand(
            "select table_schema from information_schema.tables where table_name = 'wolverine_incoming_envelopes'", conn);
        var schema = (string)(await find.ExecuteScalarAsync())!;
        await using var update = new NpgsqlCommand(
            $"update \"{schema}\".wolverine_incoming_envelopes set execution_time = now() " +
            "where status = 'Scheduled' and message_type like '%SendReminder%' and position(@customer in body) > 0", conn);
        update.Parameters.AddWithValue("customer", System.Text.Encoding.UTF8.GetBytes(customerId));
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

        var onlyOverdue = await app.Clerk.Get($"/api/notifications?customerId={id}&type=overdue");
        Kinds(onlyOverdue).ShouldBe(["OLD/1/overdue"]);
        (await app.Clerk.Get("/api/notifications?type=late")).Status.ShouldBe(400);
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

        await BringScheduledRemindersForward(app.ConnectionString, id);
        await Scenario.Eventually(() => Notifications(app.Clerk, id), r => r.Body.GetArrayLength() >= 1);
        // The due-soon reminder scheduled the overdue one; its day comes too.
        await BringScheduledRemindersForward(app.ConnectionString, id);

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

        // The host is gone; the reminders wait in PostgreSQL. Time passes to after the due date.
        await BringScheduledRemindersForward(database, id);
        clock.Set(new DateTimeOffset(2026, 12, 21, 7, 0, 0, TimeSpan.Zero));

        await using var second = await AppFixture.StartHost(database, clock);
        var reader = new ApiClient(second, app.Token("controller-1", "controller"));
        var found = await Scenario.Eventually(() => Notifications(reader, id), r => r.Body.GetArrayLength() >= 2, seconds: 20);
        Kinds(found).Order().ShouldBe(["I1/1/due-soon", "I1/1/overdue"]);
    }
}
