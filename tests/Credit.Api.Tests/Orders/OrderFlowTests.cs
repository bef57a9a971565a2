using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;
using Marten;

namespace Credit.Api.Tests.Orders;

public class OrderFlowTests(AppFixture app)
{
    [Fact]
    public async Task An_order_placed_under_the_bypass_is_checked_in_full_when_invoiced_after_the_bypass_is_turned_off()
    {
        var id = await app.Customer(new { name = "Bypass", creditLimit = 1000, bypassCreditCheckAtOrder = true });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 5000 })).String("status").ShouldBe("approved");
        (await app.Controller.Put($"/api/customers/{id}", new { bypassCreditCheckAtOrder = false })).Status.ShouldBe(200);

        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("openOrders").ShouldBe(0m, balance.ToString());
        balance.Decimal("available").ShouldBe(1000m);
        var refused = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 5000, orderId = "O1" });
        refused.Status.ShouldBe(409, refused.ToString());
        refused.Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 1000, orderId = "O1" })).Status.ShouldBe(201);
    }

    [Fact]
    public async Task An_order_within_the_limit_is_approved_and_counts_as_exposure_until_invoiced()
    {
        var id = await app.Customer(new { name = "Orders", creditLimit = 1000 });
        var order = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO-1", amount = 800 });
        order.Status.ShouldBe(201, order.ToString());
        order.String("status").ShouldBe("approved");

        var check = await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 200.01, kind = "invoice" });
        check.Body.GetProperty("allowed").GetBoolean().ShouldBeFalse();
        check.Decimal("exposure").ShouldBe(800m);

        // Against the order only the excess is new credit: 800 passes, 1000 passes (200 excess), 1000.01 would not.
        var tooMuch = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-X", amount = 1000.01, orderId = "SO-1" });
        tooMuch.Status.ShouldBe(409);
        var invoiced = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-1", amount = 1000, orderId = "SO-1" });
        invoiced.Status.ShouldBe(201, invoiced.ToString());

        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("openOrders").ShouldBe(0m);
        balance.Decimal("exposure").ShouldBe(1000m);
        var again = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-2", amount = 1, orderId = "SO-1" });
        again.Status.ShouldBe(409);
        again.Code.ShouldBe("INVALID_STATE");
    }

    [Fact]
    public async Task An_order_over_the_limit_is_held_with_every_reason_and_a_controller_releases_it()
    {
        var id = await app.Customer(new { name = "Held", creditLimit = 500 });
        await app.Controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "OLD", amount = 100, issuedOn = "2026-09-01", dueOn = "2026-09-30" });
        var held = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO-9", amount = 600, orderedOn = "2026-11-13" });
        held.Status.ShouldBe(201);
        held.String("status").ShouldBe("held");
        held.Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED", "OVERDUE_INVOICES"], ignoreOrder: true);

        var invoiceOnHeld = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I-H", amount = 600, orderId = "SO-9" });
        invoiceOnHeld.Status.ShouldBe(409);
        invoiceOnHeld.Code.ShouldBe("INVALID_STATE");
        invoiceOnHeld.String("detail").ShouldBe("The order is held: a credit controller must release it before it is invoiced.");

        var queue = await app.Controller.Get("/api/holds?status=pending");
        queue.Status.ShouldBe(200);
        var mine = queue.Body.EnumerateArray().Single(h => h.GetProperty("customerId").GetString() == id);
        mine.GetProperty("amount").GetDecimal().ShouldBe(600m);
        mine.GetProperty("ageDays").GetInt32().ShouldBe(0); // held today: it has waited no days, however old the order
        // The contract's own words for them too.
        mine.GetProperty("customer").GetString().ShouldBe(id);
        mine.GetProperty("age").GetInt32().ShouldBe(0);
        mine.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ShouldBe(["CREDIT_LIMIT_EXCEEDED", "OVERDUE_INVOICES"], ignoreOrder: true);

        (await app.Clerk.Post($"/api/customers/{id}/orders/SO-9/release", new { reason = "ok" })).Status.ShouldBe(403);
        var released = await app.Controller.Post($"/api/customers/{id}/orders/SO-9/release", new { reason = "Known customer, cheque in hand" });
        released.Status.ShouldBe(200, released.ToString());
        released.String("status").ShouldBe("released");

        var order = await app.Clerk.Get($"/api/customers/{id}/orders/SO-9");
        order.String("status").ShouldBe("released");
        var steps = order.Body.GetProperty("history").EnumerateArray().Select(s => s.GetProperty("status").GetString()).ToList();
        steps.ShouldBe(["held", "released"]);
        order.Body.GetProperty("history")[1].GetProperty("by").GetString().ShouldBe("controller-1");

        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("openOrders").ShouldBe(600m);
        var releasedQueue = await app.Controller.Get("/api/holds?status=released");
        releasedQueue.Body.EnumerateArray().Single(h => h.GetProperty("customerId").GetString() == id).GetProperty("orderStatus").GetString()
            .ShouldBe("released");

        // Cancelled since: still a released hold, and the queue says what became of the order.
        (await app.Clerk.Post($"/api/customers/{id}/orders/SO-9/cancel", new { reason = "customer changed mind" })).Status.ShouldBe(200);
        var after = await app.Controller.Get("/api/holds?status=released");
        after.Body.EnumerateArray().Single(h => h.GetProperty("customerId").GetString() == id).GetProperty("orderStatus").GetString()
            .ShouldBe("cancelled");
    }

    [Fact]
    public async Task Rejected_and_cancelled_orders_free_nothing_twice_and_cannot_be_invoiced()
    {
        var id = await app.Customer(new { name = "Reject", creditLimit = 100 });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "A", amount = 500 })).String("status").ShouldBe("held");
        var rejected = await app.Controller.Post($"/api/customers/{id}/orders/A/reject", new { reason = "Too risky" });
        rejected.String("status").ShouldBe("rejected");
        var again = await app.Controller.Post($"/api/customers/{id}/orders/A/release", new { reason = "x" });
        again.Code.ShouldBe("INVALID_STATE");
        again.String("detail").ShouldBe("The order was rejected."); // where it stands, not only that it cannot

        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "B", amount = 50 })).String("status").ShouldBe("approved");
        var cancelled = await app.Clerk.Post($"/api/customers/{id}/orders/B/cancel", new { reason = "Customer changed mind" });
        cancelled.String("status").ShouldBe("cancelled");
        (await app.Clerk.Get($"/api/customers/{id}/balance")).Decimal("openOrders").ShouldBe(0m);
        var invoiced = await app.Clerk.InLanguage("ar").Post($"/api/customers/{id}/invoices", new { invoiceId = "I", amount = 50, orderId = "B" });
        invoiced.Code.ShouldBe("INVALID_STATE");
        invoiced.String("detail").ShouldBe("أمر البيع ملغى.");
    }

    [Fact]
    public async Task A_payment_releases_held_orders_automatically_by_system()
    {
        var id = await app.Customer(new { name = "Auto", creditLimit = 1000 });
        await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 900 });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO-1", amount = 500 })).String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO-2", amount = 500 })).String("status").ShouldBe("held");

        var correlation = $"pay-{Guid.NewGuid():N}";
        (await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/payments", """{"paymentId":"P1","amount":600}""", "application/json",
            new Dictionary<string, string> { ["X-Correlation-Id"] = correlation })).Status.ShouldBe(201);

        // 300 outstanding: SO-1 (oldest) fits, SO-2 would then exceed, so only SO-1 is released.
        var first = await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/orders/SO-1"), r => r.String("status") == "released");
        first.Body.GetProperty("history")[1].GetProperty("by").GetString().ShouldBe("system");
        (await app.Clerk.Get($"/api/customers/{id}/orders/SO-2")).String("status").ShouldBe("held");
        // The system's release is traced to the payment that made room: the same correlation id.
        var history = await app.As("audit", "auditor").Get($"/api/customers/{id}/history");
        history.Body.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "HoldReleased")
            .GetProperty("correlationId").GetString().ShouldBe(correlation);
    }

    [Fact]
    public async Task The_hold_queue_shows_what_holds_an_order_now()
    {
        var id = await app.Customer(new { name = "أسباب التعليق", creditLimit = 2000 });
        (await app.Controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "NEW", amount = 600 })).Status.ShouldBe(201);
        (await app.Controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "OLD", amount = 900, issuedOn = "2026-09-01", dueOn = "2026-09-30" }))
            .Status.ShouldBe(201);
        (await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = 1000, reason = "review" })).Status.ShouldBe(200);
        var held = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO", amount = 500 });
        held.Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED", "OVERDUE_INVOICES"], ignoreOrder: true);

        // The overdue invoice paid: the order still waits, for the limit alone (600 + 500 > 1,000).
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 900, allocations = new[] { new { invoiceId = "OLD", amount = 900 } } }))
            .Status.ShouldBe(201);
        var order = await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/orders/SO"), r => r.Codes("reasons").Count == 1);
        (order.String("status"), order.Codes("reasons").Single()).ShouldBe(("held", "CREDIT_LIMIT_EXCEEDED"));
        var step = order.Body.GetProperty("history").EnumerateArray().Last();
        (step.GetProperty("status").GetString(), step.GetProperty("by").GetString()).ShouldBe(("held", "system"));
        step.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);
        var queue = await Scenario.Eventually(() => app.Controller.Get($"/api/holds?customerId={id}"),
            r => r.Body.GetArrayLength() == 1 && r.Body[0].GetProperty("reasons").GetArrayLength() == 1);
        queue.Body[0].GetProperty("reasons")[0].GetProperty("code").GetString().ShouldBe("CREDIT_LIMIT_EXCEEDED");
        // A retried create still answers as it was placed.
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO", amount = 500 })).Codes("reasons")
            .ShouldBe(["CREDIT_LIMIT_EXCEEDED", "OVERDUE_INVOICES"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_bounced_cheque_takes_back_the_credit_the_system_granted_on_it()
    {
        // A cash-only customer: a clerk records a cheque, the system releases the held order on it, the cheque bounces.
        var id = await app.Customer(new { name = "عميل نقدي", creditLimit = 0 });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO-1", amount = 1725 })).String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "CHQ-9", amount = 2000 })).Status.ShouldBe(201);
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/orders/SO-1"), r => r.String("status") == "released");
        // What is left of the cheque approves another order at once.
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO-2", amount = 275 })).String("status").ShouldBe("approved");

        var reversed = await app.Clerk.Post($"/api/customers/{id}/payments/CHQ-9/reverse", new { reason = "شيك مرتجع" });
        reversed.Status.ShouldBe(200, reversed.ToString());
        // The answer names them; a repeat answers the same, and the payment lists them.
        reversed.Strings("ordersHeldAgain").ShouldBe(["SO-1", "SO-2"], ignoreOrder: true);
        var repeated = await app.Clerk.Post($"/api/customers/{id}/payments/CHQ-9/reverse", new { reason = "شيك مرتجع" });
        repeated.Body.ToString().ShouldBe(reversed.Body.ToString());
        (await app.Clerk.Get($"/api/customers/{id}/payments/CHQ-9")).Strings("ordersHeldAgain").ShouldBe(["SO-1", "SO-2"], ignoreOrder: true);
        var state = await app.As("audit", "auditor").Get($"/api/customers/{id}/state");
        state.Body.GetProperty("payments").EnumerateArray().Single(p => p.GetProperty("paymentId").GetString() == "CHQ-9")
            .GetProperty("ordersHeldAgain").EnumerateArray().Select(o => o.GetString()).ShouldBe(["SO-1", "SO-2"], ignoreOrder: true);

        // In the same commit, not eventually: the next request already finds both held, and neither can be invoiced.
        foreach (var order in new[] { "SO-1", "SO-2" })
        {
            var view = await app.Clerk.Get($"/api/customers/{id}/orders/{order}");
            view.String("status").ShouldBe("held");
            view.Codes("reasons").ShouldBe(["NO_CREDIT"]);
            var last = view.Body.GetProperty("history").EnumerateArray().Last();
            last.GetProperty("status").GetString().ShouldBe("held");
            last.GetProperty("by").GetString().ShouldBe("system"); // the reversal's consequence, not the clerk's decision
            last.GetProperty("reason").GetString()!.ShouldContain("CHQ-9");
            (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = $"I-{order}", amount = 100, orderId = order }))
                .ShouldBeProblem(409, "INVALID_STATE");
        }
        // A retried create still answers as the order was placed (the contract's "original result").
        var retried = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO-2", amount = 275 });
        (retried.Status, retried.String("status")).ShouldBe((200, "approved"));
        var arabic = await app.Clerk.InLanguage("ar").Get($"/api/customers/{id}/orders/SO-1");
        arabic.Body.GetProperty("history").EnumerateArray().Last().GetProperty("reason").GetString()!.ShouldContain("ارتدّت");
        (await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 1, kind = "invoice" })).Body.GetProperty("exposure").GetDecimal().ShouldBe(0m);
        // The auditor's history says the same as the order: the clerk reversed the cheque, the system held the orders again.
        var events = (await app.As("audit", "auditor").Get($"/api/customers/{id}/history")).Body.EnumerateArray().ToList();
        var reversal = events.Single(e => e.GetProperty("type").GetString() == "PaymentReversed");
        reversal.GetProperty("user").GetString().ShouldBe("clerk-1");
        foreach (var held in events.Where(e => e.GetProperty("type").GetString() == "OrderHeldAgain"))
        {
            held.GetProperty("user").GetString().ShouldBe("system");
            held.GetProperty("correlationId").GetString().ShouldBe(reversal.GetProperty("correlationId").GetString());
        }

        // The controllers' queue has them back, pending, and the balance no longer counts them.
        var queue = await Scenario.Eventually(() => app.Controller.Get($"/api/holds?status=pending&customerId={id}"), r => r.Body.GetArrayLength() == 2);
        queue.Body.EnumerateArray().Select(h => h.GetProperty("orderId").GetString()).ShouldBe(["SO-1", "SO-2"], ignoreOrder: true);
        var balance = await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/balance"), r => r.Body.GetProperty("openOrders").GetDecimal() == 0m);
        balance.Body.GetProperty("heldOrderCount").GetInt32().ShouldBe(2);

        // A controller may release one again: that is a person's decision, and it stands when the next cheque bounces.
        (await app.Controller.Post($"/api/customers/{id}/orders/SO-2/release", new { reason = "known customer" })).String("status").ShouldBe("released");
        var released = await Scenario.Eventually(() => app.Controller.Get($"/api/holds?status=released&customerId={id}"),
            r => r.Body.EnumerateArray().Any(h => h.GetProperty("resolvedBy").GetString() == "controller-1"));
        var again = released.Body.EnumerateArray().Single(h => h.GetProperty("orderId").GetString() == "SO-2");
        again.GetProperty("heldBy").GetString().ShouldBe("system"); // the hold begun again by the reversal
        again.GetProperty("resolution").GetString().ShouldBe("known customer");
        (await app.Controller.Get($"/api/holds?status=pending&customerId={id}")).Body.EnumerateArray()
            .Select(h => h.GetProperty("orderId").GetString()).ShouldBe(["SO-1"]);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "CHQ-10", amount = 100 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{id}/payments/CHQ-10/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
        (await app.Clerk.Get($"/api/customers/{id}/orders/SO-2")).String("status").ShouldBe("released");

        // A controller releasing what the system released makes it theirs: recorded, and it stands when a cheque bounces.
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "CHQ-11", amount = 2000 })).Status.ShouldBe(201);
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/orders/SO-1"), r => r.String("status") == "released");
        (await app.Controller.Post($"/api/customers/{id}/orders/SO-1/release", new { reason = "I vouch for it" })).String("status").ShouldBe("released");
        var steps = (await app.Clerk.Get($"/api/customers/{id}/orders/SO-1")).Body.GetProperty("history").EnumerateArray().ToList();
        (steps[^1].GetProperty("by").GetString(), steps[^1].GetProperty("reason").GetString()).ShouldBe(("controller-1", "I vouch for it"));
        // The queue names the controller who answers for the release now.
        var vouched = await Scenario.Eventually(() => app.Controller.Get($"/api/holds?status=released&customerId={id}"),
            r => r.Body.EnumerateArray().Any(h => h.GetProperty("orderId").GetString() == "SO-1" && h.GetProperty("resolvedBy").GetString() == "controller-1"));
        var row = vouched.Body.EnumerateArray().Single(h => h.GetProperty("orderId").GetString() == "SO-1");
        row.GetProperty("resolution").GetString().ShouldBe("I vouch for it");
        // Resolved when the system released it (the wait runs to the release), answered for by the controller.
        row.GetProperty("resolvedAt").GetDateTimeOffset().ShouldBe(steps[^2].GetProperty("at").GetDateTimeOffset());
        (await app.Clerk.Post($"/api/customers/{id}/payments/CHQ-11/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
        (await app.Clerk.Get($"/api/customers/{id}/orders/SO-1")).String("status").ShouldBe("released");
    }

    [Fact]
    public async Task An_order_invoiced_for_less_frees_the_rest_and_held_orders_are_re_checked()
    {
        var id = await app.Customer(new { name = "Partial", creditLimit = 10_000 });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "A1", amount = 8000 })).String("status").ShouldBe("approved");
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "H1", amount = 3000 })).String("status").ShouldBe("held");

        // Invoiced for 6,000 of its 8,000: exposure 6,000, so the held 3,000 now fits.
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 6000, orderId = "A1" })).Status.ShouldBe(201);

        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/orders/H1"), r => r.String("status") == "released");
    }

    [Fact]
    public async Task An_account_on_hold_refuses_everything_until_unheld()
    {
        var id = await app.Customer(new { name = "Hold" });
        (await app.Clerk.Post($"/api/customers/{id}/hold", new { reason = "x" })).Status.ShouldBe(403);
        var hold = await app.Controller.Post($"/api/customers/{id}/hold", new { reason = "شيك مرتجع" });
        hold.Status.ShouldBe(200, hold.ToString());
        hold.Body.GetProperty("onHold").GetBoolean().ShouldBeTrue();
        // Again for the same reason: nothing new; for another: the new reason is the account's and the record's.
        var version = (await app.Controller.Get($"/api/customers/{id}")).Body.GetProperty("version").GetInt64();
        (await app.Controller.Post($"/api/customers/{id}/hold", new { reason = "شيك مرتجع" })).Status.ShouldBe(200);
        (await app.Controller.Get($"/api/customers/{id}")).Body.GetProperty("version").GetInt64().ShouldBe(version);
        var again = await app.Controller.Post($"/api/customers/{id}/hold", new { reason = "شيك مرتجع ثانٍ" });
        again.String("holdReason").ShouldBe("شيك مرتجع ثانٍ");
        (await app.Controller.Get($"/api/customers/{id}")).Body.GetProperty("version").GetInt64().ShouldBe(version + 1);

        var refused = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 1 });
        refused.ReasonCode().ShouldBe("ACCOUNT_ON_HOLD");
        var held = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO", amount = 1 });
        held.String("status").ShouldBe("held");
        (await app.Clerk.Get($"/api/customers/{id}/balance")).String("status").ShouldBe("on-hold");

        await app.Controller.Post($"/api/customers/{id}/unhold", new { reason = "paid" });
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 1 })).Status.ShouldBe(201);
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/orders/SO"), r => r.String("status") == "released");
    }

    [Fact]
    public async Task Only_a_controller_overrides_a_refusal_and_the_event_records_who_and_why()
    {
        var id = await app.Customer(new { name = "Override", creditLimit = 100 });
        var byClerk = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 500, @override = new { reason = "boss said" } });
        byClerk.Status.ShouldBe(403);

        var byController = await app.As("maha", Roles.Controller)
            .Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 500, @override = new { reason = "عميل مميز" } });
        byController.Status.ShouldBe(201, byController.ToString());
        byController.Codes("overridden").ShouldBe(["CREDIT_LIMIT_EXCEEDED"]); // the controller sees what was overridden
        var repeated = await app.As("maha", Roles.Controller)
            .Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 500, @override = new { reason = "عميل مميز" } });
        (repeated.Status, repeated.Codes("overridden").Single()).ShouldBe((200, "CREDIT_LIMIT_EXCEEDED"));

        await using var session = app.Host.DocumentStore().QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        var issued = events.Select(e => e.Data).OfType<Domain.Accounts.InvoiceIssued>().Single();
        issued.Override!.By.ShouldBe("maha");
        issued.Override.Reason.ShouldBe("عميل مميز");
        issued.Override.OverriddenReasons.ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);
    }

    [Fact]
    public async Task The_what_if_check_answers_like_a_document_and_records_nothing()
    {
        var id = await app.Customer(new { name = "WhatIf", creditLimit = 1000 });
        await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 400 });
        await using var session = app.Host.DocumentStore().QuerySession();
        var before = (await session.Events.FetchStreamStateAsync(id))!.Version;

        var ok = await app.As("pos", Roles.Clerk).Post($"/api/customers/{id}/credit-check", new { amount = 600, kind = "invoice" });
        ok.Body.GetProperty("allowed").GetBoolean().ShouldBeTrue(ok.ToString());
        ok.Decimal("available").ShouldBe(600m);
        var no = await app.Clerk.Post($"/api/customers/{id}/credit-check", new { amount = 600.01, kind = "order" });
        no.Body.GetProperty("allowed").GetBoolean().ShouldBeFalse();
        no.Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);

        (await session.Events.FetchStreamStateAsync(id))!.Version.ShouldBe(before);
    }

    [Fact]
    public async Task Repeating_an_order_returns_the_original_result()
    {
        var id = await app.Customer(new { name = "RepeatOrder", creditLimit = 100 });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO", amount = 150 })).Status.ShouldBe(201);
        var again = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO", amount = 150 });
        again.Status.ShouldBe(200);
        again.String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO", amount = 10 })).Code.ShouldBe("DUPLICATE_ID");

        // What became of the order since does not change the answer to its create.
        (await app.Controller.Post($"/api/customers/{id}/orders/SO/release", new { reason = "known customer" })).Status.ShouldBe(200);
        var later = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO", amount = 150 });
        later.Status.ShouldBe(200);
        later.String("status").ShouldBe("held");
        later.Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);
        (await app.Clerk.Get($"/api/customers/{id}/orders/SO")).String("status").ShouldBe("released");
    }
}
