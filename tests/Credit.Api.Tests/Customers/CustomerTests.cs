using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Customers;

public class CustomerTests(AppFixture app)
{
    [Fact]
    public async Task Creating_then_reading_a_customer()
    {
        var id = AppFixture.NewId("cust");
        var created = await app.Clerk.Put($"/api/customers/{id}", new
        {
            name = "مؤسسة النور", currency = "SAR", creditLimit = 5000, paymentTerms = new { months = 1 },
            openingBalance = new { amount = 2500, asOf = "2026-01-01", dueOn = "2026-01-31" },
        });
        created.Status.ShouldBe(201, created.ToString());
        created.Headers["Location"].ShouldBe($"/api/customers/{id}");

        var read = await app.Clerk.Get($"/api/customers/{id}");
        read.Status.ShouldBe(200);
        read.String("name").ShouldBe("مؤسسة النور");
        read.Decimal("creditLimit").ShouldBe(5000m);
        read.Body.GetProperty("paymentTerms").GetProperty("months").GetInt32().ShouldBe(1);
        read.Body.GetProperty("openingBalance").GetProperty("amount").GetDecimal().ShouldBe(2500m);
    }

    [Fact]
    public async Task Only_a_controller_changes_the_limit_of_an_existing_customer()
    {
        var id = AppFixture.NewId("lim");
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "A", creditLimit = 1000 })).Status.ShouldBe(201);
        var byClerk = await app.Clerk.Put($"/api/customers/{id}", new { name = "A", creditLimit = 9000 });
        byClerk.Status.ShouldBe(403);
        byClerk.Code.ShouldBe("CONTROLLER_REQUIRED");
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "A renamed" })).Status.ShouldBe(200);

        var clerkCommand = await app.Clerk.Post($"/api/customers/{id}/credit-limit", new { amount = 9000, reason = "more" });
        clerkCommand.Status.ShouldBe(403);
        var set = await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = 9000, reason = "مراجعة سنوية" });
        set.Status.ShouldBe(200, set.ToString());
        set.Decimal("creditLimit").ShouldBe(9000m);
        set.String("name").ShouldBe("A renamed");
    }

    [Fact]
    public async Task A_credit_limit_change_needs_a_reason()
    {
        var id = AppFixture.NewId("why");
        await app.Controller.Put($"/api/customers/{id}", new { name = "A" });
        var noReason = await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = 100 });
        noReason.Status.ShouldBe(400);
        noReason.ContentType.ShouldBe("application/problem+json");
        noReason.Body.GetProperty("errors").TryGetProperty("reason", out _).ShouldBeTrue(noReason.ToString());
    }

    [Fact]
    public async Task Unknown_customer_is_404_problem()
    {
        var missing = await app.Clerk.Post($"/api/customers/{AppFixture.NewId("none")}/invoices", new { invoiceId = "I1", amount = 1 });
        missing.Status.ShouldBe(404);
        missing.Code.ShouldBe("CUSTOMER_NOT_FOUND");
    }
}
