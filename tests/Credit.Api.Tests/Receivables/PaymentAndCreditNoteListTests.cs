using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;

namespace Credit.Api.Tests.Receivables;

/// <summary>What a clerk reconciles a bank statement against: the customer's payments and credit notes, with what each settled.</summary>
public class PaymentAndCreditNoteListTests(AppFixture app)
{
    private static IEnumerable<string> Ids(ApiResponse r, string property) =>
        r.Body.EnumerateArray().Select(p => p.GetProperty(property).GetString()!);

    private static decimal Allocated(System.Text.Json.JsonElement document, string invoiceId) =>
        document.GetProperty("allocations").EnumerateArray()
            .Where(a => a.GetProperty("invoiceId").GetString() == invoiceId).Sum(a => a.GetProperty("amount").GetDecimal());

    [Fact]
    public async Task Payments_list_in_the_order_recorded_with_what_each_settled_and_filter_by_unapplied_and_reversed()
    {
        var id = await app.Customer(new { name = "مؤسسة التسويات", creditLimit = 100000 });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 1000, issuedOn = "2026-11-01", dueOn = "2026-12-01" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "CHEQUE", amount = 400, receivedOn = "2026-11-05" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "TRANSFER", amount = 700, receivedOn = "2026-11-10" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "CASH", amount = 50, receivedOn = "2026-11-12" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments/CHEQUE/reverse", new { reason = "returned by the bank" })).Status.ShouldBe(200);

        var all = await app.Clerk.Get($"/api/customers/{id}/payments");
        all.Status.ShouldBe(200, all.ToString());
        Ids(all, "paymentId").ShouldBe(["CHEQUE", "TRANSFER", "CASH"]);
        // Each as GET …/payments/{id} shows it.
        foreach (var payment in all.Body.EnumerateArray())
        {
            var one = await app.Clerk.Get($"/api/customers/{id}/payments/{payment.GetProperty("paymentId").GetString()}");
            payment.GetRawText().ShouldBe(one.Body.GetRawText());
        }
        // The bounce reopened what the cheque had paid; the later payments took it up as credit applied.
        var transfer = all.Body[1];
        (Allocated(transfer, "I1"), transfer.GetProperty("unapplied").GetDecimal()).ShouldBe((700m, 0m));
        all.Body[0].GetProperty("reversed").GetBoolean().ShouldBeTrue();

        Ids(await app.Clerk.Get($"/api/customers/{id}/payments?status=reversed"), "paymentId").ShouldBe(["CHEQUE"]);
        var unapplied = await app.Clerk.Get($"/api/customers/{id}/payments?status=unapplied");
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        unapplied.Body.EnumerateArray().Sum(p => p.GetProperty("unapplied").GetDecimal()).ShouldBe(balance.Decimal("unappliedCredit"));

        var page = await app.Clerk.Get($"/api/customers/{id}/payments?limit=1&offset=1");
        Ids(page, "paymentId").ShouldBe(["TRANSFER"]);
        page.Headers["X-Total-Count"].ShouldBe("3");
        (await app.Clerk.InLanguage("ar").Get($"/api/customers/{id}/payments?status=bounced"))
            .Body.GetProperty("errorCodes").GetProperty("status")[0].GetString().ShouldBe("INVALID_VALUE");
        (await app.Clerk.Get($"/api/customers/{AppFixture.NewId("nobody")}/payments")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task A_credit_note_shows_what_it_settled_and_the_list_filters_what_is_still_credit()
    {
        var id = await app.Customer(new { name = "Returns", creditLimit = 100000 });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 300, issuedOn = "2026-11-01", dueOn = "2026-12-01" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "RET-1", amount = 100, invoiceId = "I1", reason = "returned goods" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "GOODWILL", amount = 500, issuedOn = "2026-11-20", reason = "late delivery" })).Status.ShouldBe(201);

        var returned = await app.Clerk.Get($"/api/customers/{id}/credit-notes/RET-1");
        returned.Status.ShouldBe(200, returned.ToString());
        (returned.Decimal("amount"), returned.String("invoiceId"), Allocated(returned.Body, "I1"), returned.Decimal("unapplied"))
            .ShouldBe((100m, "I1", 100m, 0m));
        // The rest of the invoice came out of the goodwill note; its other 300 stays credit on account.
        var goodwill = await app.Clerk.Get($"/api/customers/{id}/credit-notes/GOODWILL");
        (Allocated(goodwill.Body, "I1"), goodwill.Decimal("unapplied"), goodwill.String("issuedOn")).ShouldBe((200m, 300m, "2026-11-20"));

        var all = await app.Clerk.Get($"/api/customers/{id}/credit-notes");
        Ids(all, "creditNoteId").ShouldBe(["RET-1", "GOODWILL"]);
        Ids(await app.Clerk.Get($"/api/customers/{id}/credit-notes?status=unapplied"), "creditNoteId").ShouldBe(["GOODWILL"]);

        var missing = await app.Clerk.InLanguage("ar").Get($"/api/customers/{id}/credit-notes/NOPE");
        missing.ShouldBeProblem(404, "CREDIT_NOTE_NOT_FOUND");
        missing.String("message")!.ShouldContain("إشعار دائن");
    }
}
