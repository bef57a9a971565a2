using Credit.Api.Hosting;
using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Policy;

namespace Credit.Api.Tests.Hosting;

/// <summary>The OpenAPI document's request examples are requests the API accepts, sent in the order a merchant would.</summary>
[Collection(nameof(CompanyPolicy))]
public sealed class ApiExampleTests(AppFixture app) : IAsyncLifetime
{
    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await app.ResetPolicy();

    [Fact]
    public async Task Every_request_example_is_accepted()
    {
        var (customer, group) = (AppFixture.NewId("ex"), AppFixture.NewId("exg"));
        string Url(string route, string? order = null) => route.Replace("{customerId}", customer).Replace("{groupId}", group)
            .Replace("{orderId}", order ?? "SO-1001").Replace("{paymentId}", "CHQ-778");
        // Orders over the limit for the controller's examples to settle.
        async Task Held(string order) =>
            (await app.Controller.Post($"/api/customers/{customer}/orders", new { orderId = order, amount = 100000 })).String("status").ShouldBe("held");
        var steps = new List<(string Method, string Route, Func<Task>? Before, string? Order)>
        {
            ("PUT", "/api/groups/{groupId}", null, null),
            ("PUT", "/api/customers/{customerId}", null, null),
            ("POST", "/api/customers/{customerId}/credit-limit", null, null),
            ("POST", "/api/customers/{customerId}/payment-terms", null, null),
            ("POST", "/api/customers/{customerId}/hold", null, null),
            ("POST", "/api/customers/{customerId}/unhold", null, null),
            ("POST", "/api/customers/{customerId}/credit-check", null, null),
            ("POST", "/api/customers/{customerId}/orders", null, null),
            ("POST", "/api/customers/{customerId}/invoices", null, null),
            ("POST", "/api/customers/{customerId}/payments", null, null),
            ("POST", "/api/customers/{customerId}/credit-notes", null, null),
            ("POST", "/api/customers/{customerId}/payments/{paymentId}/reverse", null, null),
            ("POST", "/api/customers/{customerId}/orders/{orderId}/release", () => Held("H1"), "H1"),
            ("POST", "/api/customers/{customerId}/orders/{orderId}/reject", () => Held("H2"), "H2"),
            ("POST", "/api/customers/{customerId}/orders/{orderId}/cancel", null, null),
            ("PUT", "/api/policy", null, null),
        };
        steps.Select(s => (s.Method, s.Route)).ShouldBe(ApiExamples.Requests.Keys, ignoreOrder: true);

        foreach (var (method, route, before, order) in steps)
        {
            if (before is not null) await before();
            var answer = await app.Controller.SendRaw(new HttpMethod(method), Url(route, order), ApiExamples.Requests[(method, route)], "application/json");
            answer.Status.ShouldBeInRange(200, 201, $"{method} {route}: {answer}");
        }
        (await app.Controller.Get($"/api/customers/{customer}/invoices/INV-2026-0042")).Body.GetProperty("installments").GetArrayLength().ShouldBe(2);

        // The document carries them.
        var doc = (await app.Anonymous.Get("/openapi/v1.json")).Body;
        doc.GetProperty("paths").GetProperty("/api/customers/{customerId}/invoices").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("invoiceId").GetString().ShouldBe("INV-2026-0042");
    }
}
