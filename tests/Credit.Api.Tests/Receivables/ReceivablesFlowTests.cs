using System.Text.Json;
using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;

namespace Credit.Api.Tests.Receivables;

/// <summary>Terms, installments, payments, reversals, credit notes and the opening balance through the real API.</summary>
public class ReceivablesFlowTests(AppFixture app)
{
    private static decimal[] OpenAmounts(ApiResponse invoice) =>
        invoice.Body.GetProperty("installments").EnumerateArray().Select(i => i.GetProperty("openAmount").GetDecimal()).ToArray();

    [Theory]
    [InlineData("{\"months\":1}", "2026-01-31", "2026-02-28")]
    [InlineData("{\"months\":1}", "2028-01-31", "2028-02-29")]
    [InlineData("{\"endOfMonthPlusDays\":10}", "2026-02-14", "2026-03-10")]
    [InlineData("{\"days\":45}", "2026-11-20", "2027-01-04")]
    public async Task Due_dates_come_from_the_customers_terms(string terms, string issuedOn, string dueOn)
    {
        var id = await app.Customer(new { name = "Terms", paymentTerms = JsonDocument.Parse(terms).RootElement });
        var invoice = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, issuedOn });
        invoice.Status.ShouldBe(201, invoice.ToString());
        invoice.String("dueOn").ShouldBe(dueOn);
    }

    [Fact]
    public async Task An_explicit_due_date_wins_over_the_terms()
    {
        var id = await app.Customer(new { name = "Terms", paymentTerms = new { days = 30 } });
        var invoice = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, issuedOn = "2026-11-01", dueOn = "2026-11-10" });
        invoice.String("dueOn").ShouldBe("2026-11-10");
    }

    [Fact]
    public async Task Changing_terms_needs_a_controller_and_a_reason()
    {
        var id = await app.Customer(new { name = "Terms", paymentTerms = new { days = 30 } });
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "Terms", paymentTerms = new { days = 60 } })).Status.ShouldBe(403);
        (await app.Clerk.Post($"/api/customers/{id}/payment-terms", new { paymentTerms = new { days = 60 }, reason = "x" })).Status.ShouldBe(403);
        var noReason = await app.Controller.Post($"/api/customers/{id}/payment-terms", new { paymentTerms = new { days = 60 } });
        noReason.Status.ShouldBe(400);
        noReason.Body.GetProperty("errors").TryGetProperty("reason", out _).ShouldBeTrue(noReason.ToString());
        (await app.Controller.Post($"/api/customers/{id}/payment-terms", new { paymentTerms = new { months = 2 }, reason = "long customer" })).Status.ShouldBe(200);
        var invoice = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, issuedOn = "2026-12-31" });
        invoice.String("dueOn").ShouldBe("2027-02-28");

        // Terms left out are a mistake, not "due on issue": only an explicit null clears them.
        var leftOut = await app.Controller.Post($"/api/customers/{id}/payment-terms", new { reason = "forgot the terms" });
        leftOut.Status.ShouldBe(400, leftOut.ToString());
        leftOut.Body.GetProperty("errorCodes").GetProperty("paymentTerms")[0].GetString().ShouldBe("REQUIRED");
        (await app.Clerk.Get($"/api/customers/{id}")).Body.GetProperty("paymentTerms").GetProperty("months").GetInt32().ShouldBe(2);
        var cleared = await app.Controller.Post($"/api/customers/{id}/payment-terms", new { paymentTerms = (object?)null, reason = "cash on delivery" });
        cleared.Status.ShouldBe(200, cleared.ToString());
        (await app.Clerk.Get($"/api/customers/{id}")).Body.GetProperty("paymentTerms").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Installments_each_have_a_due_date_and_an_open_amount_and_payments_settle_them_oldest_first()
    {
        var id = await app.Customer(new { name = "Installments", creditLimit = 10000 });
        var issued = await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 1725, issuedOn = "2026-11-01",
            installments = new[] { new { dueOn = "2026-12-01", amount = 575 }, new { dueOn = "2027-01-01", amount = 575 }, new { dueOn = "2027-02-01", amount = 575 } },
        });
        issued.Status.ShouldBe(201, issued.ToString());
        issued.String("dueOn").ShouldBe("2027-02-01");

        var paid = await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 700 });
        paid.Status.ShouldBe(201, paid.ToString());

        var invoice = await app.Clerk.Get($"/api/customers/{id}/invoices/I1");
        invoice.Status.ShouldBe(200, invoice.ToString());
        invoice.Decimal("openAmount").ShouldBe(1025m);
        invoice.Decimal("paidAmount").ShouldBe(700m);
        invoice.String("status").ShouldBe("partially-paid");
        OpenAmounts(invoice).ShouldBe([0m, 450m, 575m]);
    }

    public static TheoryData<string, string> BadSchedules => new()
    {
        { """{"invoiceId":"I1","amount":100,"issuedOn":"2026-11-01","installments":[{"dueOn":"2026-12-01","amount":100}]}""", "INSTALLMENTS_MIN" },
        { """{"invoiceId":"I1","amount":100,"issuedOn":"2026-11-01","installments":[{"dueOn":"2026-12-01","amount":50},{"dueOn":"2027-01-01","amount":49.99}]}""", "INSTALLMENTS_SUM" },
        { """{"invoiceId":"I1","amount":100,"issuedOn":"2026-11-01","installments":[{"dueOn":"2027-01-01","amount":50},{"dueOn":"2026-12-01","amount":50}]}""", "INSTALLMENTS_ORDER" },
        { """{"invoiceId":"I1","amount":100,"issuedOn":"2026-11-01","installments":[{"dueOn":"2026-10-31","amount":50},{"dueOn":"2026-12-01","amount":50}]}""", "INSTALLMENT_BEFORE_ISSUE" },
        { """{"invoiceId":"I1","amount":100,"issuedOn":"2026-11-01","installments":[{"dueOn":"2026-12-01","amount":50.005},{"dueOn":"2027-01-01","amount":49.995}]}""", "AMOUNT_PRECISION" },
        { """{"invoiceId":"I1","amount":100,"issuedOn":"2026-11-01","dueOn":"2026-12-01","installments":[{"dueOn":"2026-12-01","amount":50},{"dueOn":"2027-01-01","amount":50}]}""", "MUTUALLY_EXCLUSIVE" },
        { WeeklyPlan(521), "INSTALLMENTS_MAX" },
    };

    /// <summary>An invoice of n SAR paid 1 SAR a week from 2026-11-08.</summary>
    private static string WeeklyPlan(int weeks) => System.Text.Json.JsonSerializer.Serialize(new
    {
        invoiceId = "I1", amount = weeks, issuedOn = "2026-11-01",
        installments = Enumerable.Range(1, weeks).Select(w => new { dueOn = new DateOnly(2026, 11, 1).AddDays(7 * w), amount = 1 }),
    });

    [Fact]
    public async Task A_cash_only_customer_buys_against_its_deposit_and_no_further()
    {
        var id = await app.Customer(new { name = "Cash only", creditLimit = 0 });
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "DEP", amount = 100 })).Status.ShouldBe(201);
        var covered = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 60 });
        covered.Status.ShouldBe(201, covered.ToString());
        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Decimal("openAmount").ShouldBe(0m);
        var credit = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 40.01 });
        credit.Status.ShouldBe(409, credit.ToString());
        credit.Codes("reasons").ShouldBe(["NO_CREDIT"]);
    }

    [Fact]
    public async Task Each_installment_shows_what_payments_and_what_credit_notes_settled_as_the_invoice_does()
    {
        var id = await app.Customer(new { name = "Split", creditLimit = 5000 });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 900, issuedOn = "2026-09-01",
            installments = new[] { new { dueOn = "2026-10-01", amount = 300 }, new { dueOn = "2026-11-01", amount = 300 }, new { dueOn = "2026-12-01", amount = 300 } },
        })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 400 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "C1", amount = 250, invoiceId = "I1", reason = "returned" })).Status.ShouldBe(201);

        var invoice = await app.Clerk.Get($"/api/customers/{id}/invoices/I1");
        (invoice.Decimal("paidAmount"), invoice.Decimal("creditedAmount"), invoice.Decimal("openAmount")).ShouldBe((400m, 250m, 250m));
        var rows = invoice.Body.GetProperty("installments").EnumerateArray()
            .Select(i => (i.GetProperty("paidAmount").GetDecimal(), i.GetProperty("creditedAmount").GetDecimal(), i.GetProperty("openAmount").GetDecimal()))
            .ToList();
        rows.ShouldBe([(300m, 0m, 0m), (100m, 200m, 0m), (0m, 50m, 250m)]);
    }

    [Fact]
    public async Task Apply_credit_puts_what_explicit_allocations_left_against_the_overdue_items()
    {
        var id = await app.Customer(new { name = "Allocated", creditLimit = 5000 });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "NEW", amount = 50 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "OLD", amount = 100, issuedOn = "2026-10-01" })).Status.ShouldBe(201);
        var paid = await app.Clerk.Post($"/api/customers/{id}/payments",
            new { paymentId = "P1", amount = 150, allocations = new[] { new { invoiceId = "NEW", amount = 50 } } });
        paid.Decimal("unapplied").ShouldBe(100m, paid.ToString()); // the customer chose NEW; OLD stays overdue beside the credit
        (await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 1, kind = "invoice" })).Codes("reasons").ShouldBe(["OVERDUE_INVOICES"]);

        var applied = await app.Clerk.Post($"/api/customers/{id}/apply-credit", null);
        applied.Status.ShouldBe(200, applied.ToString());
        applied.Body.GetProperty("applied")[0].GetProperty("sourceId").GetString().ShouldBe("P1");
        applied.Body.GetProperty("applied")[0].GetProperty("source").GetString().ShouldBe("payment"); // a credit note may have the id too
        applied.Body.GetProperty("applied")[0].GetProperty("allocations")[0].GetProperty("amount").GetDecimal().ShouldBe(100m);
        applied.Decimal("unapplied").ShouldBe(0m);
        (await app.Clerk.Get($"/api/customers/{id}/invoices/OLD")).Decimal("openAmount").ShouldBe(0m);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        (balance.Decimal("overdue"), balance.String("status")).ShouldBe((0m, "ok"));

        var again = await app.Clerk.Post($"/api/customers/{id}/apply-credit", null);
        (again.Status, again.Body.GetProperty("applied").GetArrayLength()).ShouldBe((200, 0));
    }

    [Fact]
    public async Task Ten_years_of_weekly_installments_are_one_invoice()
    {
        var id = await app.Customer(new { name = "Weekly" });
        var r = await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/invoices", WeeklyPlan(520), "application/json");
        r.Status.ShouldBe(201, r.ToString());
        r.Body.GetProperty("installments").GetArrayLength().ShouldBe(520);
    }

    [Theory]
    [MemberData(nameof(BadSchedules))]
    public async Task Bad_installment_schedules_are_400_with_field_errors_and_write_nothing(string body, string code)
    {
        var id = await app.Customer(new { name = "Installments" });
        var r = await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/invoices", body, "application/json");
        r.Status.ShouldBe(400, r.ToString());
        r.Text.ShouldContain(code);
        // A clash names both fields.
        if (code == "MUTUALLY_EXCLUSIVE")
            foreach (var field in new[] { "dueOn", "installments" })
                r.Body.GetProperty("errorCodes").GetProperty(field)[0].GetString().ShouldBe(code);
        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task An_invoice_may_not_take_the_opening_balances_id()
    {
        // Sweep AO: such an invoice was shown as the opening balance and the real one was refused as already recorded.
        var id = await app.Customer(new { name = "Reserved", creditLimit = 10000 });
        var taken = await app.Clerk.InLanguage("ar").Post($"/api/customers/{id}/invoices", new { invoiceId = "opening-balance", amount = 100, issuedOn = "2026-11-01" });
        taken.ShouldBeProblem(400, "VALIDATION_FAILED");
        taken.Body.GetProperty("errorCodes").GetProperty("invoiceId")[0].GetString().ShouldBe("RESERVED_ID");
        (await app.Controller.Put($"/api/customers/{id}", new { openingBalance = new { amount = 300, asOf = "2026-10-01" } })).Status.ShouldBe(200);
        (await app.Clerk.Get($"/api/customers/{id}/invoices/opening-balance")).Decimal("amount").ShouldBe(300m);
    }

    [Fact]
    public async Task Too_many_decimals_in_an_installment_or_an_allocation_name_that_part()
    {
        var id = await app.Customer(new { name = "Parts", creditLimit = 5000 });
        var invoice = await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 20, issuedOn = "2026-11-01",
            installments = new[] { new { dueOn = "2026-12-01", amount = 10.00m }, new { dueOn = "2026-12-02", amount = 9.995m }, new { dueOn = "2026-12-03", amount = 0.005m } },
        });
        invoice.ShouldBeProblem(400, "VALIDATION_FAILED");
        invoice.Body.GetProperty("errorCodes").EnumerateObject().Select(e => e.Name).ShouldBe(["installments[1].amount", "installments[2].amount"]);

        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 20, issuedOn = "2026-11-01" })).Status.ShouldBe(201);
        var payment = await app.Clerk.Post($"/api/customers/{id}/payments", new
        {
            paymentId = "P1", amount = 10.01m, allocations = new[] { new { invoiceId = "I1", amount = 10.005m } },
        });
        payment.ShouldBeProblem(400, "VALIDATION_FAILED");
        payment.Body.GetProperty("errorCodes").GetProperty("allocations[0].amount").EnumerateArray().Select(c => c.GetString()).ShouldBe(["AMOUNT_PRECISION"]);
        // One invoice twice: said so, not "the value is not allowed".
        var twice = await app.Clerk.Post($"/api/customers/{id}/payments", new
        {
            paymentId = "P2", amount = 10m, allocations = new[] { new { invoiceId = "I1", amount = 5m }, new { invoiceId = "I1", amount = 5m } },
        });
        twice.Body.GetProperty("errorCodes").GetProperty("allocations").EnumerateArray().Select(c => c.GetString()).ShouldBe(["ALLOCATION_REPEATED"]);
    }

    [Fact]
    public async Task Three_decimal_currencies_take_three_decimal_installments()
    {
        var id = await app.Customer(new { name = "Kuwait", currency = "KWD" });
        var r = await app.Clerk.Post($"/api/customers/{id}/invoices", new
        {
            invoiceId = "I1", amount = 100, issuedOn = "2026-11-01",
            installments = new[] { new { dueOn = "2026-12-01", amount = 33.333m }, new { dueOn = "2027-01-01", amount = 66.667m } },
        });
        r.Status.ShouldBe(201, r.ToString());
    }

    [Fact]
    public async Task Explicit_allocations_are_checked_against_the_customers_open_invoices()
    {
        var id = await app.Customer(new { name = "Alloc" });
        await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, issuedOn = "2026-11-01" });
        var other = await app.Customer(new { name = "Other" });
        await app.Clerk.Post($"/api/customers/{other}/invoices", new { invoiceId = "X1", amount = 100, issuedOn = "2026-11-01" });

        var foreign = await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 50, allocations = new[] { new { invoiceId = "X1", amount = 50 } } });
        foreign.Status.ShouldBe(400, foreign.ToString());
        foreign.Text.ShouldContain("INVOICE_NOT_FOUND");
        var tooMuch = await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 150, allocations = new[] { new { invoiceId = "I1", amount = 101 } } });
        tooMuch.Status.ShouldBe(400, tooMuch.ToString());
        tooMuch.Text.ShouldContain("ALLOCATION_EXCEEDS_OPEN");

        var over = await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 150, allocations = new[] { new { invoiceId = "I1", amount = 100 } } });
        over.Status.ShouldBe(201, over.ToString());
        over.Decimal("unapplied").ShouldBe(50m);
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("outstanding").ShouldBe(-50m);
        balance.Decimal("unappliedCredit").ShouldBe(50m);
    }

    [Fact]
    public async Task A_bounced_advance_payment_leaves_no_unapplied_credit_on_the_payment_either()
    {
        var id = await app.Customer(new { name = "Advance bounced" });
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 500 })).Decimal("unapplied").ShouldBe(500m);
        (await app.Clerk.Post($"/api/customers/{id}/payments/P1/reverse", new { reason = "شيك مرتجع" })).Status.ShouldBe(200);

        (await app.Clerk.Get($"/api/customers/{id}/payments/P1")).Decimal("unapplied").ShouldBe(0m);
        var state = await app.As("audit", "auditor").Get($"/api/customers/{id}/state");
        state.Body.GetProperty("payments")[0].GetProperty("unapplied").GetDecimal().ShouldBe(0m);
        (await app.Clerk.Get($"/api/customers/{id}/balance")).Decimal("unappliedCredit").ShouldBe(0m);
    }

    [Fact]
    public async Task A_bounced_payment_reopens_what_it_settled_and_the_balance_may_go_over_the_limit()
    {
        var id = await app.Customer(new { name = "Bounce", creditLimit = 1000 });
        await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 800, issuedOn = "2026-11-01" });
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 800, receivedOn = "2026-11-10" })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 900, issuedOn = "2026-11-11" })).Status.ShouldBe(201);

        var reversed = await app.Clerk.Post($"/api/customers/{id}/payments/P1/reverse", new { reason = "شيك مرتجع" });
        reversed.Status.ShouldBe(200, reversed.ToString());
        reversed.Body.GetProperty("reopened")[0].GetProperty("amount").GetDecimal().ShouldBe(800m);
        (await app.Clerk.Post($"/api/customers/{id}/payments/P1/reverse", new { reason = "again" })).Status.ShouldBe(200);

        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Decimal("openAmount").ShouldBe(800m);
        var payment = await app.Clerk.Get($"/api/customers/{id}/payments/P1");
        payment.Body.GetProperty("reversed").GetBoolean().ShouldBeTrue();
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("exposure").ShouldBe(1700m);
        balance.Decimal("available").ShouldBe(-700m);
        balance.String("status").ShouldBe("blocked");
        balance.Codes("statusReasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED", "OVERDUE_INVOICES"]); // what blocks it, for the controller
        // Said of the account as it stands, not of an amount being tried ("With this amount the customer exceeds…").
        var reasons = (await app.Clerk.InLanguage("ar").Get($"/api/customers/{id}/balance")).Body.GetProperty("statusReasons");
        reasons[0].GetProperty("message").GetString().ShouldBe("لم يبقَ للعميل ائتمان متاح: بلغ الائتمان المستخدَم حدَّ الائتمان أو تجاوزه.");
        reasons[1].GetProperty("message").GetString().ShouldBe("لدى العميل فواتير أو أقساط متأخرة السداد.");
        balance.Body.GetProperty("statusReasons")[0].GetProperty("message").GetString()
            .ShouldBe("The customer has no credit left: its exposure has reached or exceeded its credit limit.");
        var statement = await app.Clerk.InLanguage("ar").Get($"/api/customers/{id}/statement");
        statement.Body.GetProperty("lines").EnumerateArray().Last().GetProperty("description").GetString().ShouldBe("ارتداد الدفعة رقم \u2068P1\u2069 (لم تُحصَّل)");

        (await app.Clerk.Post($"/api/customers/{id}/payments/NOPE/reverse", new { reason = "x" })).Status.ShouldBe(404);
        (await app.Clerk.Post($"/api/customers/{id}/payments/P1/reverse", new { })).Status.ShouldBe(400);
    }

    [Fact]
    public async Task An_invoice_shows_as_credited_what_credit_notes_settled_on_it_and_as_paid_what_payments_did()
    {
        var id = await app.Customer(new { name = "Split" });
        await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "X", amount = 1000, issuedOn = "2026-11-01" });
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P", amount = 900 })).Status.ShouldBe(201);
        var note = await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "N", amount = 300, invoiceId = "X", reason = "return" });
        note.Decimal("unapplied").ShouldBe(200m, note.ToString());

        var x = await app.Clerk.Get($"/api/customers/{id}/invoices/X");
        (x.Decimal("paidAmount"), x.Decimal("creditedAmount"), x.Decimal("openAmount")).ShouldBe((900m, 100m, 0m));

        // The note's other 200 settle the next invoice as credit on account: credited there, not paid.
        await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "Y", amount = 500, issuedOn = "2026-11-20" });
        var y = await app.Clerk.Get($"/api/customers/{id}/invoices/Y");
        (y.Decimal("paidAmount"), y.Decimal("creditedAmount"), y.Decimal("openAmount")).ShouldBe((0m, 200m, 300m));

        // The payment bounces: X reopens what it paid; the credit stays what it was.
        (await app.Clerk.Post($"/api/customers/{id}/payments/P/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
        x = await app.Clerk.Get($"/api/customers/{id}/invoices/X");
        (x.Decimal("paidAmount"), x.Decimal("creditedAmount"), x.Decimal("openAmount")).ShouldBe((0m, 100m, 900m));
    }

    [Fact]
    public async Task Credit_notes_reduce_an_invoice_or_sit_on_account()
    {
        var id = await app.Customer(new { name = "Returns" });
        await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 1150, issuedOn = "2026-11-01" });

        var note = await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 230, invoiceId = "I1", reason = "مرتجع بضاعة" });
        note.Status.ShouldBe(201, note.ToString());
        var again = await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 230, invoiceId = "I1", reason = "مرتجع بضاعة" });
        again.Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 231, invoiceId = "I1", reason = "x" })).Code.ShouldBe("DUPLICATE_ID");

        var invoice = await app.Clerk.Get($"/api/customers/{id}/invoices/I1");
        invoice.Decimal("openAmount").ShouldBe(920m);
        invoice.Decimal("creditedAmount").ShouldBe(230m);

        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN2", amount = 100, reason = "goodwill" })).Status.ShouldBe(201);
        var tooMuch = await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN3", amount = 921, invoiceId = "I1", reason = "x" });
        tooMuch.Status.ShouldBe(400, tooMuch.ToString());
        tooMuch.Text.ShouldContain("CREDIT_NOTE_EXCEEDS_INVOICE");
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN4", amount = 1, invoiceId = "NOPE", reason = "x" })).Status.ShouldBe(404);
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN5", amount = 1 })).Status.ShouldBe(400);

        (await app.Clerk.Get($"/api/customers/{id}/balance")).Decimal("outstanding").ShouldBe(820m);
    }

    [Fact]
    public async Task The_opening_balance_counts_in_exposure_overdue_and_aging_and_is_recorded_once()
    {
        var profile = new { name = "AurPOS migrated", creditLimit = 5000, openingBalance = new { amount = 2500, asOf = "2026-01-01", dueOn = "2026-01-31" } };
        var id = await app.Customer(profile);
        (await app.Controller.Put($"/api/customers/{id}", profile)).Status.ShouldBe(200);
        var changed = await app.Controller.Put($"/api/customers/{id}", profile with { openingBalance = new { amount = 2600, asOf = "2026-01-01", dueOn = "2026-01-31" } });
        changed.Status.ShouldBe(409);
        changed.Code.ShouldBe("OPENING_BALANCE_ALREADY_RECORDED");

        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("exposure").ShouldBe(2500m);
        balance.Decimal("overdue").ShouldBe(2500m);
        balance.Body.GetProperty("aging").GetProperty("over90").GetDecimal().ShouldBe(2500m);
        var opening = await app.Clerk.Get($"/api/customers/{id}/invoices/opening-balance");
        opening.Status.ShouldBe(200, opening.ToString());
        opening.String("status").ShouldBe("overdue");

        var refused = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 10 });
        refused.Status.ShouldBe(409);
        refused.ReasonCode().ShouldBe("OVERDUE_INVOICES");
    }
}
