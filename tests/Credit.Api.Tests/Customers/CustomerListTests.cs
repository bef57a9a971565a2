using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Customers;

/// <summary>The credit controller's customer list: limits, balances and what needs attention, across customers.</summary>
public class CustomerListTests(AppFixture app)
{
    private static System.Text.Json.JsonElement Row(ApiResponse r, string id) =>
        r.Body.EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id);

    private static IEnumerable<string> Ids(ApiResponse r) => r.Body.EnumerateArray().Select(c => c.GetProperty("customerId").GetString()!);

    [Fact]
    public async Task Customers_list_with_their_figures_and_narrow_to_what_needs_attention()
    {
        var group = AppFixture.NewId("list");
        (await app.Controller.Put($"/api/groups/{group}", new { name = "فرع القائمة", defaultCreditLimit = 4000 })).Status.ShouldBe(201);
        // Over its limit: 3,000 owed, the limit cut to 2,000 since.
        var over = await app.Customer(new { name = "تجاوز الحد", groupId = group, creditLimit = 5000 }, "a");
        (await app.Clerk.Post($"/api/customers/{over}/invoices", new { invoiceId = "I1", amount = 3000 })).Status.ShouldBe(201);
        (await app.Controller.Post($"/api/customers/{over}/credit-limit", new { amount = 2000, reason = "مراجعة" })).Status.ShouldBe(200);
        // On hold, on the group's default limit, with a held order.
        var held = await app.Customer(new { name = "موقوف", groupId = group }, "b");
        (await app.Controller.Post($"/api/customers/{held}/hold", new { reason = "تحت المراجعة" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{held}/orders", new { orderId = "O1", amount = 100 })).String("status").ShouldBe("held");
        // Overdue, in part paid.
        var late = await app.Customer(new { name = "متأخر", groupId = group, creditLimit = 10000 }, "c");
        (await app.Clerk.Post($"/api/customers/{late}/invoices", new { invoiceId = "I1", amount = 1150, issuedOn = "2026-10-01", dueOn = "2026-10-31" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{late}/payments", new { paymentId = "P1", amount = 500 })).Status.ShouldBe(201);
        // In a currency without a rate: the group's limit, in SAR, cannot be applied.
        var unrated = await app.Customer(new { name = "Bahrain", groupId = group, currency = "BHD" }, "d");

        var all = await app.Controller.Get($"/api/customers?groupId={group}");
        all.Status.ShouldBe(200, all.ToString());
        Ids(all).ShouldBe(new[] { over, held, late, unrated }.Order(StringComparer.Ordinal));
        var o = Row(all, over);
        (o.GetProperty("creditLimit").GetDecimal(), o.GetProperty("limitSource").GetString(), o.GetProperty("exposure").GetDecimal(), o.GetProperty("available").GetDecimal())
            .ShouldBe((2000m, "customer", 3000m, -1000m));
        var h = Row(all, held);
        (h.GetProperty("creditLimit").GetDecimal(), h.GetProperty("limitSource").GetString(), h.GetProperty("onHold").GetBoolean(),
            h.GetProperty("heldOrders").GetDecimal(), h.GetProperty("heldOrderCount").GetInt32()).ShouldBe((4000m, "group", true, 100m, 1));
        var l = Row(all, late);
        (l.GetProperty("outstanding").GetDecimal(), l.GetProperty("overdue").GetDecimal(), l.GetProperty("unappliedCredit").GetDecimal())
            .ShouldBe((650m, 650m, 0m), l.ToString());
        var u = Row(all, unrated);
        (u.GetProperty("creditLimit").GetDecimal(), u.GetProperty("missingExchangeRate").GetString(), u.GetProperty("currency").GetString())
            .ShouldBe((0m, "BHD", "BHD"));
        // The list agrees with each customer's balance, its standing too.
        foreach (var id in new[] { over, held, late })
        {
            var balance = await app.Controller.Get($"/api/customers/{id}/balance");
            foreach (var field in new[] { "creditLimit", "outstanding", "exposure", "available", "overdue", "heldOrders", "unappliedCredit" })
                Row(all, id).GetProperty(field).GetDecimal().ShouldBe(balance.Decimal(field), $"{id} {field}");
        }
        foreach (var id in new[] { over, held, late, unrated })
        {
            var balance = await app.Controller.Get($"/api/customers/{id}/balance");
            Row(all, id).GetProperty("status").GetString().ShouldBe(balance.String("status"), id);
            Row(all, id).GetProperty("statusReasons").EnumerateArray().Select(r => r.GetProperty("code").GetString())
                .ShouldBe(balance.Codes("statusReasons"), id);
        }
        (o.GetProperty("status").GetString(), Row(all, late).GetProperty("statusReasons")[0].GetProperty("code").GetString(),
            Row(all, unrated).GetProperty("statusReasons")[0].GetProperty("code").GetString())
            .ShouldBe(("blocked", "OVERDUE_INVOICES", "EXCHANGE_RATE_MISSING"));
        h.GetProperty("status").GetString().ShouldBe("on-hold");

        Ids(await app.Controller.Get($"/api/customers?groupId={group}&status=over-limit")).ShouldBe([over]);
        Ids(await app.Controller.Get($"/api/customers?groupId={group}&status=on-hold")).ShouldBe([held]);
        Ids(await app.Controller.Get($"/api/customers?groupId={group}&status=held-orders")).ShouldBe([held]);
        Ids(await app.Controller.Get($"/api/customers?groupId={group}&status=overdue")).ShouldBe([late]);
        // Blocked: whatever stops the smallest credit invoice now (the one on hold is listed as on hold).
        var blocked = await app.Controller.Get($"/api/customers?groupId={group}&status=blocked&limit=2");
        Ids(blocked).ShouldBe(new[] { over, late, unrated }.Order(StringComparer.Ordinal).Take(2));
        blocked.Headers["X-Total-Count"].ShouldBe("3");
        (await app.Controller.Post($"/api/customers/{late}/payments", new { paymentId = "P2", amount = 650 })).Status.ShouldBe(201);
        Ids(await app.Controller.Get($"/api/customers?groupId={group}&status=blocked")).ShouldBe(new[] { over, unrated }.Order(StringComparer.Ordinal));
        Ids(await app.Controller.Get($"/api/customers?groupId={group}&status=ok")).ShouldBe([late]);
        var page = await app.As("bi-tool", "reporter").Get($"/api/customers?groupId={group}&limit=1&offset=1");
        page.Body.GetArrayLength().ShouldBe(1);
        page.Headers["X-Total-Count"].ShouldBe("4");

        (await app.Controller.Get("/api/customers?status=stopped")).Status.ShouldBe(400);
        (await app.Controller.Get("/api/customers?groupId=bad%20id")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task Pool_members_list_with_their_pools_figures_and_a_pool_over_its_limit_counts_as_over_limit()
    {
        var group = AppFixture.NewId("listpool");
        (await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 1000 })).Status.ShouldBe(201);
        var a = await app.Customer(new { name = "A", groupId = group, creditLimit = 10_000 }, "pa");
        var b = await app.Customer(new { name = "B", groupId = group, creditLimit = 10_000 }, "pb");
        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I1", amount = 900 })).Status.ShouldBe(201);
        (await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 500 })).Status.ShouldBe(200);

        var list = await app.Controller.Get($"/api/customers?groupId={group}&status=over-limit");
        Ids(list).ShouldBe(new[] { a, b }.Order(StringComparer.Ordinal)); // b's own limit is far off, its pool is not
        var pool = Row(list, b).GetProperty("group");
        (pool.GetProperty("exposure").GetDecimal(), pool.GetProperty("available").GetDecimal()).ShouldBe((900m, -400m));

        // A member in a currency without a rate blocks the pool: every member's row names it, as its balance does.
        (await app.Controller.Put($"/api/customers/{AppFixture.NewId("omr")}", new { name = "Muscat", groupId = group, currency = "OMR", creditLimit = 100 }))
            .Status.ShouldBe(201);
        var unrated = await app.Controller.Get($"/api/customers?groupId={group}");
        Row(unrated, a).GetProperty("missingExchangeRate").GetString().ShouldBe("OMR");
        (await app.Controller.Get($"/api/customers/{a}/balance")).String("missingExchangeRate").ShouldBe("OMR");
        // Two without a rate: the first by code is named, wherever its member comes in the pool.
        (await app.Controller.Put($"/api/customers/{AppFixture.NewId("zbhd")}", new { name = "Manama", groupId = group, currency = "BHD", creditLimit = 100 }))
            .Status.ShouldBe(201);
        (await app.Controller.Get($"/api/customers/{a}/balance")).String("missingExchangeRate").ShouldBe("BHD");
        Row(await app.Controller.Get($"/api/customers?groupId={group}"), b).GetProperty("missingExchangeRate").GetString().ShouldBe("BHD");

        (await app.Controller.Get($"/api/customers?groupId={AppFixture.NewId("nogroup")}")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task A_clerk_lists_only_its_own_and_unassigned_customers()
    {
        var group = AppFixture.NewId("mine");
        (await app.Controller.Put($"/api/groups/{group}", new { name = "Mine" })).Status.ShouldBe(201);
        var mine = await app.Customer(new { name = "Mine", groupId = group, assignedTo = new[] { "clerk-1" } }, "m");
        var theirs = await app.Customer(new { name = "Theirs", groupId = group, assignedTo = new[] { "clerk-2" } }, "t");
        var nobodys = await app.Customer(new { name = "Nobody's", groupId = group }, "n");

        var seen = await app.As("clerk-1", "clerk").Get($"/api/customers?groupId={group}");
        Ids(seen).ShouldBe(new[] { mine, nobodys }.Order(StringComparer.Ordinal));
        Ids(await app.Controller.Get($"/api/customers?groupId={group}")).ShouldContain(theirs);
    }
}
