using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Policy;

/// <summary>Group and company limits are in the company currency; customers in other currencies meet them at the policy's rates.</summary>
[Collection(nameof(CompanyPolicy))]
public sealed class ExchangeRateTests(AppFixture app) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await app.ResetPolicy();

    [Fact]
    public async Task A_customer_in_another_currency_inherits_the_company_limit_only_at_a_rate()
    {
        (await app.Controller.Put("/api/policy", new { defaultCreditLimit = 7000 })).Status.ShouldBe(200);
        var id = await app.Customer(new { name = "الكويتية للتجارة", currency = "KWD" });

        // No rate: the 7,000 SAR default is not 7,000 KWD; nothing is granted, and the refusal says why, in Arabic too.
        var refused = await app.Clerk.InLanguage("ar").Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100 });
        refused.Status.ShouldBe(409, refused.ToString());
        refused.Codes("reasons").ShouldBe(["EXCHANGE_RATE_MISSING"]);
        refused.Body.GetProperty("reasons")[0].GetProperty("message").GetString()!.ShouldContain("سعر صرف");
        refused.String("detail")!.ShouldEndWith("لا يمكن تحويل الحد إلى عملة العميل (\u2068KWD\u2069) دون سعر صرف؛ الائتمان المستخدَم 0.000 د.ك."); // unknown, not cash only
        var held = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "SO1", amount = 100 });
        held.String("status").ShouldBe("held");
        var unrated = await app.Clerk.Get($"/api/customers/{id}/balance");
        (unrated.Decimal("creditLimit"), unrated.String("missingExchangeRate"), unrated.String("status")).ShouldBe((0m, "KWD", "blocked"));
        unrated.Codes("statusReasons").ShouldBe(["EXCHANGE_RATE_MISSING"]);
        unrated.Body.GetProperty("statusReasons")[0].GetProperty("message").GetString()!.ShouldStartWith("The customer gets no credit because an exchange rate is missing");

        // With a rate the limit is 571.428 KWD, and the held order goes through on the policy change.
        var policy = await app.Controller.Put("/api/policy", new { defaultCreditLimit = 7000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });
        policy.Status.ShouldBe(200, policy.ToString());
        policy.Body.GetProperty("exchangeRates").GetProperty("KWD").GetDecimal().ShouldBe(12.25m);
        (await app.Controller.Get("/api/policy")).Body.GetProperty("exchangeRates").GetProperty("KWD").GetDecimal().ShouldBe(12.25m);
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/orders/SO1"), r => r.String("status") == "released");

        var balance = await app.Clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("creditLimit").ShouldBe(571.428m);
        balance.Body.GetProperty("missingExchangeRate").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        balance.String("limitSource").ShouldBe("company");
        var over = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 471.429 });
        over.Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED"], over.ToString());
        over.Decimal("available").ShouldBe(471.428m);
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I3", amount = 471.428 })).Status.ShouldBe(201);
    }

    [Fact]
    public async Task A_pool_counts_members_in_the_company_currency()
    {
        await app.Controller.Put("/api/policy", new { exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });
        var group = AppFixture.NewId("fxpool");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Gulf branches", sharedCreditLimit = 10000 });
        var riyadh = await app.Customer(new { name = "Riyadh", groupId = group });
        var kuwait = await app.Customer(new { name = "Kuwait", groupId = group, currency = "KWD" });

        (await app.Clerk.Post($"/api/customers/{riyadh}/invoices", new { invoiceId = "I1", amount = 9000 })).Status.ShouldBe(201);
        var over = await app.Clerk.Post($"/api/customers/{kuwait}/invoices", new { invoiceId = "K1", amount = 81.633 }); // 1,000.00425 SAR
        over.Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"], over.ToString());
        (await app.Clerk.Post($"/api/customers/{kuwait}/invoices", new { invoiceId = "K2", amount = 81.632 })).Status.ShouldBe(201);

        var view = await app.Clerk.Get($"/api/groups/{group}");
        view.String("currency").ShouldBe("SAR");
        view.Decimal("exposure").ShouldBe(9999.99m); // 9,000 + 999.992, shown to the halala
        view.Decimal("available").ShouldBe(0.01m);

        // A rate taken away leaves the pool unknowable: every member is refused, and the view names the currency.
        await app.Controller.Put("/api/policy", new { });
        var unknowable = await app.Clerk.Post($"/api/customers/{riyadh}/invoices", new { invoiceId = "I2", amount = 0.01 });
        unknowable.Codes("reasons").ShouldBe(["EXCHANGE_RATE_MISSING"], unknowable.ToString());
        (await app.Clerk.Get($"/api/groups/{group}")).String("missingExchangeRate").ShouldBe("KWD");
    }

    [Fact]
    public async Task A_member_without_a_rate_makes_the_pool_unknowable_whatever_it_owes()
    {
        // A QAR member with nothing owed yet: the pool still cannot be summed once it owes, so it blocks from the start,
        // and the view and the balances name the currency (a deposit used to be what switched the pool off).
        var group = AppFixture.NewId("fxzero");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Qatar branch", sharedCreditLimit = 10000 });
        var riyadh = await app.Customer(new { name = "Riyadh", groupId = group, creditLimit = 5000 });
        var doha = await app.Customer(new { name = "Doha", groupId = group, currency = "QAR", creditLimit = 1000 });

        (await app.Clerk.Get($"/api/groups/{group}")).String("missingExchangeRate").ShouldBe("QAR");
        (await app.Clerk.Post($"/api/customers/{riyadh}/orders", new { orderId = "O1", amount = 100 })).Codes("reasons").ShouldBe(["EXCHANGE_RATE_MISSING"]);
        (await app.Clerk.Post($"/api/customers/{doha}/orders", new { orderId = "O1", amount = 100 })).Codes("reasons").ShouldBe(["EXCHANGE_RATE_MISSING"]);

        // The rate set: the pool sums again, and the held orders are re-checked.
        await app.Controller.Put("/api/policy", new { exchangeRates = new Dictionary<string, decimal> { ["QAR"] = 1.03m } });
        (await app.Clerk.Get($"/api/groups/{group}")).Body.GetProperty("missingExchangeRate").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{riyadh}/orders/O1"), r => r.String("status") == "released");
    }

    [Fact]
    public async Task A_supplier_owing_nothing_or_in_credit_is_no_part_of_its_pools_sum()
    {
        // A supplier-only contact takes no orders or invoices: owing nothing or in credit, its missing rate blocks no one;
        // made a customer too, it does.
        var group = AppFixture.NewId("fxsupp");
        await app.Controller.Put($"/api/groups/{group}", new { name = "With a supplier", sharedCreditLimit = 10000 });
        var riyadh = await app.Customer(new { name = "Riyadh", groupId = group, creditLimit = 5000 });
        var supplier = await app.Customer(new { name = "Supplier", groupId = group, currency = "QAR", kind = "supplier" });

        (await app.Clerk.Post($"/api/customers/{riyadh}/orders", new { orderId = "O1", amount = 100 })).String("status").ShouldBe("approved");
        (await app.Clerk.Get($"/api/groups/{group}")).Body.GetProperty("missingExchangeRate").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        // In credit (a deposit) neither: no member can use its credit.
        (await app.Clerk.Post($"/api/customers/{supplier}/payments", new { paymentId = "D1", amount = 50 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{riyadh}/orders", new { orderId = "O1b", amount = 100 })).String("status").ShouldBe("approved");
        (await app.Clerk.Get($"/api/groups/{group}")).Decimal("exposure").ShouldBe(200m);

        (await app.Controller.Put($"/api/customers/{supplier}", new { kind = "both" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{riyadh}/orders", new { orderId = "O2", amount = 100 })).Codes("reasons").ShouldBe(["EXCHANGE_RATE_MISSING"]);
    }

    [Fact]
    public async Task A_higher_rate_that_gives_a_pool_room_re_checks_its_held_orders()
    {
        // A KWD member in credit: at a higher rate its deposit weighs more in the pool.
        await app.Controller.Put("/api/policy", new { exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });
        var group = AppFixture.NewId("fxroom");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Room", sharedCreditLimit = 1000 });
        var kuwait = await app.Customer(new { name = "Kuwait", groupId = group, currency = "KWD", creditLimit = 1000 });
        var riyadh = await app.Customer(new { name = "Riyadh", groupId = group, creditLimit = 5000 });
        (await app.Clerk.Post($"/api/customers/{kuwait}/payments", new { paymentId = "P1", amount = 10 })).Status.ShouldBe(201); // -122.50 SAR
        (await app.Clerk.Post($"/api/customers/{riyadh}/invoices", new { invoiceId = "I1", amount = 1100 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{riyadh}/orders", new { orderId = "O1", amount = 100 })).String("status").ShouldBe("held");

        await app.Controller.Put("/api/policy", new { exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 20m } }); // -200 SAR: 900 used
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{riyadh}/orders/O1"), r => r.String("status") == "released");
    }

    [Fact]
    public async Task A_rate_change_re_checks_only_the_holds_it_can_free()
    {
        // A SAR order held for the review threshold, relaxed since: left to a controller. A KWD customer's order held for
        // its converted limit: a lower KWD rate frees it. The rate change reviews the second, not the first.
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 8000, defaultCreditLimit = 7000,
            exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });
        var riyadh = await app.Customer(new { name = "Riyadh", creditLimit = 100000 });
        var kuwait = await app.Customer(new { name = "Kuwait", currency = "KWD" }); // inherits 571.428 KWD
        (await app.Clerk.Post($"/api/customers/{riyadh}/orders", new { orderId = "O1", amount = 10000 })).Codes("reasons").ShouldBe(["ORDER_VALUE_REVIEW"]);
        // 7,350 SAR: under the threshold.
        (await app.Clerk.Post($"/api/customers/{kuwait}/orders", new { orderId = "O1", amount = 600 })).Codes("reasons").ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);
        await app.Controller.Put("/api/policy", new { defaultCreditLimit = 7000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });

        await app.Controller.Put("/api/policy", new { defaultCreditLimit = 7000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 11m } }); // 636.363 KWD
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{kuwait}/orders/O1"), r => r.String("status") == "released");
        (await app.Clerk.Get($"/api/customers/{riyadh}/orders/O1")).String("status").ShouldBe("held");
    }

    [Fact]
    public async Task A_rate_change_leaves_alone_customers_it_cannot_reach()
    {
        // Held for the review threshold, relaxed since: a SAR member of a group without a pool beside a KWD member, a KWD
        // customer with a limit of its own (which needs no rate), a SAR member of a pool whose KWD member owes nothing.
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 1000, defaultCreditLimit = 7000,
            exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });
        var (plain, pool) = (AppFixture.NewId("fxplain"), AppFixture.NewId("fxpool0"));
        await app.Controller.Put($"/api/groups/{plain}", new { name = "No pool" });
        await app.Controller.Put($"/api/groups/{pool}", new { name = "Pool", sharedCreditLimit = 100000 });
        var member = await app.Customer(new { name = "SAR member", groupId = plain, creditLimit = 100000 });
        await app.Customer(new { name = "KWD member", groupId = plain, currency = "KWD", creditLimit = 1000 });
        var own = await app.Customer(new { name = "KWD own limit", currency = "KWD", creditLimit = 10000 });
        var pooled = await app.Customer(new { name = "SAR in pool", groupId = pool, creditLimit = 100000 });
        await app.Customer(new { name = "KWD in pool, owing nothing", groupId = pool, currency = "KWD", creditLimit = 1000 });
        var reached = await app.Customer(new { name = "KWD inheriting", currency = "KWD" });
        foreach (var id in new[] { member, pooled })
            (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 5000 })).String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{own}/orders", new { orderId = "O1", amount = 1500 })).String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{reached}/orders", new { orderId = "O1", amount = 600 })).String("status").ShouldBe("held");
        await app.Controller.Put("/api/policy", new { defaultCreditLimit = 7000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });

        await app.Controller.Put("/api/policy", new { defaultCreditLimit = 7000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 11m } });
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{reached}/orders/O1"), r => r.String("status") == "released");
        foreach (var id in new[] { member, own, pooled })
            (await app.Clerk.Get($"/api/customers/{id}/orders/O1")).String("status").ShouldBe("held", id);
    }

    [Fact]
    public async Task A_lower_rate_frees_a_pool_members_own_held_order_which_joins_the_pool_at_it()
    {
        // Its own limit needs no rate and it owes nothing, but its held order weighs 11,025 SAR in the pool at 12.25.
        await app.Controller.Put("/api/policy", new { exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });
        var group = AppFixture.NewId("fxheld");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 10000 });
        var kuwait = await app.Customer(new { name = "Kuwait", groupId = group, currency = "KWD", creditLimit = 1000 });
        (await app.Clerk.Post($"/api/customers/{kuwait}/orders", new { orderId = "O1", amount = 900 })).Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"]);

        await app.Controller.Put("/api/policy", new { exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 10m } }); // 9,000 SAR
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{kuwait}/orders/O1"), r => r.String("status") == "released");
    }

    [Fact]
    public async Task The_review_threshold_is_in_the_company_currency_and_only_a_lower_rate_re_checks_what_it_holds()
    {
        // 500 SAR: 45 KWD is 551.25 SAR at 12.25, so it is reviewed though 45 < 500. The customer has no limit at any level.
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 500, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });
        var kuwait = await app.Customer(new { name = "Kuwait, no limit", currency = "KWD" });
        (await app.Clerk.Post($"/api/customers/{kuwait}/orders", new { orderId = "BIG", amount = 60 })).Codes("reasons").ShouldBe(["ORDER_VALUE_REVIEW"]);
        (await app.Clerk.Post($"/api/customers/{kuwait}/orders", new { orderId = "SMALL", amount = 45 })).Codes("reasons").ShouldBe(["ORDER_VALUE_REVIEW"]);
        (await app.Clerk.Post($"/api/customers/{kuwait}/orders", new { orderId = "TINY", amount = 40 })).String("status").ShouldBe("approved");

        // The threshold relaxed (left to a controller), then a higher rate: it can free nothing, and no limit is there to reach.
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 1000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m } });
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 1000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.3m } });
        await Task.Delay(1000);
        foreach (var order in new[] { "BIG", "SMALL" })
            (await app.Clerk.Get($"/api/customers/{kuwait}/orders/{order}")).String("status").ShouldBe("held", order);

        // A lower rate brings the smaller one under the threshold.
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 500, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 10m } });
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{kuwait}/orders/SMALL"), r => r.String("status") == "released");
        (await app.Clerk.Get($"/api/customers/{kuwait}/orders/BIG")).String("status").ShouldBe("held");
    }

    [Fact]
    public async Task An_order_the_threshold_could_not_judge_for_want_of_a_rate_is_released_by_the_rate()
    {
        // An own limit needs no rate, but the review threshold (in SAR) does: held for the missing rate, freed by it.
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 500 });
        var dollars = await app.Customer(new { name = "Dollar buyer", currency = "USD", creditLimit = 10000 });
        (await app.Clerk.Post($"/api/customers/{dollars}/orders", new { orderId = "O1", amount = 10 })).Codes("reasons").ShouldBe(["EXCHANGE_RATE_MISSING"]);

        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 500, exchangeRates = new Dictionary<string, decimal> { ["USD"] = 3.75m } });
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{dollars}/orders/O1"), r => r.String("status") == "released");
        (await app.Clerk.Post($"/api/customers/{dollars}/orders", new { orderId = "O2", amount = 200 })).Codes("reasons").ShouldBe(["ORDER_VALUE_REVIEW"]);

        // Where the review only warns, the unconvertible order goes through, warned that the threshold could not judge it.
        await app.Controller.Put("/api/policy", new
        {
            orderReviewThreshold = 500, rules = new Dictionary<string, string> { ["ORDER_VALUE_REVIEW"] = "warn" },
        });
        var warned = await app.Clerk.Post($"/api/customers/{dollars}/orders", new { orderId = "O3", amount = 10 });
        warned.String("status").ShouldBe("approved", warned.ToString());
        warned.Codes("warnings").ShouldBe(["EXCHANGE_RATE_MISSING"]);
    }

    [Theory]
    [InlineData("""{"exchangeRates":{"XYZ":1}}""", "INVALID_CURRENCY")]
    [InlineData("""{"exchangeRates":{"SAR":1}}""", "RATE_FOR_COMPANY_CURRENCY")]
    [InlineData("""{"currency":"KWD","exchangeRates":{"KWD":1}}""", "RATE_FOR_COMPANY_CURRENCY")]
    [InlineData("""{"exchangeRates":{"KWD":0}}""", "INVALID_RATE")]
    [InlineData("""{"exchangeRates":{"KWD":-12.25}}""", "INVALID_RATE")]
    [InlineData("""{"exchangeRates":{"KWD":12.25000000001}}""", "INVALID_RATE")]
    [InlineData("""{"exchangeRates":{"KWD":1000001}}""", "INVALID_RATE")]
    public async Task Bad_rates_are_refused_with_the_field_named(string body, string code)
    {
        var bad = await app.Controller.SendRaw(HttpMethod.Put, "/api/policy", body, "application/json");
        bad.Status.ShouldBe(400, bad.ToString());
        bad.Body.GetProperty("errorCodes").GetProperty("exchangeRates")[0].GetString().ShouldBe(code);
    }

    /// <summary>
    /// A bounce's look at the pool converted the grants it had listed once, at the rates of its start, while each decision
    /// found the pool at the rates of the moment: a rate cut in between took twice their worth off the pool, found room
    /// that was not there, and kept a grant that needed the bounced money (sweep AJ). Amounts are converted on each
    /// decision's policy now.
    /// </summary>
    [Fact]
    public async Task A_rate_changed_while_a_bounce_looks_at_the_pool_is_the_rate_its_decisions_count_in()
    {
        (await app.Controller.Put("/api/policy", new { exchangeRates = new Dictionary<string, decimal> { ["USD"] = 4m } })).Status.ShouldBe(200);
        var group = AppFixture.NewId("poolrate");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 10000 });
        var payer = await app.Customer(new { name = "Payer", groupId = group });
        var first = await app.Customer(new { name = "First", groupId = group, currency = "USD", creditLimit = 100000 });
        var second = await app.Customer(new { name = "Second", groupId = group, currency = "USD", creditLimit = 100000 });
        (await app.Clerk.Post($"/api/customers/{payer}/invoices", new { invoiceId = "I1", amount = 10000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{payer}/payments", new { paymentId = "PAY", amount = 1000 })).Status.ShouldBe(201);
        (await app.Clerk.Post($"/api/customers/{first}/orders", new { orderId = "A", amount = 100 })).String("status").ShouldBe("approved"); // 400 SAR
        (await app.Clerk.Post($"/api/customers/{second}/orders", new { orderId = "B", amount = 150 })).String("status").ShouldBe("approved"); // 600 SAR

        var changed = false;
        Credit.Api.Holds.HoldAgainAcrossPoolHandler.GrantsListed = async listedIn =>
        {
            if (listedIn != group || changed) return;
            changed = true;
            (await app.Controller.Put("/api/policy", new { exchangeRates = new Dictionary<string, decimal> { ["USD"] = 2m } })).Status.ShouldBe(200);
        };
        try
        {
            (await app.Clerk.Post($"/api/customers/{payer}/payments/PAY/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
            // At 2 SAR a dollar the pool holds 10,000 + 200 + 300 without the payment: neither grant fits without it.
            await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{second}/orders/B"), r => r.String("status") == "held");
            await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{first}/orders/A"), r => r.String("status") == "held");
        }
        finally
        {
            Credit.Api.Holds.HoldAgainAcrossPoolHandler.GrantsListed = null;
        }
        changed.ShouldBeTrue();
        var pool = await app.Clerk.Get($"/api/groups/{group}");
        pool.Decimal("exposure").ShouldBe(10000m, pool.ToString());
    }
}
