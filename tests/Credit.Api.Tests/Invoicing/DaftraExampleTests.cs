using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;

namespace Credit.Api.Tests.Invoicing;

/// <summary>
/// The example in Daftra's credit-limit guide: limit 10,000 SAR, 30-day credit period; 1,725 (1,500 + 15 % VAT)
/// is saved, 13,800 (2 × 6,000 + VAT) is refused; after paying 1,725 exactly 10,000 passes and 0.01 more fails.
/// </summary>
public class DaftraExampleTests(AppFixture app)
{
    [Fact]
    public async Task Limit_ten_thousand_with_thirty_days()
    {
        var id = AppFixture.NewId("daftra");
        var clerk = app.Clerk;
        (await app.Controller.Put($"/api/customers/{id}", new { name = "الصحيفي للأجهزة الإلكترونية", creditLimit = 10000, paymentTerms = new { days = 30 } }))
            .Status.ShouldBe(201);

        var first = await clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-1", amount = 1725, issuedOn = "2026-11-01" });
        first.Status.ShouldBe(201, first.ToString());
        first.String("dueOn").ShouldBe("2026-12-01");

        var refused = await clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-2", amount = 13800, issuedOn = "2026-11-02" });
        refused.Status.ShouldBe(409, refused.ToString());
        refused.ContentType.ShouldBe("application/problem+json");
        refused.Code.ShouldBe("CREDIT_REFUSED");
        refused.Body.GetProperty("reasons")[0].GetProperty("code").GetString().ShouldBe("CREDIT_LIMIT_EXCEEDED");
        refused.Decimal("exposure").ShouldBe(1725m);
        refused.Decimal("limit").ShouldBe(10000m);
        refused.Decimal("available").ShouldBe(8275m);
        refused.String("currency").ShouldBe("SAR");
        refused.String("title").ShouldBe("Credit refused");
        // The message a POS shows as it is (Daftra: "exceeded the allowed limit"), with the figures, in Arabic too.
        refused.String("detail").ShouldBe("With this amount the customer exceeds its credit limit. Credit limit 10,000.00 SAR, used 1,725.00 SAR, available 8,275.00 SAR.");
        var arabic = await clerk.InLanguage("ar").Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-2", amount = 13800, issuedOn = "2026-11-02" });
        arabic.String("detail").ShouldBe("يتجاوز العميل بهذا المبلغ حد الائتمان المسموح به. حد الائتمان 10,000.00 ر.س، المستخدَم منه 1,725.00 ر.س، المتاح 8,275.00 ر.س.");
        arabic.String("title").ShouldBe("رُفض البيع بالآجل");
        (await clerk.Post($"/api/customers/{id}/credit-check", new { amount = 13800, kind = "invoice" })).String("currency").ShouldBe("SAR");

        var paid = await clerk.Post($"/api/customers/{id}/payments", new { paymentId = "PAY-1", amount = 1725 });
        paid.Status.ShouldBe(201, paid.ToString());
        paid.Body.GetProperty("allocations")[0].GetProperty("invoiceId").GetString().ShouldBe("INV-1");
        paid.Decimal("unapplied").ShouldBe(0m);

        var exact = await clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-3", amount = 10000 });
        exact.Status.ShouldBe(201, exact.ToString());

        var cent = await clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-4", amount = 0.01 });
        cent.Status.ShouldBe(409);
        cent.Decimal("available").ShouldBe(0m);

        var balance = await clerk.Get($"/api/customers/{id}/balance");
        balance.Status.ShouldBe(200, balance.ToString());
        balance.Decimal("outstanding").ShouldBe(10000m);
        balance.Decimal("available").ShouldBe(0m);
        balance.String("limitSource").ShouldBe("customer");
    }

    [Fact]
    public async Task A_limit_of_zero_refuses_any_credit()
    {
        var id = AppFixture.NewId("cash");
        (await app.Controller.Put($"/api/customers/{id}", new { name = "Cash only", creditLimit = 0 })).Status.ShouldBe(201);
        var refused = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 1 });
        refused.Status.ShouldBe(409);
        refused.Body.GetProperty("reasons")[0].GetProperty("code").GetString().ShouldBe("NO_CREDIT");
    }

    [Fact]
    public async Task A_refusal_says_a_customer_is_in_credit_or_over_its_limit_instead_of_showing_negative_figures()
    {
        // A cash-only customer with a 500 deposit: a 1,500 invoice would need credit.
        var cash = AppFixture.NewId("deposit");
        (await app.Controller.Put($"/api/customers/{cash}", new { name = "عربون", creditLimit = 0 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{cash}/payments", new { paymentId = "D1", amount = 500 })).Status.ShouldBe(201);
        var inCredit = await app.Clerk.InLanguage("ar").Post($"/api/customers/{cash}/invoices", new { invoiceId = "I1", amount = 1500 });
        inCredit.Codes("reasons").ShouldBe(["NO_CREDIT"]);
        inCredit.String("detail")!.ShouldEndWith("حد الائتمان 0.00 ر.س، للعميل رصيد دائن 500.00 ر.س، المتاح 500.00 ر.س.");
        inCredit.Decimal("exposure").ShouldBe(-500m); // the figures themselves stay signed

        // A limit cut below what is owed.
        var cut = AppFixture.NewId("cut");
        (await app.Controller.Put($"/api/customers/{cut}", new { name = "Cut", creditLimit = 5000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{cut}/invoices", new { invoiceId = "I1", amount = 2450 })).Status.ShouldBe(201);
        (await app.Controller.Post($"/api/customers/{cut}/credit-limit", new { amount = 2000, reason = "review" })).Status.ShouldBe(200);
        var over = await app.Clerk.Post($"/api/customers/{cut}/invoices", new { invoiceId = "I2", amount = 10 });
        over.String("detail")!.ShouldEndWith("Credit limit 2,000.00 SAR, used 2,450.00 SAR, over the limit by 450.00 SAR.");
        var arabic = await app.Clerk.InLanguage("ar").Post($"/api/customers/{cut}/invoices", new { invoiceId = "I2", amount = 10 });
        arabic.String("detail")!.ShouldEndWith("حد الائتمان 2,000.00 ر.س، المستخدَم منه 2,450.00 ر.س، مقدار تجاوز الحد 450.00 ر.س.");
    }

    [Fact]
    public async Task No_limit_at_any_level_means_unlimited()
    {
        var id = AppFixture.NewId("open");
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "No limit" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 999_999_999 })).Status.ShouldBe(201);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Body.GetProperty("available").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        balance.String("limitSource").ShouldBe("none");
    }

    [Fact]
    public async Task Unlimited_credit_is_the_customer_level_deciding_even_under_a_company_default()
    {
        var id = AppFixture.NewId("unl");
        (await app.Controller.Put($"/api/customers/{id}", new { name = "Trusted", unlimitedCredit = true })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 999_999_999 })).Status.ShouldBe(201);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.String("limitSource").ShouldBe("customer");
        balance.Body.GetProperty("available").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 5, kind = "order" })).String("limitSource").ShouldBe("customer");
    }

    [Fact]
    public async Task Repeating_an_invoice_returns_the_original_and_a_different_body_is_a_duplicate()
    {
        var id = AppFixture.NewId("idem");
        await app.Controller.Put($"/api/customers/{id}", new { name = "Idem", creditLimit = 5000 });
        var body = new { invoiceId = "I1", amount = 100.50m, issuedOn = "2026-11-20" };
        (await app.Clerk.Post($"/api/customers/{id}/invoices", body)).Status.ShouldBe(201);
        var again = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100.5m, issuedOn = "2026-11-20" });
        again.Status.ShouldBe(200, again.ToString());
        again.String("invoiceId").ShouldBe("I1");
        var other = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 200 });
        other.Status.ShouldBe(409);
        other.Code.ShouldBe("DUPLICATE_ID");
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("outstanding").ShouldBe(100.5m);
    }

    [Fact]
    public async Task A_repeat_that_spells_out_the_defaults_the_first_request_left_out_is_the_same_request()
    {
        // A POS retrying after a timeout may fill in what it first left to the defaults: today's date, the terms' due date.
        var id = AppFixture.NewId("idem");
        await app.Controller.Put($"/api/customers/{id}", new { name = "Idem", creditLimit = 5000, paymentTerms = new { days = 30 } });
        var today = "2026-11-23"; // the test clock's business date
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, issuedOn = today, dueOn = "2026-12-23" }))
            .Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, dueOn = "2026-12-24" })).ShouldBeProblem(409, "DUPLICATE_ID");
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, issuedOn = "2026-11-22" })).ShouldBeProblem(409, "DUPLICATE_ID");

        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 10 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 10, orderedOn = today })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 10 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 10, receivedOn = today })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "N1", amount = 10, reason = "returns" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "N1", amount = 10, reason = "returns", issuedOn = today })).Status.ShouldBe(200);
        // Allocations listed in another order, a reason with a trailing space: the same documents.
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 50 })).Status.ShouldBe(201);
        object[] allocations = [new { invoiceId = "I1", amount = 20 }, new { invoiceId = "I2", amount = 10 }];
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P3", amount = 30, allocations })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P3", amount = 30, allocations = allocations.Reverse() })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "N1", amount = 10, reason = "returns " })).Status.ShouldBe(200);
        // And the other way round: given first, left out on the retry.
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P2", amount = 10, receivedOn = today })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P2", amount = 10 })).Status.ShouldBe(200);
    }
}
