using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Invoicing;

/// <summary>A collector's list: the customer's invoices oldest due first, with what each still owes.</summary>
public class InvoiceListTests(AppFixture app)
{
    private static IEnumerable<string> Ids(ApiResponse r) => r.Body.EnumerateArray().Select(i => i.GetProperty("invoiceId").GetString()!);

    [Fact]
    public async Task A_customers_invoices_list_oldest_due_first_and_filter_by_what_is_owed()
    {
        var id = await app.Customer(new { name = "مؤسسة التحصيل", creditLimit = 100000 });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "LATER", amount = 2875.50m, issuedOn = "2026-11-20", dueOn = "2026-12-20" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "SPLIT", amount = 1000, issuedOn = "2026-11-01",
            installments = new[] { new { dueOn = "2026-11-30", amount = 500 }, new { dueOn = "2026-12-31", amount = 500 } },
        })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "PAID", amount = 1150, issuedOn = "2026-10-01", dueOn = "2026-10-31" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 1150 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "LATE", amount = 300, issuedOn = "2026-10-15", dueOn = "2026-11-14" })).Status.ShouldBe(201);

        var all = await app.Clerk.Get($"/api/customers/{id}/invoices");
        all.Status.ShouldBe(200, all.ToString());
        Ids(all).ShouldBe(["PAID", "LATE", "SPLIT", "LATER"]);
        var split = all.Body.EnumerateArray().Single(i => i.GetProperty("invoiceId").GetString() == "SPLIT");
        (split.GetProperty("openAmount").GetDecimal(), split.GetProperty("installments").GetArrayLength()).ShouldBe((1000m, 2));
        (split.GetProperty("dueOn").GetString(), split.GetProperty("nextDueOn").GetString()).ShouldBe(("2026-12-31", "2026-11-30"));
        all.Body[0].GetProperty("nextDueOn").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null); // PAID

        Ids(await app.Clerk.Get($"/api/customers/{id}/invoices?status=open")).ShouldBe(["LATE", "SPLIT", "LATER"]);
        var overdue = await app.Controller.Get($"/api/customers/{id}/invoices?status=overdue");
        Ids(overdue).ShouldBe(["LATE"]);
        overdue.Body[0].GetProperty("openAmount").GetDecimal().ShouldBe(300m);
        Ids(await app.As("bi-tool", "reporter").Get($"/api/customers/{id}/invoices?status=paid")).ShouldBe(["PAID"]);

        var page = await app.Clerk.Get($"/api/customers/{id}/invoices?limit=2&offset=1");
        Ids(page).ShouldBe(["LATE", "SPLIT"]);
        page.Headers["X-Total-Count"].ShouldBe("4");

        var bad = await app.Clerk.InLanguage("ar").Get($"/api/customers/{id}/invoices?status=late");
        bad.Status.ShouldBe(400);
        bad.Body.GetProperty("errorCodes").GetProperty("status")[0].GetString().ShouldBe("INVALID_VALUE");
        (await app.Clerk.Get($"/api/customers/{AppFixture.NewId("nobody")}/invoices")).Status.ShouldBe(404);
    }
}
