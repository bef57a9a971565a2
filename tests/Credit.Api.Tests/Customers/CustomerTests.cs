using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;

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
    public async Task A_rename_keeps_what_it_leaves_out_and_only_a_controller_moves_a_customer_between_groups_or_bypasses_checks()
    {
        var group = AppFixture.NewId("grp");
        (await app.Controller.Put($"/api/groups/{group}", new { name = "Wholesale", defaultCreditLimit = 50000 })).Status.ShouldBe(201);
        var id = AppFixture.NewId("keep");
        (await app.Clerk.Put($"/api/customers/{id}", new
        {
            name = "Keep", kind = "both", assignedTo = new[] { "clerk-1" }, customerSince = "2020-01-01",
        })).Status.ShouldBe(201);

        var renamed = await app.Clerk.Put($"/api/customers/{id}", new { name = "Kept" });
        renamed.Status.ShouldBe(200, renamed.ToString());
        renamed.String("kind").ShouldBe("both");
        renamed.Body.GetProperty("assignedTo").EnumerateArray().Select(x => x.GetString()).ShouldBe(["clerk-1"]);
        renamed.String("customerSince").ShouldBe("2020-01-01");
        // Who may act on the customer is not the clerk's to change: handing it on (or taking it) needs a controller.
        (await app.Clerk.Put($"/api/customers/{id}", new { assignedTo = new[] { "clerk-2" } })).ShouldBeProblem(403, "CONTROLLER_REQUIRED");
        (await app.Clerk.Put($"/api/customers/{id}", new { openingBalance = new { amount = 999, asOf = "2019-12-31", dueOn = "2020-01-31" } }))
            .ShouldBeProblem(403, "CONTROLLER_REQUIRED");

        // A group brings a limit (50,000 here, where the customer had none of its own), a bypass skips order checks.
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "Kept", groupId = group })).ShouldBeProblem(403, "CONTROLLER_REQUIRED");
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "Kept", bypassCreditCheckAtOrder = true })).ShouldBeProblem(403, "CONTROLLER_REQUIRED");
        var moved = await app.Controller.Put($"/api/customers/{id}", new { name = "Kept", groupId = group, bypassCreditCheckAtOrder = true });
        moved.Status.ShouldBe(200, moved.ToString());
        moved.String("groupId").ShouldBe(group);
        moved.Body.GetProperty("bypassCreditCheckAtOrder").GetBoolean().ShouldBeTrue();

        // The clerk may rename it again, repeating the group or leaving it out; a null group takes it out of the group.
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "Kept again", groupId = group })).Status.ShouldBe(200);
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "Kept once more" })).Status.ShouldBe(200);
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "Kept", groupId = (string?)null })).ShouldBeProblem(403, "CONTROLLER_REQUIRED");
        var read = await app.Clerk.Get($"/api/customers/{id}");
        read.String("name").ShouldBe("Kept once more");
        read.String("groupId").ShouldBe(group);
        read.Body.GetProperty("bypassCreditCheckAtOrder").GetBoolean().ShouldBeTrue();

        var left = await app.Controller.Put($"/api/customers/{id}", new { name = "Kept", groupId = (string?)null });
        left.Status.ShouldBe(200, left.ToString());
        left.Body.GetProperty("groupId").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Credit_fields_given_as_null_are_cleared_and_the_customer_inherits_while_fields_left_out_keep_their_value()
    {
        var group = AppFixture.NewId("grp");
        (await app.Controller.Put($"/api/groups/{group}", new { name = "Retail", defaultCreditLimit = 7000 })).Status.ShouldBe(201);
        var id = AppFixture.NewId("inh");
        (await app.Controller.Put($"/api/customers/{id}", new
        {
            name = "Own limit", groupId = group, creditLimit = 12000, creditLimitExpiresOn = "2027-06-30", paymentTerms = new { days = 30 },
        })).Status.ShouldBe(201);

        // The contract's full body, repeated by a clerk with the same credit values, is a rename.
        var same = await app.Clerk.Put($"/api/customers/{id}", new
        {
            name = "Own limit renamed", groupId = group, currency = "SAR", creditLimit = 12000, unlimitedCredit = false,
            creditLimitExpiresOn = "2027-06-30", paymentTerms = new { days = 30 }, bypassCreditCheckAtOrder = false,
        });
        same.Status.ShouldBe(200, same.ToString());

        // Leaving them out keeps them.
        var kept = await app.Controller.Put($"/api/customers/{id}", new { name = "Own limit" });
        kept.Decimal("creditLimit").ShouldBe(12000m);
        kept.String("creditLimitExpiresOn").ShouldBe("2027-06-30");
        kept.Body.GetProperty("paymentTerms").GetProperty("days").GetInt32().ShouldBe(30);

        // Clearing a limit is a credit decision too.
        (await app.Clerk.Put($"/api/customers/{id}", new { name = "Own limit", creditLimit = (decimal?)null }))
            .ShouldBeProblem(403, "CONTROLLER_REQUIRED");

        var cleared = await app.Controller.Put($"/api/customers/{id}", new
        {
            name = "Own limit", creditLimit = (decimal?)null, creditLimitExpiresOn = (string?)null, paymentTerms = (object?)null,
        });
        cleared.Status.ShouldBe(200, cleared.ToString());
        cleared.Body.GetProperty("creditLimit").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        cleared.Body.GetProperty("creditLimitExpiresOn").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        cleared.Body.GetProperty("paymentTerms").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);

        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("creditLimit").ShouldBe(7000m);
        balance.String("limitSource").ShouldBe("group");
        var check = await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 8000, kind = "invoice" });
        check.Body.GetProperty("allowed").GetBoolean().ShouldBeFalse(check.ToString());
    }

    [Fact]
    public async Task An_update_that_leaves_out_the_name_or_currency_keeps_them_and_amounts_follow_the_customer_s_currency()
    {
        var id = AppFixture.NewId("kwd");
        (await app.Controller.Put($"/api/customers/{id}", new { name = "Kuwait", currency = "KWD", creditLimit = 5000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "K1", amount = 10.125 })).Status.ShouldBe(201);

        // Neither the currency (SAR was assumed: 409 CURRENCY_CHANGE) nor the name needs repeating.
        var renamed = await app.Clerk.Put($"/api/customers/{id}", new { name = "Kuwait Trading" });
        renamed.Status.ShouldBe(200, renamed.ToString());
        renamed.String("currency").ShouldBe("KWD");
        var limit = await app.Controller.Put($"/api/customers/{id}", new { creditLimit = 2000.125 }); // 3 decimals: fine in KWD
        limit.Status.ShouldBe(200, limit.ToString());
        limit.String("name").ShouldBe("Kuwait Trading");
        limit.Decimal("creditLimit").ShouldBe(2000.125m);
        (await app.Controller.Put($"/api/customers/{id}", new { creditLimit = 2000.1255 })).ShouldBeProblem(400, "VALIDATION_FAILED");
        (await app.Controller.Put($"/api/customers/{id}", new { name = "  " })).ShouldBeProblem(400, "VALIDATION_FAILED");

        // A new customer still needs a name.
        var nameless = await app.Controller.Put($"/api/customers/{AppFixture.NewId("anon")}", new { currency = "SAR" });
        nameless.ShouldBeProblem(400, "VALIDATION_FAILED");
        nameless.Body.GetProperty("errors").TryGetProperty("name", out _).ShouldBeTrue(nameless.ToString());
    }

    [Fact]
    public async Task A_customer_cannot_join_a_group_that_does_not_exist()
    {
        var id = AppFixture.NewId("nogrp");
        (await app.Controller.Put($"/api/customers/{id}", new { name = "Lost", groupId = "NO-SUCH-GROUP" })).ShouldBeProblem(404, "GROUP_NOT_FOUND");
        (await app.Clerk.Get($"/api/customers/{id}")).Status.ShouldBe(404);

        (await app.Controller.Put($"/api/customers/{id}", new { name = "Found" })).Status.ShouldBe(201);
        (await app.Controller.Put($"/api/customers/{id}", new { name = "Found", groupId = "NO-SUCH-GROUP" })).ShouldBeProblem(404, "GROUP_NOT_FOUND");
        (await app.Clerk.Get($"/api/customers/{id}")).Body.GetProperty("groupId").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
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
    public async Task A_credit_limit_command_that_leaves_out_the_amount_is_refused_and_the_limit_kept()
    {
        var id = AppFixture.NewId("noamount");
        await app.Controller.Put($"/api/customers/{id}", new { name = "A", creditLimit = 1000 });
        // A misspelt field: before, the limit was silently cleared (inherited: here, no limit at all).
        var misspelt = await app.Controller.InLanguage("ar").Post($"/api/customers/{id}/credit-limit", new { limit = 5000, reason = "زيادة" });
        misspelt.ShouldBeProblem(400, "VALIDATION_FAILED");
        misspelt.Body.GetProperty("errorCodes").GetProperty("amount")[0].GetString().ShouldBe("REQUIRED");
        (await app.Controller.Get($"/api/customers/{id}")).Decimal("creditLimit").ShouldBe(1000m);

        // Null given inherits; unlimited needs no amount.
        (await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = (decimal?)null, reason = "inherit" })).Status.ShouldBe(200);
        (await app.Controller.Get($"/api/customers/{id}")).Body.GetProperty("creditLimit").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await app.Controller.Post($"/api/customers/{id}/credit-limit", new { unlimited = true, reason = "trusted" })).Status.ShouldBe(200);
        (await app.Controller.Get($"/api/customers/{id}")).Body.GetProperty("unlimitedCredit").GetBoolean().ShouldBeTrue();

        // An amount beside unlimited credit: both fields are named, so the client sees which pair clashed.
        var both = await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = 0, unlimited = true, reason = "which?" });
        both.ShouldBeProblem(400, "VALIDATION_FAILED");
        foreach (var field in new[] { "amount", "unlimited" })
            both.Body.GetProperty("errorCodes").GetProperty(field)[0].GetString().ShouldBe("MUTUALLY_EXCLUSIVE");
        (await app.Controller.Get($"/api/customers/{id}")).Body.GetProperty("unlimitedCredit").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task A_limit_saved_with_an_expiry_already_past_is_saved_with_a_warning()
    {
        // Sweep AO: a typo in the year expired the limit at once, without a word.
        var id = AppFixture.NewId("expired");
        var created = await app.Controller.InLanguage("ar").Put($"/api/customers/{id}", new { name = "A", creditLimit = 1000, creditLimitExpiresOn = "2025-12-31" });
        created.Status.ShouldBe(201);
        created.Codes("warnings").ShouldBe(["LIMIT_EXPIRED"]);
        created.Body.GetProperty("warnings")[0].GetProperty("message").GetString()!.ShouldContain("2025-12-31");

        var renewed = await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = 2000, expiresOn = "2026-11-22", reason = "renewal" });
        (renewed.Status, renewed.Decimal("creditLimit")).ShouldBe((200, 2000m));
        renewed.Codes("warnings").ShouldBe(["LIMIT_EXPIRED"]);
        // Today's expiry still holds today; no warning.
        var today = await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = 2000, expiresOn = "2026-11-23", reason = "renewal" });
        today.Body.TryGetProperty("warnings", out _).ShouldBeFalse();
        (await app.Controller.Put($"/api/customers/{id}", new { name = "B" })).Body.GetProperty("warnings").GetArrayLength().ShouldBe(0);
        // A rename of a customer whose limit has lapsed saves no limit: no warning of one (sweep AR).
        (await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = 2000, expiresOn = "2026-01-01", reason = "lapsed" })).Codes("warnings").ShouldBe(["LIMIT_EXPIRED"]);
        (await app.Controller.Put($"/api/customers/{id}", new { name = "C" })).Body.GetProperty("warnings").GetArrayLength().ShouldBe(0);
        (await app.Controller.Put($"/api/customers/{id}", new { creditLimitExpiresOn = "2026-02-01" })).Codes("warnings").ShouldBe(["LIMIT_EXPIRED"]);
    }

    [Fact]
    public async Task A_customer_given_both_an_own_limit_and_unlimited_credit_is_refused_as_on_the_limit_command()
    {
        var id = AppFixture.NewId("both");
        var both = await app.Controller.Put($"/api/customers/{id}", new { name = "A", creditLimit = 0, unlimitedCredit = true });
        both.ShouldBeProblem(400, "VALIDATION_FAILED");
        both.Body.GetProperty("errorCodes").GetProperty("creditLimit")[0].GetString().ShouldBe("MUTUALLY_EXCLUSIVE");
        both.Body.GetProperty("errorCodes").GetProperty("unlimitedCredit")[0].GetString().ShouldBe("MUTUALLY_EXCLUSIVE");
        (await app.Controller.Get($"/api/customers/{id}")).Status.ShouldBe(404);
        (await app.Controller.Put($"/api/customers/{id}", new { name = "A", creditLimit = (decimal?)null, unlimitedCredit = true })).Status.ShouldBe(201);

        // Cash only given to the unlimited customer ends its unlimited credit (it was stored and ignored: sweep AL).
        var cash = await app.Controller.Put($"/api/customers/{id}", new { creditLimit = 0 });
        (cash.Status, cash.Decimal("creditLimit"), cash.Body.GetProperty("unlimitedCredit").GetBoolean()).ShouldBe((200, 0m, false));
        (await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 1, kind = "invoice" })).Codes("reasons").ShouldBe(["NO_CREDIT"]);

        // Unlimited credit given replaces the limit and its expiry (an expired limit made it born expired).
        await app.Controller.Put($"/api/customers/{id}", new { creditLimit = 5000, creditLimitExpiresOn = "2026-11-15" });
        var unlimited = await app.Controller.Put($"/api/customers/{id}", new { unlimitedCredit = true });
        unlimited.Body.GetProperty("creditLimit").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        unlimited.Body.GetProperty("creditLimitExpiresOn").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        (await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 1, kind = "order" })).Body.GetProperty("allowed").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task An_opening_balance_without_a_due_date_falls_due_by_the_customers_terms()
    {
        // AurPOS records an opening balance as an amount: its due date follows the terms, as an invoice's would.
        var termed = AppFixture.NewId("obdue");
        (await app.Controller.Put($"/api/customers/{termed}",
            new { name = "A", paymentTerms = new { days = 30 }, openingBalance = new { amount = 100, asOf = "2026-01-01" } })).Status.ShouldBe(201);
        (await app.Controller.Get($"/api/customers/{termed}/invoices/opening-balance")).String("dueOn").ShouldBe("2026-01-31");
        // Repeated without the due date, it is the same opening balance; with another one, it is not.
        (await app.Controller.Put($"/api/customers/{termed}", new { openingBalance = new { amount = 100, asOf = "2026-01-01" } })).Status.ShouldBe(200);
        (await app.Controller.Put($"/api/customers/{termed}", new { openingBalance = new { amount = 100, asOf = "2026-01-01", dueOn = "2026-02-15" } }))
            .ShouldBeProblem(409, "OPENING_BALANCE_ALREADY_RECORDED");

        // Without terms it is due on its date; a due date before it is still refused.
        var plain = AppFixture.NewId("obdue");
        (await app.Controller.Put($"/api/customers/{plain}", new { name = "B", openingBalance = new { amount = 100, asOf = "2026-01-01" } })).Status.ShouldBe(201);
        (await app.Controller.Get($"/api/customers/{plain}/invoices/opening-balance")).String("dueOn").ShouldBe("2026-01-01");
        var early = await app.Controller.Put($"/api/customers/{AppFixture.NewId("obdue")}",
            new { name = "C", openingBalance = new { amount = 100, asOf = "2026-01-01", dueOn = "2025-12-31" } });
        early.Body.GetProperty("errorCodes").GetProperty("openingBalance.dueOn")[0].GetString().ShouldBe("DUE_BEFORE_ISSUE");
    }

    [Fact]
    public async Task Unknown_customer_is_404_problem()
    {
        var missing = await app.Clerk.Post($"/api/customers/{AppFixture.NewId("none")}/invoices", new { invoiceId = "I1", amount = 1 });
        missing.Status.ShouldBe(404);
        missing.Code.ShouldBe("CUSTOMER_NOT_FOUND");
    }

    [Fact]
    public async Task A_supplier_only_contact_takes_no_orders_or_invoices_until_it_is_both()
    {
        var id = await app.Customer(new { name = "مورد الأجهزة", kind = "supplier", creditLimit = 5000 });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO1", amount = 100 })).ShouldBeProblem(409, "NOT_A_CUSTOMER");
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100 })).ShouldBeProblem(409, "NOT_A_CUSTOMER");
        (await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 100, kind = "invoice" })).ShouldBeProblem(409, "NOT_A_CUSTOMER");
        (await app.As("auditor-1", "auditor").Get($"/api/customers/{id}/history")).Headers["X-Total-Count"].ShouldBe("2"); // opened, limit set: nothing else
        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        (balance.String("status"), balance.Codes("statusReasons").Single()).ShouldBe(("blocked", "NOT_A_CUSTOMER"));

        (await app.Clerk.Put($"/api/customers/{id}", new { kind = "both" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100 })).Status.ShouldBe(201);
        (await app.Clerk.Get($"/api/customers/{id}/balance")).String("status").ShouldBe("ok");
    }
    /// <summary>
    /// A currency the policy has no rate for is said on the save, not found out at the first order: an inherited limit
    /// becomes 0 and a shared pool stops for every member.
    /// </summary>
    [Fact]
    public async Task Saving_a_customer_in_a_currency_without_a_rate_warns_of_what_it_leaves_it_and_its_pool_without()
    {
        var group = AppFixture.NewId("warnpool");
        (await app.Controller.Put($"/api/groups/{group}", new { name = "فروع الخليج", defaultCreditLimit = 1000, sharedCreditLimit = 5000 }))
            .Status.ShouldBe(201);
        var bahrain = AppFixture.NewId("bhd");
        var saved = await app.Controller.Put($"/api/customers/{bahrain}", new { name = "Manama", groupId = group, currency = "BHD" });
        saved.Status.ShouldBe(201, saved.ToString());
        saved.Codes("warnings").ShouldBe(["EXCHANGE_RATE_MISSING", "EXCHANGE_RATE_MISSING"]);
        saved.Body.GetProperty("warnings")[1].GetProperty("message").GetString()
            .ShouldBe("The policy has no exchange rate for BHD: the shared pool of group “فروع الخليج” cannot be summed, so none of its members gets credit until a rate is set.");

        // A limit of its own needs no rate; the pool still does. In Arabic.
        var own = await app.Controller.InLanguage("ar").Put($"/api/customers/{bahrain}", new { name = "Manama", groupId = group, creditLimit = 100 });
        own.Codes("warnings").ShouldBe(["EXCHANGE_RATE_MISSING"]);
        own.Body.GetProperty("warnings")[0].GetProperty("message").GetString()
            .ShouldBe("لا يوجد في السياسة سعر صرف لعملة \u2068BHD\u2069: لا يمكن جمع الحد المشترك لمجموعة «فروع الخليج»، فلن يُمنح أيٌّ من أعضائها ائتمانًا حتى يُضاف سعر الصرف.");
        // Out of the pool: nothing missing. A customer in the company's currency never is; a GET carries no warnings.
        (await app.Controller.Put($"/api/customers/{bahrain}", new { name = "Manama", groupId = (string?)null })).Codes("warnings").ShouldBeEmpty();
        (await app.Controller.Put($"/api/customers/{AppFixture.NewId("sar")}", new { name = "Riyadh", groupId = group })).Codes("warnings").ShouldBeEmpty();
        (await app.Controller.Get($"/api/customers/{bahrain}")).Body.TryGetProperty("warnings", out _).ShouldBeFalse();

        // A supplier that owes is part of the pool: its currency stops it too, and every member's save says so, naming it.
        var supplier = await app.Controller.Put($"/api/customers/{AppFixture.NewId("omrsup")}", new
        {
            name = "Muscat supplier", groupId = group, currency = "OMR", kind = "supplier",
            openingBalance = new { amount = 100, asOf = "2026-11-20", dueOn = "2026-12-20" },
        });
        supplier.Status.ShouldBe(201, supplier.ToString());
        supplier.Codes("warnings").ShouldBe(["EXCHANGE_RATE_MISSING"]);
        var member = await app.Controller.Put($"/api/customers/{AppFixture.NewId("sar")}", new { name = "Jeddah", groupId = group });
        member.Body.GetProperty("warnings")[0].GetProperty("message").GetString()
            .ShouldBe("The policy has no exchange rate for OMR: the shared pool of group “فروع الخليج” cannot be summed, so none of its members gets credit until a rate is set.");
        // Owing nothing, a supplier is no part of a pool: nothing to warn of.
        var other = AppFixture.NewId("warnidle");
        (await app.Controller.Put($"/api/groups/{other}", new { name = "Idle", sharedCreditLimit = 5000 })).Status.ShouldBe(201);
        (await app.Controller.Put($"/api/customers/{AppFixture.NewId("omridle")}", new { name = "Idle supplier", groupId = other, currency = "OMR", kind = "supplier" }))
            .Codes("warnings").ShouldBeEmpty();
        (await app.Controller.Put($"/api/customers/{AppFixture.NewId("sar")}", new { name = "Dammam", groupId = other })).Codes("warnings").ShouldBeEmpty();
    }
}
