using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Policy;

/// <summary>The company policy is global: these tests run alone, and put the default back.</summary>
[CollectionDefinition(nameof(CompanyPolicy), DisableParallelization = true)]
public sealed class CompanyPolicy;

[Collection(nameof(CompanyPolicy))]
public sealed class PolicyTests(AppFixture app) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => (await app.Controller.Put("/api/policy", new { })).Status.ShouldBe(200);

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
    public async Task Loosening_the_policy_releases_held_orders()
    {
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 100 });
        var id = await app.Customer(new { name = "Loosen" });
        (await app.Clerk.Post($"/api/customers/{id}/orders", new { orderId = "BIG", amount = 500 })).String("status").ShouldBe("held");
        await app.Controller.Put("/api/policy", new { orderReviewThreshold = 1000 });
        await Scenario.Eventually(() => app.Clerk.Get($"/api/customers/{id}/orders/BIG"), r => r.String("status") == "released");
    }
}
