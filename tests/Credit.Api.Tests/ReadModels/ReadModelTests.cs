using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.ReadModels;

/// <summary>Balance, statement, statistics and the reports, built by the async projections.</summary>
public class ReadModelTests(AppFixture app)
{
    private ApiClient Reporter => app.As("bi-tool", "reporter");

    private async Task Invoice(string id, string invoiceId, decimal amount, string issuedOn, string dueOn = "2027-12-31")
    {
        var r = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId, amount, issuedOn, dueOn });
        r.Status.ShouldBe(201, r.ToString());
    }

    private async Task Pay(string id, string paymentId, decimal amount, string receivedOn)
    {
        var r = await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId, amount, receivedOn });
        r.Status.ShouldBe(201, r.ToString());
    }

    [Fact]
    public async Task Statistics_reproduce_the_worked_example()
    {
        var id = await app.Customer(new { name = "DSO", customerSince = "2026-01-01" });
        await Invoice(id, "JAN", 70_000, "2026-01-10");
        await Invoice(id, "FEB", 80_000, "2026-02-10");
        await Invoice(id, "MAR-1", 100_000, "2026-03-05");
        await Invoice(id, "MAR-2", 50_000, "2026-03-25");
        await Pay(id, "P1", 50_000, "2026-03-20");

        var stats = await Reporter.Get($"/api/customers/{id}/statistics?asOf=2026-03-31");
        stats.Status.ShouldBe(200, stats.ToString());
        var dso = stats.Body.GetProperty("dso");
        dso[0].GetProperty("windowMonths").GetInt32().ShouldBe(3);
        dso[0].GetProperty("days").GetDecimal().ShouldBe(75.0m);
        dso[0].GetProperty("countBackDays").GetDecimal().ShouldBe(67.86m);
        dso[1].GetProperty("windowMonths").GetInt32().ShouldBe(12);
        stats.Body.GetProperty("averageBalance")[0].GetProperty("windowMonths").GetInt32().ShouldBe(3);
        // No limit anywhere: no usage figure.
        stats.Body.GetProperty("averageCreditUsagePct").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);

        (await Reporter.Get($"/api/customers/{id}/statistics?asOf=2026-02-30")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task Statement_carries_the_balance_forward_and_runs_it_line_by_line()
    {
        var id = await app.Customer(new { name = "كشف حساب", openingBalance = new { amount = 1000, asOf = "2026-09-30", dueOn = "2027-12-31" } });
        await Invoice(id, "I1", 500, "2026-10-05");
        await Pay(id, "P1", 1200, "2026-10-20");
        await Invoice(id, "I2", 300, "2026-11-02");
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 50, invoiceId = "I2", issuedOn = "2026-11-03", reason = "returned" }))
            .Status.ShouldBe(201);
        await Invoice(id, "BACKDATED", 200, "2026-10-10"); // recorded now, dated in October

        var october = await app.Clerk.Get($"/api/customers/{id}/statement?from=2026-10-01&to=2026-10-31");
        october.Status.ShouldBe(200, october.ToString());
        october.Decimal("openingBalance").ShouldBe(1000m);
        var lines = october.Body.GetProperty("lines").EnumerateArray().ToList();
        lines.Select(l => l.GetProperty("document").GetString()).ShouldBe(["I1", "BACKDATED", "P1"]);
        lines.Select(l => l.GetProperty("balance").GetDecimal()).ShouldBe([1500m, 1700m, 500m]);
        october.Decimal("closingBalance").ShouldBe(500m);

        var november = await app.Clerk.Get($"/api/customers/{id}/statement?from=2026-11-01&to=2026-11-30");
        november.Decimal("openingBalance").ShouldBe(500m);
        november.Body.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("type").GetString()).ShouldBe(["invoice", "credit-note"]);
        november.Decimal("closingBalance").ShouldBe(750m);

        // Each line in words for the customer, in the reader's language.
        var arabic = await app.Clerk.InLanguage("ar").Get($"/api/customers/{id}/statement?from=2026-09-01&to=2026-11-30");
        arabic.Body.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("description").GetString())
            .ShouldBe(["رصيد افتتاحي", "فاتورة رقم \u2068I1\u2069", "فاتورة رقم \u2068BACKDATED\u2069", "دفعة رقم \u2068P1\u2069", "فاتورة رقم \u2068I2\u2069", "إشعار دائن رقم \u2068CN1\u2069"]);
        november.Body.GetProperty("lines")[1].GetProperty("description").GetString().ShouldBe("Credit note CN1");

        (await app.Clerk.Get($"/api/customers/{id}/statement?from=2026-11-30&to=2026-11-01")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task A_credit_balance_shows_as_negative_outstanding_everywhere()
    {
        var id = await app.Customer(new { name = "Prepaid" });
        await Invoice(id, "I1", 100, "2026-11-01");
        await Pay(id, "P1", 250, "2026-11-02");
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("outstanding").ShouldBe(-150m);
        balance.Decimal("unappliedCredit").ShouldBe(150m);
        (await app.Clerk.Get($"/api/customers/{id}/statement?from=2026-11-01&to=2026-11-30")).Decimal("closingBalance").ShouldBe(-150m);
    }

    [Fact]
    public async Task Balance_ages_open_installments_by_days_past_due()
    {
        var id = await app.Customer(new { name = "Aging", openingBalance = new { amount = 100, asOf = "2026-01-01", dueOn = "2026-01-31" } });
        // Today is 2026-11-23. Opening balance: 296 days late. The invoice's installments: 10 days, 45 days, not yet due.
        var r = await app.Controller.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 600, issuedOn = "2026-09-01", @override = new { reason = "old customer" },
            installments = new[] { new { dueOn = "2026-10-09", amount = 200 }, new { dueOn = "2026-11-13", amount = 200 }, new { dueOn = "2026-12-13", amount = 200 } },
        });
        r.Status.ShouldBe(201, r.ToString());
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        var aging = balance.Body.GetProperty("aging");
        aging.GetProperty("current").GetDecimal().ShouldBe(200m);
        aging.GetProperty("d1_30").GetDecimal().ShouldBe(200m);
        aging.GetProperty("d31_60").GetDecimal().ShouldBe(200m);
        aging.GetProperty("d61_90").GetDecimal().ShouldBe(0m);
        aging.GetProperty("over90").GetDecimal().ShouldBe(100m);
        balance.Decimal("overdue").ShouldBe(500m);
    }

    [Fact]
    public async Task Credit_paid_in_advance_settles_the_invoice_issued_after_it_so_nothing_is_overdue_and_the_views_agree()
    {
        var id = await app.Customer(new { name = "Advance", creditLimit = 5000 });
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "ADV", amount = 1000, receivedOn = "2026-10-01" })).Status.ShouldBe(201);
        // Due on issue, two months ago: overdue, were it open.
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 800, issuedOn = "2026-10-05" })).Status.ShouldBe(201);

        var order = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 100 });
        order.String("status").ShouldBe("approved", order.ToString());
        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Decimal("openAmount").ShouldBe(0m);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("outstanding").ShouldBe(-200m);
        balance.Decimal("unappliedCredit").ShouldBe(200m);
        balance.Decimal("overdue").ShouldBe(0m);
        balance.Body.GetProperty("aging").GetProperty("d31_60").GetDecimal().ShouldBe(0m);

        var report = await Reporter.Get("/api/reports/aging?asOf=2026-11-23");
        var row = report.Body.GetProperty("customers").EnumerateArray().SingleOrDefault(c => c.GetProperty("customerId").GetString() == id);
        if (row.ValueKind == System.Text.Json.JsonValueKind.Object) row.GetProperty("overdue").GetDecimal().ShouldBe(0m);
        var notes = await app.Controller.Get($"/api/notifications?customerId={id}");
        notes.Body.GetArrayLength().ShouldBe(0, notes.ToString());

        // The advance bounces: the invoice is open and overdue again, in every view.
        (await app.Clerk.Post($"/api/customers/{id}/payments/ADV/reverse", new { reason = "cheque bounced" })).Status.ShouldBe(200);
        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Decimal("openAmount").ShouldBe(800m);
        (await app.Clerk.Get($"/api/customers/{id}/balance")).Decimal("overdue").ShouldBe(800m);
        var after = await Reporter.Get("/api/reports/aging?asOf=2026-11-23");
        after.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id)
            .GetProperty("buckets").GetProperty("d31_60").GetDecimal().ShouldBe(800m);
    }

    [Fact]
    public async Task The_aging_sets_credit_not_yet_applied_beside_the_buckets_so_it_adds_up_to_the_balance()
    {
        // A payment allocated to one invoice leaves the rest on account; a deposit larger than the invoice leaves a customer in credit.
        var partly = await app.Customer(new { name = "Allocated", creditLimit = 10000 });
        await Invoice(partly, "I2", 750, "2026-11-01", "2026-12-01");
        await Invoice(partly, "I1", 1000, "2026-10-01", "2026-10-31"); // overdue: issued last, or nothing more could be
        var paid = await app.Clerk.Post($"/api/customers/{partly}/payments",
            new { paymentId = "P1", amount = 2000, receivedOn = "2026-11-10", allocations = new[] { new { invoiceId = "I2", amount = 750 } } });
        paid.Decimal("unapplied").ShouldBe(1250m, paid.ToString());
        var deposit = await app.Customer(new { name = "Deposit", creditLimit = 10000 });
        await Pay(deposit, "D1", 2000, "2026-11-02");
        await Invoice(deposit, "I1", 1500, "2026-11-03", "2026-12-03");

        System.Text.Json.JsonElement Row(ApiResponse report, string id) =>
            report.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id);
        var report = await Reporter.Get("/api/reports/aging?asOf=2026-11-23");
        report.Status.ShouldBe(200, report.ToString());
        var row = Row(report, partly);
        (row.GetProperty("total").GetDecimal(), row.GetProperty("unappliedCredit").GetDecimal(), row.GetProperty("outstanding").GetDecimal())
            .ShouldBe((1000m, 1250m, -250m), row.ToString());
        row.GetProperty("buckets").GetProperty("d1_30").GetDecimal().ShouldBe(1000m);
        (await app.Clerk.Get($"/api/customers/{partly}/balance")).Decimal("outstanding").ShouldBe(-250m);
        var inCredit = Row(report, deposit);
        (inCredit.GetProperty("total").GetDecimal(), inCredit.GetProperty("unappliedCredit").GetDecimal(), inCredit.GetProperty("outstanding").GetDecimal())
            .ShouldBe((0m, 500m, -500m), inCredit.ToString());
        inCredit.GetProperty("buckets").EnumerateObject().ShouldAllBe(b => b.Value.GetDecimal() == 0m);
        foreach (var total in report.Body.GetProperty("totals").EnumerateArray())
            total.GetProperty("outstanding").GetDecimal().ShouldBe(total.GetProperty("total").GetDecimal() - total.GetProperty("unappliedCredit").GetDecimal());

        // Before the payment came there was nothing on account: the buckets were the balance.
        var before = Row(await Reporter.Get("/api/reports/aging?asOf=2026-11-05"), partly);
        (before.GetProperty("total").GetDecimal(), before.GetProperty("unappliedCredit").GetDecimal(), before.GetProperty("outstanding").GetDecimal())
            .ShouldBe((1750m, 0m, 1750m));
    }

    [Fact]
    public async Task Credit_on_account_settles_open_items_so_a_customer_who_owes_nothing_net_is_not_blocked_as_overdue()
    {
        var id = await app.Customer(new { name = "Goodwill", creditLimit = 1000 });
        await Invoice(id, "I1", 100, "2026-10-01", "2026-10-01");
        var note = await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "C1", amount = 100, reason = "goodwill on account" });
        note.Status.ShouldBe(201, note.ToString());
        note.Decimal("unapplied").ShouldBe(0m);

        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        (balance.Decimal("outstanding"), balance.Decimal("overdue"), balance.String("status")).ShouldBe((0m, 0m, "ok"), balance.ToString());
        balance.Codes("statusReasons").ShouldBeEmpty();
        (await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 50, kind = "invoice" })).Body.GetProperty("allowed").GetBoolean().ShouldBeTrue();
        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Decimal("creditedAmount").ShouldBe(100m);
    }

    [Fact]
    public async Task Credit_left_on_account_settles_what_a_bounced_payment_reopens()
    {
        var id = await app.Customer(new { name = "Bounced", creditLimit = 1000 });
        await Invoice(id, "I1", 100, "2026-10-01", "2026-10-01");
        await Pay(id, "P", 80, "2026-10-05");
        var note = await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "C", amount = 50, invoiceId = "I1", reason = "returned" });
        note.Decimal("unapplied").ShouldBe(30m, note.ToString()); // I1 owed 20; nothing else is open

        (await app.Clerk.Post($"/api/customers/{id}/payments/P/reverse", new { reason = "cheque bounced" })).Status.ShouldBe(200);

        // I1 reopens by 80 and the note's 30 settles it: 50 open, all of it overdue, as outstanding says.
        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Decimal("openAmount").ShouldBe(50m);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        (balance.Decimal("outstanding"), balance.Decimal("overdue"), balance.Decimal("unappliedCredit")).ShouldBe((50m, 50m, 0m), balance.ToString());
        var report = await Reporter.Get("/api/reports/aging?asOf=2026-11-23");
        report.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id)
            .GetProperty("buckets").GetProperty("d31_60").GetDecimal().ShouldBe(50m);
    }

    [Fact]
    public async Task A_bounced_payment_leaves_what_a_credit_note_of_the_same_id_settled()
    {
        // Sweep AO: ids are unique per kind of document; the reversal reopened the note's settlement too (overdue and
        // aging 100 where 90 was owed, and the note's 10 counted again as unapplied credit).
        var id = await app.Customer(new { name = "Same ids", creditLimit = 100000 });
        await Invoice(id, "X1", 100, "2026-11-01", "2026-11-01");
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "X1", amount = 10, allocations = new[] { new { invoiceId = "X1", amount = 10 } } }))
            .Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "X1", amount = 10, invoiceId = "X1", reason = "returned" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments/X1/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        (await app.Clerk.Get($"/api/customers/{id}/invoices/X1")).Decimal("openAmount").ShouldBe(90m);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        (balance.Decimal("outstanding"), balance.Decimal("overdue"), balance.Decimal("unappliedCredit")).ShouldBe((90m, 90m, 0m), balance.ToString());
        balance.Body.GetProperty("aging").GetProperty("d1_30").GetDecimal().ShouldBe(90m, balance.ToString());
        var report = await Reporter.Get("/api/reports/aging?asOf=2026-11-23");
        report.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id)
            .GetProperty("buckets").GetProperty("d1_30").GetDecimal().ShouldBe(90m);
    }

    [Fact]
    public async Task A_payment_that_settled_an_installment_in_two_pieces_reopens_both_when_it_bounces()
    {
        var id = await app.Customer(new { name = "Two pieces", creditLimit = 5000 });
        await Invoice(id, "I1", 1000, "2026-11-01", "2026-12-31");
        await Pay(id, "PA", 600, "2026-11-02");
        await Pay(id, "PB", 700, "2026-11-03"); // 400 to I1, 300 left on account
        // PA bounces: PB's 300 settles the 600 it reopens (CreditApplied), so PB settled I1 in two pieces, 400 and 300.
        (await app.Clerk.Post($"/api/customers/{id}/payments/PA/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/payments/PB/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Decimal("openAmount").ShouldBe(1000m);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        (balance.Decimal("outstanding"), balance.Decimal("unappliedCredit")).ShouldBe((1000m, 0m), balance.ToString());
        balance.Body.GetProperty("aging").GetProperty("current").GetDecimal().ShouldBe(1000m, balance.ToString());
        var report = await Reporter.Get("/api/reports/aging?asOf=2026-11-23");
        report.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id)
            .GetProperty("buckets").GetProperty("current").GetDecimal().ShouldBe(1000m);
    }

    [Fact]
    public async Task A_bounced_payment_reopens_what_its_credit_settled_no_earlier_than_it_was_settled()
    {
        // Credit paid on 1 Aug settles an invoice issued on 1 Oct; the cheque is recorded as bounced on 1 Sep. In
        // mid-September there was no invoice to owe: the reopened item appears on 1 Oct, when it was settled.
        var id = await app.Customer(new { name = "Reopened later" });
        await Pay(id, "P1", 200, "2026-08-01");
        await Invoice(id, "I1", 200, "2026-10-01", "2026-10-31");
        (await app.Clerk.Post($"/api/customers/{id}/payments/P1/reverse", new { reason = "bounced", reversedOn = "2026-09-01" })).Status.ShouldBe(200);

        decimal Aged(ApiResponse report) => report.Body.GetProperty("customers").EnumerateArray()
            .Where(c => c.GetProperty("customerId").GetString() == id).Sum(c => c.GetProperty("total").GetDecimal());
        Aged(await Reporter.Get("/api/reports/aging?asOf=2026-09-15")).ShouldBe(0m);
        Aged(await Reporter.Get("/api/reports/aging?asOf=2026-10-15")).ShouldBe(200m);
        Aged(await Reporter.Get("/api/reports/aging?asOf=2026-11-23")).ShouldBe(200m);
        var statement = await app.Clerk.Get($"/api/customers/{id}/statement?from=2026-07-01&to=2026-09-30");
        statement.Decimal("closingBalance").ShouldBe(0m, statement.ToString());
    }

    [Fact]
    public async Task A_customer_with_orders_only_has_no_history_yet_in_its_profile_or_its_statistics()
    {
        var id = await app.Customer(new { name = "Orders only", creditLimit = 5000 });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 100, orderedOn = "2026-10-01" })).Status.ShouldBe(201);

        (await app.Clerk.Get($"/api/customers/{id}")).Body.GetProperty("customerSince").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        foreach (var asOf in new[] { "2026-09-30", "2026-11-23" })
        {
            var stats = await app.Clerk.Get($"/api/customers/{id}/statistics?asOf={asOf}");
            stats.Body.GetProperty("customerSince").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null, stats.ToString());
            stats.Body.GetProperty("dso").EnumerateArray().ShouldAllBe(d => d.GetProperty("countBackDays").ValueKind == System.Text.Json.JsonValueKind.Null);
            stats.Body.GetProperty("averageBalance").EnumerateArray().ShouldAllBe(a => a.GetProperty("amount").ValueKind == System.Text.Json.JsonValueKind.Null);
        }
    }

    [Fact]
    public async Task On_a_past_date_credit_that_settled_an_item_before_it_was_reopened_counts_as_the_credit_it_was()
    {
        // P-X paid INV-X on 5 Nov and bounced on 20 Nov; a credit note dated 10 Nov, recorded after the bounce, settled
        // the reopened INV-X. On 12 Nov INV-X was still paid, so the note's 400 was credit then: it settles INV-Y, and the
        // aging agrees with the statement (600), instead of showing INV-Y's full 1,000.
        var id = await app.Customer(new { name = "Credit then", creditLimit = 100000, paymentTerms = new { days = 30 } });
        await Invoice(id, "INV-X", 1000, "2026-11-01", "2026-12-01");
        await Invoice(id, "INV-Y", 1000, "2026-11-02", "2026-12-02");
        await Pay(id, "P-X", 1000, "2026-11-05");
        (await app.Clerk.Post($"/api/customers/{id}/payments/P-X/reverse", new { reason = "bounced", reversedOn = "2026-11-20" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN-1", amount = 400, issuedOn = "2026-11-10", reason = "discount" }))
            .Status.ShouldBe(201);

        decimal Aged(ApiResponse report) => report.Body.GetProperty("customers").EnumerateArray()
            .Where(c => c.GetProperty("customerId").GetString() == id).Sum(c => c.GetProperty("total").GetDecimal());
        foreach (var (day, expected) in new[] { ("2026-11-12", 600m), ("2026-11-21", 1600m) })
        {
            var statement = await app.Clerk.Get($"/api/customers/{id}/statement?from=2026-11-01&to={day}");
            statement.Decimal("closingBalance").ShouldBe(expected, day);
            Aged(await Reporter.Get($"/api/reports/aging?asOf={day}")).ShouldBe(expected, day);
        }
    }

    [Fact]
    public async Task A_bounced_payment_reopens_each_piece_it_settled_on_that_pieces_own_date()
    {
        // P settled I1 in two pieces: 400 on receipt (1 Oct), 600 as credit applied when Q bounced (10 Oct). P's own bounce,
        // dated 5 Oct, reopens the first piece on 5 Oct and the second on 10 Oct, when it had been settled.
        var id = await app.Customer(new { name = "Two dates", creditLimit = 100000, paymentTerms = new { days = 30 } });
        await Invoice(id, "I1", 1000, "2026-09-01", "2026-10-01");
        await Pay(id, "Q", 600, "2026-09-15");
        await Pay(id, "P", 1000, "2026-10-01");
        (await app.Clerk.Post($"/api/customers/{id}/payments/Q/reverse", new { reason = "bounced", reversedOn = "2026-10-10" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/payments/P/reverse", new { reason = "bounced", reversedOn = "2026-10-05" })).Status.ShouldBe(200);

        decimal Aged(ApiResponse report) => report.Body.GetProperty("customers").EnumerateArray()
            .Where(c => c.GetProperty("customerId").GetString() == id).Sum(c => c.GetProperty("total").GetDecimal());
        foreach (var (day, expected) in new[] { ("2026-10-02", 0m), ("2026-10-07", 400m), ("2026-10-12", 1000m) })
            Aged(await Reporter.Get($"/api/reports/aging?asOf={day}")).ShouldBe(expected, day);
        (await app.Clerk.Get($"/api/customers/{id}/statement?from=2026-09-01&to=2026-10-07")).Decimal("closingBalance").ShouldBe(400m);
    }

    [Fact]
    public async Task The_balance_counts_documents_dated_after_today_as_the_decisions_do()
    {
        var id = await app.Customer(new { name = "Post-dated", creditLimit = 1000 });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 900 })).Status.ShouldBe(201);
        var paid = await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 900, receivedOn = "2027-06-30" });
        paid.Decimal("unapplied").ShouldBe(0m);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("outstanding").ShouldBe(0m, balance.ToString());
        balance.Decimal("unappliedCredit").ShouldBe(0m);
        balance.Body.GetProperty("aging").GetProperty("current").GetDecimal().ShouldBe(0m);

        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 10, issuedOn = "2028-01-31" })).Status.ShouldBe(201);
        var later = await app.Clerk.Get($"/api/customers/{id}/balance");
        later.Decimal("outstanding").ShouldBe(10m);
        later.Decimal("unappliedCredit").ShouldBe(0m, later.ToString());
        later.Body.GetProperty("aging").GetProperty("current").GetDecimal().ShouldBe(10m);
        later.Decimal("overdue").ShouldBe(0m);
    }

    [Fact]
    public async Task The_aging_report_shows_each_customer_as_it_stood_on_the_date_asked()
    {
        var id = await app.Customer(new { name = "Report" });
        await Invoice(id, "I1", 400, "2026-06-01", "2026-06-30");
        await Pay(id, "P1", 400, "2026-08-15");

        var july = await Reporter.Get("/api/reports/aging?asOf=2026-07-31");
        july.Status.ShouldBe(200, july.ToString());
        var row = july.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id);
        row.GetProperty("buckets").GetProperty("d31_60").GetDecimal().ShouldBe(400m);
        row.GetProperty("overdue").GetDecimal().ShouldBe(400m);
        july.Body.GetProperty("totals").EnumerateArray().Single(t => t.GetProperty("currency").GetString() == "SAR")
            .GetProperty("total").GetDecimal().ShouldBeGreaterThanOrEqualTo(400m);

        var september = await Reporter.Get("/api/reports/aging?asOf=2026-09-01");
        september.Body.GetProperty("customers").EnumerateArray().Any(c => c.GetProperty("customerId").GetString() == id).ShouldBeFalse();

        (await app.Clerk.Get("/api/reports/aging")).Status.ShouldBe(403);
    }

    [Fact]
    public async Task The_dso_report_lists_customers_and_the_company()
    {
        var id = await app.Customer(new { name = "DSO report", customerSince = "2026-01-01" });
        await Invoice(id, "I1", 3000, "2026-03-01");
        var report = await Reporter.Get("/api/reports/dso?asOf=2026-03-31");
        report.Status.ShouldBe(200, report.ToString());
        var row = report.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id);
        row.GetProperty("dso")[0].GetProperty("days").GetDecimal().ShouldBe(90m);
        row.GetProperty("dso")[0].GetProperty("countBackDays").GetDecimal().ShouldBe(31m);
        report.Body.GetProperty("company").EnumerateArray().Any(c => c.GetProperty("currency").GetString() == "SAR").ShouldBeTrue();
    }

    [Fact]
    public async Task The_dso_report_measures_from_a_stated_customer_since_later_than_the_first_document_as_statistics_do()
    {
        var id = await app.Customer(new { name = "Migrated", customerSince = "2026-10-01" });
        await Invoice(id, "I1", 3000, "2026-09-15");
        await Pay(id, "P1", 1000, "2026-10-20");

        // The window starts at 2026-10-01: no sales in it (days null); history runs out: 10-01 to 11-30 is 61 days.
        var stats = await Reporter.Get($"/api/customers/{id}/statistics?asOf=2026-11-30");
        var report = await Reporter.Get("/api/reports/dso?asOf=2026-11-30");
        var row = report.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id);
        foreach (var dso in new[] { stats.Body.GetProperty("dso")[0], row.GetProperty("dso")[0] })
        {
            dso.GetProperty("days").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null, report.ToString());
            dso.GetProperty("countBackDays").GetDecimal().ShouldBe(61m);
        }
    }

    [Fact]
    public async Task A_credit_note_as_the_first_document_starts_the_customers_history_in_the_statistics_and_the_dso_report()
    {
        var id = await app.Customer(new { name = "Credit first", creditLimit = 100_000 });
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 100, issuedOn = "2026-03-10", reason = "goodwill" }))
            .Status.ShouldBe(201);
        await Invoice(id, "I1", 1000, "2026-06-01", "2026-07-01");
        (await app.Clerk.Get($"/api/customers/{id}")).String("customerSince").ShouldBe("2026-03-10");

        // 12 months back from 2026-11-30, from 2026-03-10: 266 days, 83 at -100 then 183 at 900.
        var stats = await Reporter.Get($"/api/customers/{id}/statistics?asOf=2026-11-30");
        var report = await Reporter.Get("/api/reports/dso?asOf=2026-11-30");
        var row = report.Body.GetProperty("customers").EnumerateArray().Single(c => c.GetProperty("customerId").GetString() == id);
        stats.String("customerSince").ShouldBe("2026-03-10");
        foreach (var dso in new[] { stats.Body.GetProperty("dso")[1], row.GetProperty("dso")[1] })
            dso.GetProperty("days").GetDecimal().ShouldBe(239.4m, report.ToString()); // 900 / 1000 x 266
        stats.Body.GetProperty("averageBalance")[1].GetProperty("amount").GetDecimal().ShouldBe(587.97m); // (83 x -100 + 183 x 900) / 266
        (await Reporter.Get($"/api/customers/{id}/statistics?asOf=2026-05-01")).Body.GetProperty("averageBalance")[1]
            .GetProperty("amount").GetDecimal().ShouldBe(-100m);
    }

    [Fact]
    public async Task Credit_usage_over_a_migrated_history_is_measured_against_the_limit_the_account_was_opened_with()
    {
        var id = await app.Customer(new { name = "Migrated usage", creditLimit = 2000, customerSince = "2026-01-01" });
        await Invoice(id, "I1", 900, "2026-04-10");
        await Invoice(id, "I2", 600, "2026-05-15");
        await Invoice(id, "I3", 300, "2026-06-20");
        await Pay(id, "P1", 900, "2026-06-01");

        // 92 days from 2026-03-31: 10 at 0, 35 at 900, 17 at 1,500, 19 at 600, 11 at 900 → mean 851.09 of 2,000.
        var stats = await Reporter.Get($"/api/customers/{id}/statistics?asOf=2026-06-30");
        stats.Decimal("averageCreditUsagePct").ShouldBe(42.55m, stats.ToString());
    }

    [Fact]
    public async Task A_released_order_invoiced_with_an_earlier_date_never_leaves_open_orders_negative_in_the_history()
    {
        var id = await app.Customer(new { name = "Backdated release", creditLimit = 100 });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 500, orderedOn = "2026-04-07" })).String("status").ShouldBe("held");
        (await app.Controller.Post($"/api/customers/{id}/orders/O1/release", new { reason = "known customer" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 500, orderId = "O1", issuedOn = "2026-04-09" }))
            .Status.ShouldBe(201);
        await app.Clerk.Get($"/api/customers/{id}/balance"); // waits for the projection

        await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var lowest = new Npgsql.NpgsqlCommand(
            "select coalesce(min(open_orders), 0) from credit_reporting.daily_balance where customer_id = @id", conn);
        lowest.Parameters.AddWithValue("id", id);
        ((decimal)(await lowest.ExecuteScalarAsync())!).ShouldBeGreaterThanOrEqualTo(0m);
        var stats = await Reporter.Get($"/api/customers/{id}/statistics?asOf=2026-06-30");
        stats.Decimal("averageExposurePct").ShouldBeGreaterThanOrEqualTo(stats.Decimal("averageCreditUsagePct"), stats.ToString());
    }

    [Fact]
    public async Task Overdue_in_the_reporting_views_does_not_depend_on_the_readers_time_zone()
    {
        await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        async Task<T> Scalar<T>(string sql, string? id = null)
        {
            await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
            if (id is not null) cmd.Parameters.AddWithValue("id", id);
            return (T)(await cmd.ExecuteScalarAsync())!;
        }
        // Due on the date it is now at UTC-11: not yet overdue there, overdue at UTC+14 (a day ahead).
        var dueOn = await Scalar<DateTime>("select (now() at time zone 'Pacific/Pago_Pago')::date");
        var id = await app.Customer(new { name = "Zones" });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 100, issuedOn = dueOn.AddDays(-30).ToString("yyyy-MM-dd"), dueOn = dueOn.ToString("yyyy-MM-dd"),
        })).Status.ShouldBe(201);
        await app.Clerk.Get($"/api/customers/{id}/balance"); // waits for the projection

        const string overdue = "select coalesce(overdue, 0) from credit_reporting.customer_balance where customer_id = @id";
        await Scalar<int>("select 1; set timezone = 'Pacific/Pago_Pago'");
        var behind = await Scalar<decimal>(overdue, id);
        await Scalar<int>("select 1; set timezone = 'Pacific/Kiritimati'");
        var ahead = await Scalar<decimal>(overdue, id);
        ahead.ShouldBe(behind); // the business date (Asia/Riyadh) decides, not the session's
    }

    [Fact]
    public async Task Reports_page_on_request_and_keep_their_totals_over_all_rows()
    {
        // A database of its own: the shared one gains customers from tests running beside this one.
        var database = await app.NewDatabase("paged");
        await using var host = await AppFixture.StartHost(database, new TestClock(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero)));
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        var reporter = new ApiClient(host, app.Token("bi-tool", "reporter"));
        foreach (var n in new[] { 1, 2, 3 })
        {
            (await controller.Put($"/api/customers/P{n}", new { name = $"Paged {n}" })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/P{n}/invoices", new { invoiceId = "I1", amount = 100 * n, issuedOn = "2026-09-01", dueOn = "2026-09-30" }))
                .Status.ShouldBe(201);
        }
        await controller.Get("/api/customers/P3/balance"); // waits for the projection

        var all = await reporter.Get("/api/reports/aging?asOf=2026-11-23");
        all.Body.GetProperty("customers").GetArrayLength().ShouldBe(3);
        var page = await reporter.Get("/api/reports/aging?asOf=2026-11-23&limit=2");
        page.Status.ShouldBe(200, page.ToString());
        page.Body.GetProperty("customers").GetArrayLength().ShouldBe(2);
        page.Headers["X-Total-Count"].ShouldBe("3");
        page.Headers["Link"].ShouldContain("asOf=2026-11-23");
        page.Headers["Link"].ShouldContain("offset=2");
        page.Body.GetProperty("totals").ToString().ShouldBe(all.Body.GetProperty("totals").ToString()); // over all rows
        var next = await reporter.Get("/api/reports/aging?asOf=2026-11-23&limit=2&offset=2");
        next.Body.GetProperty("customers").EnumerateArray().Select(c => c.GetProperty("customerId").GetString())
            .ShouldBe([all.Body.GetProperty("customers")[2].GetProperty("customerId").GetString()]);
        next.Headers.ContainsKey("Link").ShouldBeFalse();

        var dso = await reporter.Get("/api/reports/dso?asOf=2026-11-23&limit=1");
        (dso.Body.GetProperty("customers").GetArrayLength(), dso.Headers["X-Total-Count"]).ShouldBe((1, "3"));
        (await controller.Get("/api/holds?status=released&limit=1")).Headers["X-Total-Count"].ShouldBe("0");
        (await reporter.Get("/api/reports/aging?limit=0")).Status.ShouldBe(400);
        (await reporter.Get("/api/reports/dso?offset=-1")).Status.ShouldBe(400);
    }

    [Fact]
    public async Task The_reporting_role_reads_the_reporting_schema_and_nothing_else()
    {
        var id = await app.Customer(new { name = "BI", creditLimit = 1000 });
        await Invoice(id, "I1", 10, "2026-11-01");
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 5000 })).Body.GetProperty("status").GetString().ShouldBe("held");
        await app.Clerk.Get($"/api/customers/{id}/balance"); // waits for the projection

        var login = $"bi_{Guid.NewGuid():N}"[..12];
        await using (var admin = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"create role {login} login password 'bi'; grant credit_reporting_reader to {login};", admin);
            await create.ExecuteNonQueryAsync();
        }
        var bi = new Npgsql.NpgsqlConnectionStringBuilder(app.ConnectionString) { Username = login, Password = "bi" }.ConnectionString;
        await using var conn = new Npgsql.NpgsqlConnection(bi);
        await conn.OpenAsync();
        foreach (var view in new[] { "customer_balance", "open_items", "daily_balance", "holds", "ledger_entries" })
        {
            await using var read = new Npgsql.NpgsqlCommand($"select count(*) from credit_reporting.{view}", conn);
            ((long)(await read.ExecuteScalarAsync())!).ShouldBeGreaterThan(0, view);
        }
        await using var balance = new Npgsql.NpgsqlCommand("select outstanding from credit_reporting.customer_balance where customer_id = @id", conn);
        balance.Parameters.AddWithValue("id", id);
        ((decimal)(await balance.ExecuteScalarAsync())!).ShouldBe(10m);

        foreach (var forbidden in new[] { "select count(*) from credit.mt_events", "delete from credit_reporting.customers" })
        {
            await using var cmd = new Npgsql.NpgsqlCommand(forbidden, conn);
            (await Should.ThrowAsync<Npgsql.PostgresException>(() => cmd.ExecuteNonQueryAsync())).SqlState.ShouldBe("42501", forbidden);
        }
    }

    [Fact]
    public async Task Projections_report_their_position_and_lag()
    {
        var id = await app.Customer(new { name = "Ops" });
        await Invoice(id, "I1", 10, "2026-11-01");
        var status = await Scenario.Eventually(() => Reporter.Get("/api/projections"),
            r => r.Body.GetProperty("projections").EnumerateArray().All(p => p.GetProperty("lagEvents").GetInt64() == 0));
        var names = status.Body.GetProperty("projections").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        names.ShouldContain("Reporting");
        status.Body.GetProperty("headSequence").GetInt64().ShouldBeGreaterThan(0);
        (await app.Clerk.Get("/api/projections")).Status.ShouldBe(403);
        (await app.Controller.Post("/api/projections/rebuild", null)).Status.ShouldBe(403);
    }
}
