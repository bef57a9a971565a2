using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Orders;

/// <summary>A customer's orders as a clerk checks them before invoicing: in the order placed, filtered by status.</summary>
public class OrderListTests(AppFixture app)
{
    private static IEnumerable<string> Ids(ApiResponse r) => r.Body.EnumerateArray().Select(o => o.GetProperty("orderId").GetString()!);

    [Fact]
    public async Task A_customers_orders_list_in_the_order_placed_and_filter_by_status()
    {
        var id = await app.Customer(new { name = "مؤسسة الطلبات", creditLimit = 1000 });
        async Task<string?> Place(string orderId, decimal amount) =>
            (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId, amount })).String("status");
        (await Place("INVOICED", 200)).ShouldBe("approved");
        (await Place("OPEN", 300)).ShouldBe("approved");
        (await Place("HELD", 900)).ShouldBe("held");
        (await Place("CANCELLED", 100)).ShouldBe("approved");
        (await Place("RELEASED", 600)).ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 200, orderId = "INVOICED" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/orders/CANCELLED/cancel", new { reason = "customer changed mind" })).Status.ShouldBe(200);
        (await app.Controller.Post($"/api/customers/{id}/orders/RELEASED/release", new { reason = "good payer" })).Status.ShouldBe(200);

        var all = await app.Clerk.Get($"/api/customers/{id}/orders");
        all.Status.ShouldBe(200, all.ToString());
        Ids(all).ShouldBe(["INVOICED", "OPEN", "HELD", "CANCELLED", "RELEASED"]);
        all.Body.EnumerateArray().Select(o => (o.GetProperty("status").GetString(), o.GetProperty("countsAsExposure").GetBoolean()))
            .ShouldBe([("invoiced", false), ("approved", true), ("held", false), ("cancelled", false), ("released", true)]);
        // Each as its own GET shows it, without the steps.
        foreach (var item in all.Body.EnumerateArray())
        {
            var one = (await app.Clerk.Get($"/api/customers/{id}/orders/{item.GetProperty("orderId").GetString()}")).Body;
            foreach (var field in new[] { "customerId", "amount", "orderedOn", "status", "countsAsExposure", "reasons", "warnings" })
                item.GetProperty(field).GetRawText().ShouldBe(one.GetProperty(field).GetRawText(), field);
        }
        Ids(await app.Clerk.Get($"/api/customers/{id}/orders?status=")).Count().ShouldBe(5); // empty: the default, all
        var held = all.Body[2];
        held.GetProperty("amount").GetDecimal().ShouldBe(900m);
        held.GetProperty("reasons")[0].GetProperty("code").GetString().ShouldBe("CREDIT_LIMIT_EXCEEDED");

        // What still holds credit: the same orders the balance counts.
        var open = await app.Clerk.Get($"/api/customers/{id}/orders?status=open");
        Ids(open).ShouldBe(["OPEN", "RELEASED"]);
        var openSum = open.Body.EnumerateArray().Sum(o => o.GetProperty("amount").GetDecimal());
        (await app.Clerk.Get($"/api/customers/{id}/balance")).Decimal("openOrders").ShouldBe(openSum);
        Ids(await app.Controller.Get($"/api/customers/{id}/orders?status=held")).ShouldBe(["HELD"]);
        Ids(await app.As("bi-tool", "reporter").Get($"/api/customers/{id}/orders?status=cancelled")).ShouldBe(["CANCELLED"]);
        Ids(await app.Clerk.Get($"/api/customers/{id}/orders?status=rejected")).ShouldBeEmpty();

        var page = await app.Clerk.Get($"/api/customers/{id}/orders?limit=2&offset=1");
        Ids(page).ShouldBe(["OPEN", "HELD"]);
        page.Headers["X-Total-Count"].ShouldBe("5");
        page.Headers["Link"].ShouldContain("limit=2&offset=3");
        // Past the end, even where offset + limit passes int.MaxValue (sweep AR: the next link wrapped to a negative offset).
        var past = await app.Clerk.Get($"/api/customers/{id}/orders?offset=2147483647&limit=1000");
        (past.Status, past.Body.GetArrayLength(), past.Headers.ContainsKey("Link")).ShouldBe((200, 0, false));

        var bad = await app.Clerk.InLanguage("ar").Get($"/api/customers/{id}/orders?status=pending");
        bad.Status.ShouldBe(400);
        bad.Body.GetProperty("errorCodes").GetProperty("status")[0].GetString().ShouldBe("INVALID_VALUE");
        (await app.Clerk.Get($"/api/customers/{AppFixture.NewId("nobody")}/orders")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task An_order_placed_under_the_bypass_is_open_but_holds_no_credit()
    {
        var id = await app.Customer(new { name = "Bypass list", creditLimit = 100, bypassCreditCheckAtOrder = true });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "B1", amount = 5000 })).String("status").ShouldBe("approved");
        var open = await app.Clerk.Get($"/api/customers/{id}/orders?status=open");
        Ids(open).ShouldBe(["B1"]);
        open.Body[0].GetProperty("countsAsExposure").GetBoolean().ShouldBeFalse();
        (await app.Clerk.Get($"/api/customers/{id}/orders/B1")).Body.GetProperty("countsAsExposure").GetBoolean().ShouldBeFalse();
    }
}
