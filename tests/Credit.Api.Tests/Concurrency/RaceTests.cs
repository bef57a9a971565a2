using Credit.Api.Tests.Infrastructure;
using Npgsql;

namespace Credit.Api.Tests.Concurrency;

/// <summary>Documents that each fit but together exceed a limit must never all pass, whatever the interleaving.</summary>
public class RaceTests(AppFixture app)
{
    [Fact]
    public async Task Sixty_racing_invoices_on_one_customer_never_exceed_its_limit()
    {
        var id = await app.Customer(new { name = "Race", creditLimit = 1000 });
        var clerk = app.Clerk;
        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            Task.Run(() => clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = $"R-{i}", amount = 100 }))));

        results.ShouldAllBe(r => r.Status == 201 || (r.Status == 409 && r.Code == "CREDIT_REFUSED"));
        results.Count(r => r.Status == 201).ShouldBe(10);
        var balance = await clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("outstanding").ShouldBe(1000m);
    }

    [Fact]
    public async Task Sixty_racing_orders_and_invoices_on_two_customers_never_exceed_their_shared_pool()
    {
        var group = AppFixture.NewId("racepool");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Race pool", sharedCreditLimit = 1500 });
        var a = await app.Customer(new { name = "A", groupId = group });
        var b = await app.Customer(new { name = "B", groupId = group });
        var clerk = app.Clerk;
        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() => i % 3 == 0
            ? clerk.Post($"/api/customers/{(i % 2 == 0 ? a : b)}/orders", new { orderId = $"O-{i}", amount = 100 })
            : clerk.Post($"/api/customers/{(i % 2 == 0 ? a : b)}/invoices", new { invoiceId = $"I-{i}", amount = 100 }))));

        results.ShouldAllBe(r => r.Status == 201 || (r.Status == 409 && r.Code == "CREDIT_REFUSED"), string.Join("\n", results.Where(r => r.Status >= 500)));
        var granted = results.Count(r => r.Status == 201 && (r.Body.TryGetProperty("status", out var s) ? s.GetString() == "approved" : true));
        granted.ShouldBe(15);
        var pool = await clerk.Get($"/api/groups/{group}");
        pool.Decimal("exposure").ShouldBe(1500m);
    }

    [Fact]
    public async Task Two_nodes_racing_on_one_customer_never_exceed_its_limit()
    {
        // Each node keeps its own copy of the account; only the append's version check stands between them.
        var database = await app.NewDatabase("twonodes");
        await using var first = await AppFixture.StartHost(database, app.Clock);
        await using var second = await AppFixture.StartHost(database, app.Clock);
        var nodes = new[] { new ApiClient(first, app.Token("clerk-1", "clerk")), new ApiClient(second, app.Token("clerk-2", "clerk")) };
        (await new ApiClient(first, app.Token("controller-1", "controller")).Put("/api/customers/twin", new { name = "Twin", creditLimit = 1000 }))
            .Status.ShouldBe(201);
        (await nodes[1].Get("/api/customers/twin/balance")).Decimal("exposure").ShouldBe(0m); // both nodes now hold the account

        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            Task.Run(() => nodes[i % 2].Post("/api/customers/twin/invoices", new { invoiceId = $"T-{i}", amount = 100 }))));

        results.ShouldAllBe(r => r.Status == 201 || (r.Status == 409 && r.Code == "CREDIT_REFUSED"), string.Join("\n", results.Where(r => r.Status >= 500)));
        results.Count(r => r.Status == 201).ShouldBe(10);
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        await using var stored = new NpgsqlCommand(
            "select count(*) from credit.mt_events where stream_id = 'twin' and type = 'invoice_issued'", db);
        await using (var reader = await stored.ExecuteReaderAsync())
        {
            reader.Read();
            reader.GetInt64(0).ShouldBe(10);
        }
        var verified = await new ApiClient(first, app.Token("auditor-1", "auditor")).Get("/api/customers/twin/history/verify");
        verified.Body.GetProperty("valid").GetBoolean().ShouldBeTrue(verified.Text);
    }
}
