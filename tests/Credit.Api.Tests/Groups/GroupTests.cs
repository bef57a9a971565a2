using Microsoft.Extensions.DependencyInjection;
using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;

namespace Credit.Api.Tests.Groups;

public class GroupTests(AppFixture app)
{
    [Fact]
    public async Task A_group_default_limit_applies_to_members_without_their_own()
    {
        var group = AppFixture.NewId("g");
        (await app.Clerk.Put($"/api/groups/{group}", new { name = "x", defaultCreditLimit = 300 })).Status.ShouldBe(403);
        (await app.Controller.Put($"/api/groups/{group}", new { name = "Retail", defaultCreditLimit = 300 })).Status.ShouldBe(201);
        var id = await app.Customer(new { name = "Member", groupId = group });
        var refused = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I", amount = 300.01 });
        refused.Decimal("limit").ShouldBe(300m);
        refused.String("limitSource").ShouldBe("group");
        (await app.Clerk.Get($"/api/customers/{id}/balance")).String("limitSource").ShouldBe("group");
    }

    [Fact]
    public async Task A_pools_new_room_goes_to_the_longest_waiting_hold_across_members()
    {
        var group = AppFixture.NewId("queue");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Queue", sharedCreditLimit = 10_000 });
        var x = await app.Customer(new { name = "X", groupId = group });
        var y = await app.Customer(new { name = "Y", groupId = group });
        (await app.Clerk.Post($"/api/customers/{x}/invoices", new { invoiceId = "I1", amount = 10_000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{y}/orders", new { orderId = "Y1", amount = 1000 })).String("status").ShouldBe("held");
        // Held after Y1, though dated earlier: the queue is by hold, as GET /api/holds lists it.
        (await app.Clerk.Post($"/api/customers/{x}/orders", new { orderId = "X1", amount = 1500, orderedOn = "2026-11-01" })).String("status").ShouldBe("held");

        // Room for 1,500: Y1 (1,000) waited longest and goes first; X1 no longer fits beside it.
        await app.Controller.Put($"/api/groups/{group}", new { name = "Queue", sharedCreditLimit = 11_500 });
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{y}/orders/Y1"), r => r.String("status") == "released");
        await Task.Delay(500);
        (await app.Clerk.Get($"/api/customers/{x}/orders/X1")).String("status").ShouldBe("held");
        (await app.Clerk.Get($"/api/groups/{group}")).Decimal("available").ShouldBe(500m);
    }

    [Fact]
    public async Task A_group_record_edited_in_the_database_gives_way_to_its_recorded_limits()
    {
        var group = AppFixture.NewId("forged");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Forged pool", sharedCreditLimit = 100 });
        var member = await app.Customer(new { name = "Member", groupId = group, creditLimit = 100_000 });
        await using (var conn = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var forge = new Npgsql.NpgsqlCommand(
                "update credit.mt_doc_customergroup set data = jsonb_set(data, '{sharedCreditLimit}', '1000000') where id = @id", conn);
            forge.Parameters.AddWithValue("id", group);
            (await forge.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var refused = await app.Clerk.Post($"/api/customers/{member}/invoices", new { invoiceId = "I1", amount = 5000 });
        refused.Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"], refused.ToString());
        (await app.Clerk.Get($"/api/groups/{group}")).Decimal("sharedCreditLimit").ShouldBe(100m);
    }

    [Fact]
    public async Task A_shared_pool_is_checked_together_with_each_members_own_limit()
    {
        var group = AppFixture.NewId("pool");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Al Nour branches", sharedCreditLimit = 1000 });
        var a = await app.Customer(new { name = "Branch A", groupId = group, creditLimit = 800 });
        var b = await app.Customer(new { name = "Branch B", groupId = group, creditLimit = 800 });

        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I1", amount = 700 })).Status.ShouldBe(201);
        var pooled = await app.Clerk.Post($"/api/customers/{b}/invoices", new { invoiceId = "I1", amount = 400 });
        pooled.Status.ShouldBe(409);
        pooled.Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"]);
        // The pool's figures beside the customer's own: b has room of its own, the pool has 300 left.
        var pool = pooled.Body.GetProperty("group");
        (pool.GetProperty("groupId").GetString(), pool.GetProperty("sharedCreditLimit").GetDecimal(), pool.GetProperty("exposure").GetDecimal(),
            pool.GetProperty("available").GetDecimal()).ShouldBe((group, 1000m, 700m, 300m), pooled.ToString());
        pooled.Decimal("available").ShouldBe(800m);
        pooled.String("detail").ShouldEndWith("Credit limit 800.00 SAR, used 0.00 SAR, available 800.00 SAR. Group pool 1,000.00 SAR, used 700.00 SAR, available 300.00 SAR.");
        (await app.Clerk.Get($"/api/customers/{b}/balance")).Body.GetProperty("group").GetProperty("available").GetDecimal().ShouldBe(300m);
        var both = await app.Clerk.Post($"/api/customers/{b}/invoices", new { invoiceId = "I2", amount = 900 });
        both.Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED", "GROUP_LIMIT_EXCEEDED"], ignoreOrder: true);
        (await app.Clerk.Post($"/api/customers/{b}/invoices", new { invoiceId = "I3", amount = 300 })).Status.ShouldBe(201);

        var view = await app.Clerk.Get($"/api/groups/{group}");
        view.Decimal("exposure").ShouldBe(1000m);
        view.Decimal("available").ShouldBe(0m);
        view.Body.GetProperty("members").GetInt32().ShouldBe(2);
        // a still has 100 of its own: what blocks it is the pool, said of the pool as it stands.
        var blocked = await app.Clerk.Get($"/api/customers/{a}/balance");
        (blocked.String("status"), blocked.Codes("statusReasons").Single()).ShouldBe(("blocked", "GROUP_LIMIT_EXCEEDED"));
        blocked.Body.GetProperty("statusReasons")[0].GetProperty("message").GetString()
            .ShouldBe("The customer's group has no shared credit left: its members' exposure has reached or exceeded the shared credit limit.");
    }

    [Fact]
    public async Task A_payment_by_one_member_releases_another_members_held_order()
    {
        var group = AppFixture.NewId("poolrel");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 1000 });
        var a = await app.Customer(new { name = "A", groupId = group });
        var b = await app.Customer(new { name = "B", groupId = group });
        await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I1", amount = 900 });
        (await app.Clerk.Post($"/api/customers/{b}/orders", new { orderId = "SO", amount = 500 })).String("status").ShouldBe("held");
        await app.Clerk.Post($"/api/customers/{a}/payments", new { paymentId = "P", amount = 900 });
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{b}/orders/SO"), r => r.String("status") == "released");

        // The system's reason, in the reader's language, on the order and in the queue.
        var arabic = await app.Clerk.InLanguage("ar").Get($"/api/customers/{b}/orders/SO");
        arabic.Body.GetProperty("history").EnumerateArray().Last().GetProperty("reason").GetString().ShouldBe("تحسّن الوضع الائتماني للعميل: لم تعد أي قاعدة مانعة تُبقي أمر البيع معلّقًا");
        var queue = await Scenario.Eventually(() => app.Controller.InLanguage("ar").Get("/api/holds?status=released&limit=1000"),
            r => r.Body.EnumerateArray().Any(h => h.GetProperty("customerId").GetString() == b));
        queue.Body.EnumerateArray().Single(h => h.GetProperty("customerId").GetString() == b).GetProperty("resolution").GetString()
            .ShouldBe("تحسّن الوضع الائتماني للعميل: لم تعد أي قاعدة مانعة تُبقي أمر البيع معلّقًا");
        (await app.Clerk.Get($"/api/customers/{b}/orders/SO")).Body.GetProperty("history").EnumerateArray().Last().GetProperty("reason").GetString()
            .ShouldBe("Credit position improved: no blocking rule holds it");
        // And in the auditor's history, whose event data keeps the English it was recorded with.
        var audit = await app.As("auditor-1", "auditor").InLanguage("ar").Get($"/api/customers/{b}/history");
        var release = audit.Body.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "HoldReleased");
        release.GetProperty("reason").GetString().ShouldBe("تحسّن الوضع الائتماني للعميل: لم تعد أي قاعدة مانعة تُبقي أمر البيع معلّقًا");
        release.GetProperty("data").GetProperty("reason").GetString().ShouldBe("Credit position improved: no blocking rule holds it");
    }

    [Fact]
    public async Task A_burst_of_member_payments_is_reviewed_in_a_few_passes_and_still_frees_what_fits()
    {
        var group = AppFixture.NewId("burst");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Burst", sharedCreditLimit = 1000 });
        var a = await app.Customer(new { name = "Payer", groupId = group, creditLimit = 100_000 });
        var b = await app.Customer(new { name = "Buyer", groupId = group, creditLimit = 100_000 });
        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I1", amount = 1000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{b}/orders", new { orderId = "BIG", amount = 5000 })).String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{b}/orders", new { orderId = "SMALL", amount = 500 })).String("status").ShouldBe("held");

        // Forty payments, each asking for a review of the pool's holds.
        var paid = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Task.Run(() => app.Clerk.Post($"/api/customers/{a}/payments", new { paymentId = $"P{i}", amount = 20 }))));
        paid.ShouldAllBe(p => p.Status == 201);

        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{b}/orders/SMALL"), r => r.String("status") == "released");
        var reviews = app.Host.Services.GetRequiredService<Credit.Api.Holds.PoolReviews>();
        for (var i = 0; i < 100 && !reviews.IsCovered(group, reviews.CommittedSoFar(group)); i++) await Task.Delay(100);
        reviews.IsCovered(group, reviews.CommittedSoFar(group)).ShouldBeTrue();
        await Task.Delay(500); // requests still queued are answered by the passes already run
        reviews.Passes(group).ShouldBeLessThan(20, "one pass per request queued them behind each other under load");
        // And few were queued at all: while one waits to begin, the payments behind it queue none (one durable message per
        // payment filled Wolverine's local queue under load, until it pushed back on every commit).
        reviews.CommittedSoFar(group).ShouldBeLessThan(20);
        (await app.Clerk.Get($"/api/customers/{b}/orders/BIG")).String("status").ShouldBe("held");

        // A request a pass has covered runs none (one queued behind a backlog is answered at once); one without a number
        // (a controller's change of the pool) always runs its own.
        await using var scope = app.Host.Services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<Wolverine.IMessageBus>();
        var passes = reviews.Passes(group);
        await bus.InvokeAsync(new Credit.Api.Holds.ReviewGroupHolds(group, reviews.CommittedSoFar(group)));
        reviews.Passes(group).ShouldBe(passes);
        await bus.InvokeAsync(new Credit.Api.Holds.ReviewGroupHolds(group));
        reviews.Passes(group).ShouldBe(passes + 1);
    }

    /// <summary>
    /// A pass over a pool's holds keeps the pool's gate for short turns: a member's order waiting for the gate goes between
    /// two, instead of after the whole pass (sweep AE: members' orders waited 20-28 s behind passes over hundreds of holds).
    /// </summary>
    [Fact]
    public async Task A_members_order_goes_between_the_turns_of_a_long_pass_over_the_pools_holds()
    {
        var group = AppFixture.NewId("turns");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Turns", sharedCreditLimit = 1000 });
        var payer = await app.Customer(new { name = "Payer", groupId = group, creditLimit = 100_000 });
        var waiter = await app.Customer(new { name = "Waiter", groupId = group, creditLimit = 100_000 });
        var other = await app.Customer(new { name = "Other", groupId = group, creditLimit = 100_000 });
        (await app.Clerk.Post($"/api/customers/{payer}/invoices", new { invoiceId = "I1", amount = 1000 })).Status.ShouldBe(201);
        for (var i = 0; i < 5; i++)
            (await app.Clerk.Post($"/api/customers/{waiter}/orders", new { orderId = $"H{i}", amount = 10 })).String("status").ShouldBe("held");

        // The pass will hold the pool's gate and wait for the waiter's account, which the test holds for a while.
        var cache = app.Host.Services.GetRequiredService<Credit.Api.Accounts.AccountCache>();
        var busy = await cache.Enter(waiter, CancellationToken.None);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "P1", amount = 1000 })).Status.ShouldBe(201);
        var pool = cache.PoolGate(group);
        for (var i = 0; i < 100 && pool.CurrentCount > 0; i++) await Task.Delay(20);
        pool.CurrentCount.ShouldBe(0, "the pass has the pool's gate");
        var order = Task.Run(() => app.Clerk.Post($"/api/customers/{other}/orders", new { orderId = "NEW", amount = 10 }));
        await Task.Delay(300);
        busy.Gate.Release();

        (await order).String("status").ShouldBe("approved");
        await Scenario.Eventually(() => app.Controller.Get($"/api/holds?status=pending&customerId={waiter}"), r => r.Body.GetArrayLength() == 0);
        await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var seqs = new Npgsql.NpgsqlCommand(
            "select stream_id, type, seq_id from credit.mt_events where stream_id = any(@ids) and type in ('hold_released', 'order_approved') order by seq_id", conn);
        seqs.Parameters.AddWithValue("ids", new[] { waiter, other });
        var written = new List<(string Stream, string Type)>();
        await using (var reader = await seqs.ExecuteReaderAsync())
            while (await reader.ReadAsync()) written.Add((reader.GetString(0), reader.GetString(1)));
        written.Count(w => w.Type == "hold_released").ShouldBe(5);
        // The pass's turn ran out while it waited for the account: the order went before the rest of the pass, not after it.
        written.FindIndex(w => w.Stream == other).ShouldBeLessThan(2, string.Join(", ", written));
    }

    [Fact]
    public async Task Groups_list_with_their_pools_figures_and_their_members_list_with_theirs()
    {
        var pooled = AppFixture.NewId("listg");
        var plain = AppFixture.NewId("listh");
        await app.Controller.Put($"/api/groups/{pooled}", new { name = "مجموعة بحد مشترك", sharedCreditLimit = 5000 });
        await app.Controller.Put($"/api/groups/{plain}", new { name = "Plain", defaultCreditLimit = 700 });
        var a = await app.Customer(new { name = "A", groupId = pooled, creditLimit = 10_000 });
        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I1", amount = 1200 })).Status.ShouldBe(201);

        var all = await app.As("bi-tool", "reporter").Get("/api/groups");
        all.Status.ShouldBe(200, all.ToString());
        var ids = all.Body.EnumerateArray().Select(g => g.GetProperty("groupId").GetString()!).ToList();
        ids.ShouldBe(ids.Order(StringComparer.Ordinal).ToList());
        var pool = all.Body.EnumerateArray().Single(g => g.GetProperty("groupId").GetString() == pooled);
        (pool.GetProperty("exposure").GetDecimal(), pool.GetProperty("available").GetDecimal(), pool.GetProperty("members").GetInt32())
            .ShouldBe((1200m, 3800m, 1));
        all.Body.EnumerateArray().Single(g => g.GetProperty("groupId").GetString() == plain).GetProperty("defaultCreditLimit").GetDecimal().ShouldBe(700m);
        int.Parse(all.Headers["X-Total-Count"]).ShouldBe(ids.Count);
        (await app.Clerk.Get("/api/groups?limit=1")).Body.GetArrayLength().ShouldBe(1);
        (await app.Clerk.Get("/api/groups?offset=-1")).Status.ShouldBe(400);

        // Its members, with their own figures.
        var members = await app.Controller.Get($"/api/customers?groupId={pooled}");
        members.Body.EnumerateArray().Select(m => m.GetProperty("customerId").GetString()).ShouldBe([a]);
    }

    [Fact]
    public async Task A_pool_refusal_says_the_group_is_in_credit_or_over_its_limit_and_names_the_rate_it_lacks()
    {
        var group = AppFixture.NewId("poolword");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Words", sharedCreditLimit = 3000 });
        var payer = await app.Customer(new { name = "Payer", groupId = group, creditLimit = 20_000 });
        var buyer = await app.Customer(new { name = "Buyer", groupId = group, creditLimit = 20_000 });
        (await app.Clerk.Post($"/api/customers/{payer}/invoices", new { invoiceId = "I1", amount = 2500 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "P1", amount = 4400 })).Status.ShouldBe(201);

        // The pool is in credit (the payer's 1,900), not the buyer, who has used nothing.
        var inCredit = await app.Clerk.Post($"/api/customers/{buyer}/invoices", new { invoiceId = "I1", amount = 5000 });
        inCredit.Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"]);
        inCredit.String("detail")!.ShouldEndWith(
            "Credit limit 20,000.00 SAR, used 0.00 SAR, available 20,000.00 SAR. Group pool 3,000.00 SAR, the group is in credit by 1,900.00 SAR, available 4,900.00 SAR.");
        (await app.Clerk.InLanguage("ar").Post($"/api/customers/{buyer}/invoices", new { invoiceId = "I1", amount = 5000 })).String("detail")!
            .ShouldEndWith("الحد المشترك للمجموعة 3,000.00 ر.س، للمجموعة رصيد دائن 1,900.00 ر.س، المتاح 4,900.00 ر.س.");

        // A pool cut below what its members owe is over its shared limit.
        (await app.Clerk.Post($"/api/customers/{buyer}/invoices", new { invoiceId = "I2", amount = 4000 })).Status.ShouldBe(201);
        await app.Controller.Put($"/api/groups/{group}", new { name = "Words", sharedCreditLimit = 2000 });
        var over = await app.Clerk.InLanguage("ar").Post($"/api/customers/{buyer}/invoices", new { invoiceId = "I3", amount = 10 });
        over.String("detail")!.ShouldEndWith("الحد المشترك للمجموعة 2,000.00 ر.س، المستخدَم منه 2,100.00 ر.س، مقدار تجاوز الحد المشترك 100.00 ر.س.");

        // A member in a currency without a rate: the refusal names that currency, not the buyer's, beside the buyer's own figures.
        (await app.Controller.Put($"/api/customers/{AppFixture.NewId("omr")}", new { name = "Muscat", groupId = group, currency = "OMR", creditLimit = 100 }))
            .Status.ShouldBe(201);
        var unrated = await app.Clerk.Post($"/api/customers/{buyer}/invoices", new { invoiceId = "I4", amount = 10 });
        unrated.Codes("reasons").ShouldContain("EXCHANGE_RATE_MISSING");
        unrated.String("detail")!.ShouldContain("Credit limit 20,000.00 SAR, used 4,000.00 SAR, available 16,000.00 SAR.");
        unrated.String("detail")!.ShouldContain("The group's shared limit cannot be applied without an exchange rate for OMR.");
    }

    [Fact]
    public async Task A_customer_in_credit_joining_a_pool_frees_what_its_credit_makes_room_for()
    {
        var group = AppFixture.NewId("joiner");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Joiner", sharedCreditLimit = 1000 });
        var member = await app.Customer(new { name = "Member", groupId = group, creditLimit = 10_000 });
        (await app.Clerk.Post($"/api/customers/{member}/invoices", new { invoiceId = "I1", amount = 1000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{member}/orders", new { orderId = "O1", amount = 300 })).Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"]);

        var depositor = await app.Customer(new { name = "Depositor", creditLimit = 10_000 });
        (await app.Clerk.Post($"/api/customers/{depositor}/payments", new { paymentId = "D1", amount = 500 })).Status.ShouldBe(201);
        (await app.Controller.Put($"/api/customers/{depositor}", new { name = "Depositor", groupId = group, creditLimit = 10_000 })).Status.ShouldBe(200);

        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{member}/orders/O1"), r => r.String("status") == "released");
        // 1,000 owed, 500 in credit, the 300 released (the review may run before the join's answer is read: checked after it).
        (await app.Clerk.Get($"/api/groups/{group}")).Decimal("exposure").ShouldBe(800m);
    }

    [Fact]
    public async Task Another_members_bounced_cheque_takes_back_what_the_pool_granted_on_it()
    {
        var group = AppFixture.NewId("poolbounce");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 1000 });
        var a = await app.Customer(new { name = "A", groupId = group });
        var b = await app.Customer(new { name = "B", groupId = group });
        (await app.Clerk.Post($"/api/customers/{b}/orders", new { orderId = "SO-0", amount = 100 })).String("status").ShouldBe("approved");
        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I1", amount = 900 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{b}/orders", new { orderId = "SO-1", amount = 500 })).String("status").ShouldBe("held");
        // A's cheque makes room: the system releases B's held order and approves another on it.
        (await app.Clerk.Post($"/api/customers/{a}/payments", new { paymentId = "CHQ-A", amount = 900 })).Status.ShouldBe(201);
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{b}/orders/SO-1"), r => r.String("status") == "released");
        (await app.Clerk.Post($"/api/customers/{b}/orders", new { orderId = "SO-2", amount = 300 })).String("status").ShouldBe("approved");

        (await app.Clerk.Post($"/api/customers/{a}/payments/CHQ-A/reverse", new { reason = "شيك مرتجع" })).Status.ShouldBe(200);

        // Without the cheque the pool (900 owed by A, 100 granted B before it) has no room for either grant made on it.
        foreach (var order in new[] { "SO-1", "SO-2" })
        {
            var view = await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{b}/orders/{order}"), r => r.String("status") == "held");
            view.Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"]);
            var last = view.Body.GetProperty("history").EnumerateArray().Last();
            last.GetProperty("by").GetString().ShouldBe("system");
            last.GetProperty("reason").GetString().ShouldBe($"Held again: payment CHQ-A of customer {a}, a member of the same credit pool, was reversed, and without it the pool no longer covers the order");
            (await app.Clerk.Post($"/api/customers/{b}/invoices", new { invoiceId = $"I-{order}", amount = 100, orderId = order }))
                .ShouldBeProblem(409, "INVALID_STATE");
        }
        var arabic = await app.Clerk.InLanguage("ar").Get($"/api/customers/{b}/orders/SO-1");
        arabic.Body.GetProperty("history").EnumerateArray().Last().GetProperty("reason").GetString()!.ShouldContain("ارتدّت");
        (await app.Clerk.Get($"/api/customers/{b}/orders/SO-0")).String("status").ShouldBe("approved"); // granted before the cheque
        (await app.Clerk.Get($"/api/groups/{group}")).Decimal("available").ShouldBe(0m);
        var queue = await Scenario.Eventually(() => app.Controller.Get($"/api/holds?status=pending&customerId={b}"), r => r.Body.GetArrayLength() == 2);
        queue.Body.EnumerateArray().Select(h => h.GetProperty("heldBy").GetString()).ShouldBe(["system", "system"]);
    }

    [Fact]
    public async Task A_bounce_in_a_pool_leaves_an_order_granted_before_its_customer_joined()
    {
        var group = AppFixture.NewId("poolnot");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 10000 });
        var payer = await app.Customer(new { name = "Payer", groupId = group });
        (await app.Clerk.Post($"/api/customers/{payer}/invoices", new { invoiceId = "I1", amount = 9000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "PAY", amount = 5000 })).Status.ShouldBe(201);
        // Granted outside any pool after the payment came; its customer joins the pool afterwards.
        var outsider = await app.Customer(new { name = "Joined later" });
        (await app.Clerk.Post($"/api/customers/{outsider}/orders", new { orderId = "XO", amount = 5000 })).String("status").ShouldBe("approved");
        (await app.Controller.Put($"/api/customers/{outsider}", new { groupId = group })).Status.ShouldBe(200);
        var member = await app.Customer(new { name = "Member", groupId = group });
        (await app.Clerk.Post($"/api/customers/{member}/orders", new { orderId = "MO", amount = 1000 })).String("status").ShouldBe("approved");

        (await app.Clerk.Post($"/api/customers/{payer}/payments/PAY/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        // The member's grant rested on the payer's room; the outsider's on no room of this pool.
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{member}/orders/MO"), r => r.String("status") == "held");
        (await app.Clerk.Get($"/api/customers/{outsider}/orders/XO")).String("status").ShouldBe("approved");
    }

    [Fact]
    public async Task A_suppliers_deposit_made_no_room_in_the_pool_and_its_bounce_takes_none_back()
    {
        var group = AppFixture.NewId("poolsup");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 1000 });
        var supplier = await app.Customer(new { name = "Supplier", groupId = group, kind = "supplier" });
        (await app.Clerk.Post($"/api/customers/{supplier}/payments", new { paymentId = "DEP", amount = 5000 })).Status.ShouldBe(201);
        var buyer = await app.Customer(new { name = "Buyer", groupId = group });
        (await app.Clerk.Post($"/api/customers/{buyer}/orders", new { orderId = "BO", amount = 800 })).String("status").ShouldBe("approved");
        (await app.Controller.Post($"/api/customers/{buyer}/invoices", new { invoiceId = "BI", amount = 500, @override = new { reason = "مدير" } }))
            .Status.ShouldBe(201); // the pool at 1,300, the deposit no part of it

        (await app.Clerk.Post($"/api/customers/{supplier}/payments/DEP/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        await Task.Delay(1500); // the bounce's look at the pool runs a moment later
        (await app.Clerk.Get($"/api/customers/{buyer}/orders/BO")).String("status").ShouldBe("approved");
        (await app.Clerk.Get($"/api/groups/{group}")).Decimal("exposure").ShouldBe(1300m);
    }

    [Fact]
    public async Task A_deposit_that_made_room_is_taken_back_though_its_payer_became_a_supplier_since()
    {
        var group = AppFixture.NewId("poolkind");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 10000 });
        var contact = await app.Customer(new { name = "Both ways", groupId = group, kind = "both" });
        var buyer = await app.Customer(new { name = "Buyer", groupId = group, creditLimit = 100000 });
        (await app.Clerk.Post($"/api/customers/{buyer}/invoices", new { invoiceId = "I1", amount = 9000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{buyer}/orders", new { orderId = "O1", amount = 3000 })).Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"]);
        (await app.Clerk.Post($"/api/customers/{contact}/payments", new { paymentId = "D1", amount = 5000 })).Status.ShouldBe(201);
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{buyer}/orders/O1"), r => r.String("status") == "released");

        // A clerk makes the contact a supplier (its deposit leaves the pool), then reverses the deposit.
        (await app.Clerk.Put($"/api/customers/{contact}", new { kind = "supplier" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{contact}/payments/D1/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{buyer}/orders/O1"), r => r.String("status") == "held");
    }

    [Fact]
    public async Task Two_of_a_members_cheques_that_together_paid_for_anothers_grant_take_it_back_after_a_pool_cut()
    {
        var group = AppFixture.NewId("pooltwo");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 10000 });
        var payer = await app.Customer(new { name = "Payer", groupId = group });
        var member = await app.Customer(new { name = "Member", groupId = group });
        (await app.Clerk.Post($"/api/customers/{payer}/invoices", new { invoiceId = "I1", amount = 10000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "Q1", amount = 3000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "Q2", amount = 3000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{member}/orders", new { orderId = "O1", amount = 2000 })).String("status").ShouldBe("approved"); // 4,000 to spare

        (await app.Clerk.Post($"/api/customers/{payer}/payments/Q1/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
        await Task.Delay(1000);
        (await app.Clerk.Get($"/api/customers/{member}/orders/O1")).String("status").ShouldBe("approved"); // 9,000 of 10,000: it fits
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 5000 });
        (await app.Clerk.Post($"/api/customers/{payer}/payments/Q2/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        // Together the two were worth 6,000, more than the 4,000 it had to spare: it needed them, cut or not.
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{member}/orders/O1"), r => r.String("status") == "held");
    }

    /// <summary>
    /// Ten payments of one payer bounced in quick succession: each reversal's look at the pool's grants ran beside the others,
    /// each took the grants it listed off the pool though another had already held some of them again, found room, and left
    /// grants that needed the money standing, the pool over its limit (sweep AI: 7 of 36). They take turns per pool now.
    /// </summary>
    [Fact]
    public async Task Bounces_in_a_row_hold_again_every_grant_that_needed_them_and_leave_the_pool_within_its_limit()
    {
        var group = AppFixture.NewId("storm");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Storm pool", sharedCreditLimit = 20_000 });
        var payer = await app.Customer(new { name = "Payer", groupId = group, creditLimit = 1_000_000 });
        var filler = await app.Customer(new { name = "Filler", groupId = group, creditLimit = 1_000_000 });
        var members = new List<string>();
        for (var i = 0; i < 6; i++) members.Add(await app.Customer(new { name = $"Member {i}", groupId = group, creditLimit = 1_000_000 }));
        (await app.Clerk.Post($"/api/customers/{payer}/invoices", new { invoiceId = "BIG", amount = 20_000 })).Status.ShouldBe(201);
        (await app.Controller.Post($"/api/customers/{filler}/invoices",
            new { invoiceId = "FILL", amount = 6000, @override = new { reason = "keeps the pool full while the payer pays" } })).Status.ShouldBe(201);
        var orders = members.SelectMany(m => new[] { (m, "O1"), (m, "O2") }).ToList();
        foreach (var (member, order) in orders)
            (await app.Clerk.Post($"/api/customers/{member}/orders", new { orderId = order, amount = 500 })).String("status").ShouldBe("held");
        for (var k = 0; k < 10; k++)
            (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = $"P{k}", amount = 600 })).Status.ShouldBe(201);
        // The filler pays: the room the payer's payments made goes to the holds, every grant after every payment.
        (await app.Clerk.Post($"/api/customers/{filler}/payments", new { paymentId = "FP", amount = 6000 })).Status.ShouldBe(201);
        foreach (var (member, order) in orders)
            await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{member}/orders/{order}"), r => r.String("status") == "released");

        // One after another, each while the looks of the ones before are under way. The race is in how the looks interleave:
        // without the turns this failed 1 run in 13 here (sweep AI: 2 in about 20), so it guards the end state more than the race.
        for (var k = 0; k < 10; k++)
            (await app.Clerk.Post($"/api/customers/{payer}/payments/P{k}/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        // Each grant had at most 6,000 to spare, and 6,000 bounced since: every one needed the payments.
        foreach (var (member, order) in orders)
            await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{member}/orders/{order}"), r => r.String("status") == "held", seconds: 20);
        var pool = await app.Clerk.Get($"/api/groups/{group}");
        pool.Decimal("exposure").ShouldBe(20_000m, pool.ToString());
        pool.Decimal("available").ShouldBe(0m, pool.ToString());
    }

    /// <summary>
    /// A clerk cancels one of the grants a bounce's look has listed, while the look decides them. Deciding each grant "without
    /// the grants not yet decided", the look took the cancelled order off the pool a second time, found room that was not
    /// there, and left the other grant standing with the pool over its limit. The look now holds the pool's gate, so the
    /// cancel waits for the end of its turn (the second here, longer than a turn), and the look counts the grants left again.
    /// </summary>
    [Fact]
    public async Task A_grant_cancelled_while_a_bounce_looks_at_the_pool_is_not_taken_off_it_twice()
    {
        var group = AppFixture.NewId("poolcancel");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 10000 });
        var payer = await app.Customer(new { name = "Payer", groupId = group });
        var first = await app.Customer(new { name = "First", groupId = group });
        var second = await app.Customer(new { name = "Second", groupId = group });
        (await app.Clerk.Post($"/api/customers/{payer}/invoices", new { invoiceId = "I1", amount = 10000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "PAY", amount = 1000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{first}/orders", new { orderId = "A", amount = 400 })).String("status").ShouldBe("approved");
        (await app.Clerk.Post($"/api/customers/{second}/orders", new { orderId = "B", amount = 600 })).String("status").ShouldBe("approved");

        Task<ApiResponse>? cancel = null;
        Credit.Api.Holds.HoldAgainAcrossPoolHandler.GrantsListed = async listedIn =>
        {
            if (listedIn != group || cancel is not null) return;
            cancel = app.Clerk.Post($"/api/customers/{second}/orders/B/cancel", new { reason = "customer changed mind" });
            await Task.WhenAny(cancel, Task.Delay(1000)); // done at once unless the look holds the pool's gate
        };
        try
        {
            (await app.Clerk.Post($"/api/customers/{payer}/payments/PAY/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
            for (var waited = 0; cancel is null && waited < 100; waited++) await Task.Delay(100); // the look runs a moment later
            (cancel is null).ShouldBeFalse("the bounce's look never listed the pool's grants");
            (await cancel!).Status.ShouldBe(200);
        }
        finally
        {
            Credit.Api.Holds.HoldAgainAcrossPoolHandler.GrantsListed = null;
        }

        // Without the payment the pool holds the payer's 10,000 and the first grant's 400: it needed the payment.
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{first}/orders/A"), r => r.String("status") == "held");
        (await app.Clerk.Get($"/api/customers/{second}/orders/B")).String("status").ShouldBe("cancelled");
        var pool = await app.Clerk.Get($"/api/groups/{group}");
        pool.Decimal("exposure").ShouldBe(10000m, pool.ToString());
    }

    [Fact]
    public async Task What_the_other_members_give_back_after_a_bounce_goes_to_the_longest_waiting_hold()
    {
        // The payer's own grants are decided in the reversal's commit, before the other member's older one: all three are held
        // again, but once that one is out the payer's smallest fits, as strictly oldest first would have kept it.
        var group = AppFixture.NewId("poolorder");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 10000 });
        var payer = await app.Customer(new { name = "Payer", groupId = group });
        var member = await app.Customer(new { name = "Member", groupId = group });
        (await app.Clerk.Post($"/api/customers/{payer}/invoices", new { invoiceId = "I1", amount = 9000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "PAY", amount = 5000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{member}/orders", new { orderId = "QO", amount = 3000 })).String("status").ShouldBe("approved");
        (await app.Clerk.Post($"/api/customers/{payer}/orders", new { orderId = "PO1", amount = 2000 })).String("status").ShouldBe("approved");
        (await app.Clerk.Post($"/api/customers/{payer}/orders", new { orderId = "PO2", amount = 1000 })).String("status").ShouldBe("approved");

        (await app.Clerk.Post($"/api/customers/{payer}/payments/PAY/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{payer}/orders/PO2"), r => r.String("status") == "released");
        (await app.Clerk.Get($"/api/customers/{member}/orders/QO")).String("status").ShouldBe("held");
        (await app.Clerk.Get($"/api/customers/{payer}/orders/PO1")).String("status").ShouldBe("held");
        (await app.Clerk.Get($"/api/groups/{group}")).Decimal("exposure").ShouldBe(10000m);
    }

    [Fact]
    public async Task A_supplier_that_owed_paid_real_room_into_the_pool_and_its_bounce_takes_it_back()
    {
        // The pool counts a supplier-only contact while it owes: the debt it paid made room, unlike a deposit.
        var group = AppFixture.NewId("poolsupowe");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 1000 });
        var contact = await app.Customer(new { name = "Owes", groupId = group, kind = "both" });
        var member = await app.Customer(new { name = "Member", groupId = group, creditLimit = 100000 });
        (await app.Clerk.Post($"/api/customers/{contact}/invoices", new { invoiceId = "I1", amount = 1000 })).Status.ShouldBe(201);
        (await app.Clerk.Put($"/api/customers/{contact}", new { kind = "supplier" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{contact}/payments", new { paymentId = "P1", amount = 1000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{member}/orders", new { orderId = "O1", amount = 1000 })).String("status").ShouldBe("approved");

        (await app.Clerk.Post($"/api/customers/{contact}/payments/P1/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{member}/orders/O1"), r => r.String("status") == "held");
    }

    [Fact]
    public async Task A_payer_that_moved_to_another_pool_takes_back_nothing_granted_in_the_old_one_after_it_left()
    {
        var (old, other) = (AppFixture.NewId("poolold"), AppFixture.NewId("poolnew"));
        await app.Controller.Put($"/api/groups/{old}", new { name = "Old", sharedCreditLimit = 1000 });
        await app.Controller.Put($"/api/groups/{other}", new { name = "New", sharedCreditLimit = 100000 });
        var member = await app.Customer(new { name = "Member", groupId = old, creditLimit = 100000 });
        var payer = await app.Customer(new { name = "Payer", groupId = old });
        (await app.Clerk.Post($"/api/customers/{member}/invoices", new { invoiceId = "I1", amount = 1000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "DEP", amount = 1000 })).Status.ShouldBe(201);
        (await app.Controller.Put($"/api/customers/{payer}", new { groupId = other })).Status.ShouldBe(200); // its credit leaves with it
        // Room from a higher limit, granted after the payer left; then a cut a controller answers for.
        await app.Controller.Put($"/api/groups/{old}", new { name = "Old", sharedCreditLimit = 1500 });
        (await app.Clerk.Post($"/api/customers/{member}/orders", new { orderId = "O1", amount = 500 })).String("status").ShouldBe("approved");
        await app.Controller.Put($"/api/groups/{old}", new { name = "Old", sharedCreditLimit = 1400 });

        (await app.Clerk.Post($"/api/customers/{payer}/payments/DEP/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        await Task.Delay(1500); // the bounce's look across the pool runs a moment later
        (await app.Clerk.Get($"/api/customers/{member}/orders/O1")).String("status").ShouldBe("approved");
    }

    /// <summary>A member held for the pool that leaves it has its own holds re-checked: they were no longer among the
    /// pool's members', so only a later payment freed them.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_member_that_leaves_a_full_pool_has_its_held_orders_released(bool theOneThatFilledIt)
    {
        var group = AppFixture.NewId("poolleave");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 5000 });
        var a = await app.Customer(new { name = "A", creditLimit = 20000, groupId = group });
        var b = await app.Customer(new { name = "B", creditLimit = 20000, groupId = group });
        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I1", amount = 5000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{a}/orders", new { orderId = "GA", amount = 500 })).String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{b}/orders", new { orderId = "GB", amount = 1000 })).String("status").ShouldBe("held");

        var leaving = theOneThatFilledIt ? a : b;
        var order = theOneThatFilledIt ? "GA" : "GB";
        (await app.Controller.Put($"/api/customers/{leaving}", new { groupId = (string?)null })).Status.ShouldBe(200);

        var released = await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{leaving}/orders/{order}"), r => r.String("status") == "released");
        released.Body.GetProperty("history").EnumerateArray().Last().GetProperty("by").GetString().ShouldBe("system");
    }

    [Fact]
    public async Task A_pools_record_and_members_stay_in_memory_as_stored_through_decisions_moves_and_saves()
    {
        var groups = app.Host.Services.GetRequiredService<Credit.Api.Accounts.GroupCache>();
        var (pool, other) = (AppFixture.NewId("kept"), AppFixture.NewId("kept"));
        await app.Controller.Put($"/api/groups/{pool}", new { name = "Kept pool", sharedCreditLimit = 10_000 });
        await app.Controller.Put($"/api/groups/{other}", new { name = "Other pool", sharedCreditLimit = 10_000 });
        var a = await app.Customer(new { name = "A", groupId = pool, creditLimit = 100_000 });
        var b = await app.Customer(new { name = "B", groupId = pool, creditLimit = 100_000 });
        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I0", amount = 100 })).Status.ShouldBe(201);

        // Each pooled decision rewrites the record under its version: the one kept is the one stored, never read again
        // (a version left behind would fail every later decision, and each would read the record again to recover).
        var kept = await groups.Group(pool, TestContext.Current.CancellationToken);
        for (var i = 1; i <= 3; i++)
            (await app.Clerk.Post($"/api/customers/{(i % 2 == 0 ? a : b)}/invoices", new { invoiceId = $"I{i}", amount = 100 })).Status.ShouldBe(201);
        var now = await groups.Group(pool, TestContext.Current.CancellationToken);
        now.ShouldBeSameAs(kept);
        (await StoredVersion(pool)).ShouldBe(kept!.Version);

        // A member moving to another pool leaves this one's list and joins that one's at once, its debt with it.
        (await groups.Members(pool, TestContext.Current.CancellationToken)).ShouldBe([a, b], ignoreOrder: true);
        (await groups.Members(other, TestContext.Current.CancellationToken)).ShouldBeEmpty();
        (await app.Controller.Put($"/api/customers/{b}", new { name = "B", groupId = other, creditLimit = 100_000 })).Status.ShouldBe(200);
        (await groups.Members(pool, TestContext.Current.CancellationToken)).ShouldBe([a]);
        (await groups.Members(other, TestContext.Current.CancellationToken)).ShouldBe([b]);
        (await app.Clerk.Get($"/api/groups/{other}")).Decimal("exposure").ShouldBe(200m);
        (await app.Clerk.Get($"/api/groups/{pool}")).Decimal("exposure").ShouldBe(200m);

        // A controller's save replaces the record kept: the next decision is on the new pool.
        await app.Controller.Put($"/api/groups/{pool}", new { name = "Kept pool", sharedCreditLimit = 250 });
        var saved = await groups.Group(pool, TestContext.Current.CancellationToken);
        saved!.SharedCreditLimit.ShouldBe(250m);
        (await StoredVersion(pool)).ShouldBe(saved.Version);
        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I9", amount = 60 })).Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"]);
        (await app.Clerk.Post($"/api/customers/{a}/invoices", new { invoiceId = "I9", amount = 50 })).Status.ShouldBe(201);
        (await groups.Group(pool, TestContext.Current.CancellationToken)).ShouldBeSameAs(saved);
        (await StoredVersion(pool)).ShouldBe(saved.Version);
    }

    /// <summary>
    /// A move's member lists change in its commit's turn, before any policy or group change can land: updated by the mover
    /// after its answer, a group turning into a pool in between (sweep AH's reading of the code) took a member's grant without
    /// the newcomer's debt.
    /// </summary>
    [Fact]
    public async Task A_committed_move_is_in_the_member_lists_by_the_time_its_commit_is_answered()
    {
        var (groups, cache, writer) = (app.Host.Services.GetRequiredService<Credit.Api.Accounts.GroupCache>(),
            app.Host.Services.GetRequiredService<Credit.Api.Accounts.AccountCache>(),
            app.Host.Services.GetRequiredService<Credit.Api.Accounts.GroupCommit>());
        var group = AppFixture.NewId("turn");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Plain group", defaultCreditLimit = 1000 });
        var mover = await app.Customer(new { name = "Mover", creditLimit = 1000 });
        (await groups.Members(group, TestContext.Current.CancellationToken)).ShouldBeEmpty();

        var entry = await cache.Enter(mover, TestContext.Current.CancellationToken);
        try
        {
            var moved = new Credit.Domain.Accounts.ProfileUpdated(entry.Account!.Profile with { GroupId = group });
            await writer.Commit(new Credit.Api.Accounts.CommitRequest(mover, entry.Version, [moved],
                new Credit.Api.Auth.Caller("controller-1", new HashSet<string> { "controller" }, "turn-test"), null, null, move: (null, group)));
            (await groups.Members(group, TestContext.Current.CancellationToken)).ShouldBe([mover]);
        }
        finally
        {
            Credit.Api.Accounts.AccountCache.Invalidate(entry); // committed around the account in memory: read again
            entry.Gate.Release();
        }
        (await app.Clerk.Get($"/api/customers/{mover}")).String("groupId").ShouldBe(group);
    }

    private async Task<Guid> StoredVersion(string groupId)
    {
        await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var read = new Npgsql.NpgsqlCommand("select mt_version from credit.mt_doc_customergroup where id = @id", conn);
        read.Parameters.AddWithValue("id", groupId);
        return (Guid)(await read.ExecuteScalarAsync())!;
    }
}
