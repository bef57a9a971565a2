using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;

namespace Credit.Api.Tests.Invoicing;

/// <summary>A refusal for overdue invoices says what the clerk must collect: how much is past due and since when.</summary>
public class OverdueRefusalTests(AppFixture app)
{
    [Fact]
    public async Task An_overdue_refusal_and_a_credit_check_give_the_amount_past_due_and_the_oldest_due_date()
    {
        var id = await app.Customer(new { name = "مؤسسة المتأخرات", creditLimit = 100000 });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "OLD", amount = 1150, issuedOn = "2026-10-01", dueOn = "2026-10-31" })).Status.ShouldBe(201);
        // Paper invoices entered late: once OLD is past due, only an override lets the others in.
        var paper = new { reason = "paper invoices entered late" };
        (await app.Controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "NEWER", amount = 230, issuedOn = "2026-10-10", dueOn = "2026-11-13", @override = paper })).Status.ShouldBe(201);
        (await app.Controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "NOT-DUE", amount = 500, issuedOn = "2026-11-20", dueOn = "2026-12-20", @override = paper })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 150 })).Status.ShouldBe(201);

        var refused = await app.Clerk.InLanguage("ar").Post($"/api/customers/{id}/invoices", new { invoiceId = "NEXT", amount = 100 });
        refused.ShouldBeProblem(409, "CREDIT_REFUSED");
        refused.Codes("reasons").ShouldBe(["OVERDUE_INVOICES"]);
        var overdue = refused.Body.GetProperty("overdue");
        (overdue.GetProperty("amount").GetDecimal(), overdue.GetProperty("items").GetInt32(), overdue.GetProperty("oldestDueOn").GetString(),
            overdue.GetProperty("daysPastDue").GetInt32()).ShouldBe((1000m + 230m, 2, "2026-10-31", 23));
        refused.String("detail")!.ShouldContain("1,230.00 ر.س");
        refused.String("detail")!.ShouldContain("2026-10-31");

        // The what-if check says the same; a refusal for the limit alone carries no overdue figures.
        var check = await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 100, kind = "order" });
        check.Body.GetProperty("overdue").GetProperty("amount").GetDecimal().ShouldBe(1230m);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P2", amount = 1230 })).Status.ShouldBe(201);
        var clear = await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 100, kind = "order" });
        (clear.Body.GetProperty("allowed").GetBoolean(), clear.Body.GetProperty("overdue").ValueKind).ShouldBe((true, System.Text.Json.JsonValueKind.Null));
        var overLimit = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "HUGE", amount = 200000 });
        overLimit.Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);
        overLimit.Body.TryGetProperty("overdue", out _).ShouldBeFalse();
    }
}
