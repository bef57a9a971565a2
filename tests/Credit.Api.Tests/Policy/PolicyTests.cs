using Microsoft.Extensions.DependencyInjection;
using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Policy;

/// <summary>The company policy is global: these tests run alone, and put the default back.</summary>
[CollectionDefinition(nameof(CompanyPolicy), DisableParallelization = true)]
public sealed class CompanyPolicy;

[Collection(nameof(CompanyPolicy))]
public sealed class PolicyTests(AppFixture app) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await app.ResetPolicy();

    [Fact]
    public async Task A_new_customer_without_a_currency_takes_the_company_s()
    {
        (await app.Controller.Put("/api/policy", new { currency = "KWD" })).Status.ShouldBe(200);
        var created = await app.Controller.Put($"/api/customers/{AppFixture.NewId("polcur")}", new { name = "K", creditLimit = 100.125 });
        created.Status.ShouldBe(201, created.ToString());
        created.String("currency").ShouldBe("KWD");
        var given = await app.Controller.Put($"/api/customers/{AppFixture.NewId("polcur")}", new { name = "S", currency = "SAR" });
        given.String("currency").ShouldBe("SAR");
    }

    [Fact]
    public async Task Only_controllers_change_the_policy_and_the_defaults_match_the_contract()
    {
        (await app.Clerk.Put("/api/policy", new { graceDays = 5 })).Status.ShouldBe(403);
        var policy = await app.Controller.Get("/api/policy");
        policy.Status.ShouldBe(200);
        policy.Body.GetProperty("defaultCreditLimit").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        policy.Body.GetProperty("agingBuckets").EnumerateArray().Select(x => x.GetInt32()).ShouldBe([30, 60, 90]);
        policy.Body.GetProperty("rules").GetProperty("OVERDUE_INVOICES").GetString().ShouldBe("block");
        var bad = await app.Controller.Put("/api/policy", new { rules = new Dictionary<string, string> { ["NO_CREDIT"] = "off" } });
        bad.Status.ShouldBe(400);
        bad.Body.GetProperty("errorCodes").GetProperty("rules[NO_CREDIT]")[0].GetString().ShouldBe("INVALID_VALUE", bad.ToString());
    }

    [Fact]
    public async Task The_company_default_limit_applies_last_and_warn_mode_passes_with_warnings()
    {
        (await app.Controller.Put("/api/policy", new { defaultCreditLimit = 200, rules = new Dictionary<string, string> { ["CREDIT_LIMIT_EXCEEDED"] = "warn" } })).Status.ShouldBe(200);
        var id = await app.Customer(new { name = "Company default" });
        var warned = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 250 });
        warned.Status.ShouldBe(201, warned.ToString());
        warned.Codes("warnings").ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);
        (await app.Clerk.Get($"/api/customers/{id}/balance")).String("limitSource").ShouldBe("company");
    }

    [Fact]
    public async Task Order_review_threshold_and_grace_days()
    {
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 1000, graceDays = 10 });
        var id = await app.Customer(new { name = "Review", paymentTerms = new { days = 30 } });
        await app.Controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "OLD", amount = 10, issuedOn = "2026-10-01", dueOn = "2026-11-15" });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "A", amount = 1000 })).String("status").ShouldBe("approved");
        var big = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "B", amount = 1000.01 });
        big.Codes("reasons").ShouldBe(["ORDER_VALUE_REVIEW"]);
        var longer = await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "C", amount = 5, paymentTerms = new { days = 60 } });
        longer.Codes("reasons").ShouldBe(["PAYMENT_TERMS_EXTENDED"]);

        // 8 days past due, within 10 grace days: not overdue yet.
        (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "NEW", amount = 5 })).Status.ShouldBe(201);
    }

    [Fact]
    public async Task Looser_rules_leave_held_orders_to_a_controller_but_a_new_company_limit_re_checks_them()
    {
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 100, defaultCreditLimit = 100 });
        var review = await app.Customer(new { name = "Review", creditLimit = 10_000 });
        var inherits = await app.Customer(new { name = "Inherits" });
        var warned = await app.Customer(new { name = "Warned", creditLimit = 100 });
        (await app.Clerk.Post($"/api/customers/{review}/orders", new { orderId = "BIG", amount = 500 })).String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{inherits}/orders", new { orderId = "O1", amount = 150 })).String("status").ShouldBe("held");
        (await app.Clerk.Post($"/api/customers/{warned}/orders", new { orderId = "W1", amount = 500 })).String("status").ShouldBe("held");

        // Rules relaxed (a higher threshold, the limit rule to warn): what is held stays held; the policy applies to
        // documents decided from now on (a toggle must not empty the controllers' queue for good).
        var relaxed = new Dictionary<string, string> { ["CREDIT_LIMIT_EXCEEDED"] = "warn" };
        (await app.Controller.Put("/api/policy", new { orderReviewThreshold = 1000, defaultCreditLimit = 100, rules = relaxed })).Status.ShouldBe(200);
        await Task.Delay(1500);
        foreach (var (customer, order) in new[] { (review, "BIG"), (inherits, "O1"), (warned, "W1") })
            (await app.Clerk.Get($"/api/customers/{customer}/orders/{order}")).String("status").ShouldBe("held");

        // An improved position re-checks under the policy of the day: released, the warning it still fails recorded.
        (await app.Clerk.Post($"/api/customers/{warned}/payments", new { paymentId = "P1", amount = 10 })).Status.ShouldBe(201);
        var released = await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{warned}/orders/W1"), r => r.String("status") == "released");
        var step = released.Body.GetProperty("history").EnumerateArray().Last();
        step.GetProperty("by").GetString().ShouldBe("system");
        step.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()).ShouldBe(["CREDIT_LIMIT_EXCEEDED"]);
        (await app.Clerk.Get($"/api/customers/{review}/orders/BIG")).String("status").ShouldBe("held");

        // A new company limit is a new limit for those inheriting it: held orders are re-checked and released.
        (await app.Controller.Put("/api/policy", new { orderReviewThreshold = 1000, defaultCreditLimit = 200, rules = relaxed })).Status.ShouldBe(200);
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{inherits}/orders/O1"), r => r.String("status") == "released");
    }

    [Fact]
    public async Task An_auditor_reads_and_verifies_who_changed_the_policy_and_a_group()
    {
        var auditor = app.As("audit-1", "auditor");
        (await app.As("maha", "controller").Put("/api/policy", new { graceDays = 7 })).Status.ShouldBe(200);
        (await app.As("omar", "controller").Put("/api/policy", new { graceDays = 3 })).Status.ShouldBe(200);

        var history = await auditor.Get("/api/policy/history");
        history.Status.ShouldBe(200, history.ToString());
        var last = history.Body.EnumerateArray().TakeLast(2).ToList();
        last.Select(e => e.GetProperty("user").GetString()).ShouldBe(["maha", "omar"]);
        last.Select(e => e.GetProperty("data").GetProperty("policy").GetProperty("graceDays").GetInt32()).ShouldBe([7, 3]);
        last.ShouldAllBe(e => e.GetProperty("type").GetString() == "PolicySet" && e.GetProperty("hash").GetString()!.Length == 64);
        var verified = await auditor.Get("/api/policy/history/verify");
        (verified.Body.GetProperty("valid").GetBoolean(), verified.Body.GetProperty("events").GetInt32()).ShouldBe((true, history.Body.GetArrayLength()));
        // Saved again as it stands: a change of nothing is not a change in the history.
        (await app.As("omar", "controller").Put("/api/policy", new { graceDays = 3 })).Status.ShouldBe(200);
        (await auditor.Get("/api/policy/history")).Body.GetArrayLength().ShouldBe(history.Body.GetArrayLength());

        var group = AppFixture.NewId("audited");
        await app.As("maha", "controller").Put($"/api/groups/{group}", new { name = "Branches", sharedCreditLimit = 1000 });
        await app.As("omar", "controller").Put($"/api/groups/{group}", new { name = "Branches", sharedCreditLimit = 5000 });
        (await app.As("maha", "controller").Put($"/api/groups/{group}", new { name = "Branches", sharedCreditLimit = 5000.00 })).Status.ShouldBe(200);
        var changes = await auditor.Get($"/api/groups/{group}/history");
        changes.Body.EnumerateArray().Select(e => (e.GetProperty("user").GetString(), e.GetProperty("data").GetProperty("sharedCreditLimit").GetDecimal()))
            .ShouldBe([("maha", 1000m), ("omar", 5000m)]);
        (await auditor.Get($"/api/groups/{group}/history/verify")).Body.GetProperty("valid").GetBoolean().ShouldBeTrue();
        (await auditor.Get($"/api/groups/{AppFixture.NewId("none")}/history")).Code.ShouldBe("GROUP_NOT_FOUND");
        (await app.As("bi", "reporter").Get("/api/policy/history")).Status.ShouldBe(403);
        (await app.Clerk.Get($"/api/groups/{group}/history")).Status.ShouldBe(403);
    }

    [Fact]
    public async Task A_policy_record_edited_in_the_database_is_not_what_the_api_reads()
    {
        (await app.Controller.Put("/api/policy", new { defaultCreditLimit = 1000 })).Status.ShouldBe(200);
        await using (var conn = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var forge = new Npgsql.NpgsqlCommand(
                "update credit.mt_doc_policydocument set data = jsonb_set(data, '{policy,defaultCreditLimit}', '99999999', false) " +
                "where data #> '{policy,defaultCreditLimit}' is not null", conn);
            (await forge.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        // A fresh store, as after a restart: the policy comes from its latest recorded change.
        var store = app.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        var fresh = new Credit.Api.Policy.PolicyStore(store, TimeProvider.System, app.Host.Services.GetRequiredService<Credit.Api.Hosting.BusinessCalendar>(),
            new Credit.Api.Accounts.SettingsChanges());
        (await fresh.Current(CancellationToken.None)).DefaultCreditLimit.ShouldBe(1000m);
    }

    [Fact]
    public async Task A_rate_of_the_wrong_type_names_its_currency_whatever_the_key_holds()
    {
        // The serializer quotes such a key in its path (exchangeRates['K.W[D]']); the field named must be the one sent.
        var r = await app.Controller.SendRaw(HttpMethod.Put, "/api/policy", """{"exchangeRates":{"K.W[D]":"x"}}""", "application/json");
        Security.ProblemAssertions.ShouldBeProblem(r, 400, "VALIDATION_FAILED");
        r.Body.GetProperty("errorCodes").EnumerateObject().Single().Name.ShouldBe("exchangeRates[K.W[D]]");
    }

    [Theory]
    [InlineData("""{"rules":{"OVERDUE_INVOICES":1}}""", "rules[OVERDUE_INVOICES]")]
    [InlineData("""{"exchangeRates":{"KWD":"x"}}""", "exchangeRates[KWD]")]
    [InlineData("""{"exchangeRates":{"K'W":"x"}}""", "exchangeRates[K'W]")]
    public async Task A_map_entry_of_the_wrong_type_is_named_as_validation_names_it(string body, string field)
    {
        // One name for one field, whether the value had the wrong type (the serializer) or a wrong value (validation).
        var r = await app.Controller.SendRaw(HttpMethod.Put, "/api/policy", body, "application/json");
        Security.ProblemAssertions.ShouldBeProblem(r, 400, "VALIDATION_FAILED");
        r.Body.GetProperty("errorCodes").EnumerateObject().Single().Name.ShouldBe(field);
        var wrongValue = await app.Controller.Put("/api/policy", new { rules = new Dictionary<string, string> { ["OVERDUE_INVOICES"] = "sometimes" } });
        wrongValue.Body.GetProperty("errorCodes").EnumerateObject().Single().Name.ShouldBe("rules[OVERDUE_INVOICES]");
    }
    /// <summary>A policy save that leaves customers without credit for want of a rate says so, as a customer's save does.</summary>
    [Fact]
    public async Task Removing_a_rate_warns_of_the_customers_and_pools_it_leaves_without_credit()
    {
        await using var host = await AppFixture.StartHost(await app.NewDatabase("ratewarn"), app.Clock);
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        var rated = new { defaultCreditLimit = 1000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 12.25m, ["USD"] = 3.75m } };
        (await controller.Put("/api/policy", rated)).Codes("warnings").ShouldBeEmpty();
        (await controller.Put("/api/groups/pool", new { name = "Gulf pool", sharedCreditLimit = 5000 })).Status.ShouldBe(201);
        (await controller.Put("/api/customers/kw", new { name = "Kuwait", currency = "KWD" })).Status.ShouldBe(201);
        (await controller.Put("/api/customers/us", new { name = "Dollars", currency = "USD", groupId = "pool", creditLimit = 100 })).Status.ShouldBe(201);
        (await controller.Put("/api/customers/sup", new { name = "Supplier", currency = "KWD", kind = "supplier" })).Status.ShouldBe(201);
        await Scenario.Eventually(() => controller.Get("/api/customers"), r => r.Body.GetArrayLength() == 3);

        var removed = await controller.InLanguage("en").Put("/api/policy", new { defaultCreditLimit = 1000 });
        removed.Status.ShouldBe(200, removed.ToString());
        removed.Codes("warnings").ShouldBe(["EXCHANGE_RATE_MISSING", "EXCHANGE_RATE_MISSING"]);
        var messages = removed.Body.GetProperty("warnings").EnumerateArray().Select(w => w.GetProperty("message").GetString()).ToList();
        // The supplier is sold nothing; the dollar customer's own limit needs no rate, its pool does.
        messages[0].ShouldBe("The policy has no exchange rate for KWD: 1 customer(s) in it inherit a limit that cannot be converted, so they get no credit until a rate is set (or a limit of their own).");
        messages[1].ShouldBe("The policy has no exchange rate for USD: the shared pool of group “Gulf pool” cannot be summed, so none of its members gets credit until a rate is set.");
        (await controller.Get("/api/policy")).Body.TryGetProperty("warnings", out _).ShouldBeFalse();
        (await controller.Put("/api/policy", rated)).Codes("warnings").ShouldBeEmpty();
    }
}
