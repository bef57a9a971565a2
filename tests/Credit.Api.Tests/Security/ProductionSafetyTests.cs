using System.Collections.Concurrent;
using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Security;

/// <summary>
/// What a production deployment needs that can be seen through the host: browser-hardening headers on every
/// response, a per-user rate limit answering 429 problem+json, and error bodies that never leak internals.
/// </summary>
public class ProductionSafetyTests(AppFixture app)
{
    public static TheoryData<string> Responses() =>
        new("GET /health (200)", "GET customer (200)", "GET customer without a token (401)", "PUT customer as reporter (403)",
            "POST order with malformed JSON (400)", "GET an unknown route (404)", "GET /openapi/v1.json");

    private async Task<ApiResponse> Send(string what)
    {
        var id = await CustomerFor(app);
        return what switch
        {
            "GET /health (200)" => await app.Anonymous.Get("/health"),
            "GET customer (200)" => await app.Controller.Get($"/api/customers/{id}"),
            "GET customer without a token (401)" => await app.Anonymous.Get($"/api/customers/{id}"),
            "PUT customer as reporter (403)" => await app.As("safety-reporter", Roles.Reporter).Put($"/api/customers/{AppFixture.NewId("safe")}", new { name = "x" }),
            "POST order with malformed JSON (400)" => await app.Controller.SendRaw(HttpMethod.Post, $"/api/customers/{id}/orders", "{\"orderId\":", "application/json"),
            "GET an unknown route (404)" => await app.Controller.Get("/api/no-such-thing"),
            _ => await app.Anonymous.Get("/openapi/v1.json"),
        };
    }

    private static readonly ConcurrentDictionary<AppFixture, Task<string>> Customers = new();
    private static Task<string> CustomerFor(AppFixture app) => Customers.GetOrAdd(app, a => a.Customer(new { name = "Safety" }, "safe"));

    private static string Header(ApiResponse r, string name) => r.Headers.TryGetValue(name, out var v) ? v : "";

    [Theory]
    [MemberData(nameof(Responses))]
    public async Task Every_api_response_carries_the_security_headers(string what)
    {
        var r = await Send(what);
        var missing = new List<string>();
        if (Header(r, "X-Content-Type-Options") != "nosniff") missing.Add("X-Content-Type-Options: nosniff");
        if (!Header(r, "X-Frame-Options").Equals("DENY", StringComparison.OrdinalIgnoreCase)) missing.Add("X-Frame-Options: DENY");
        if (string.IsNullOrWhiteSpace(Header(r, "Referrer-Policy"))) missing.Add("Referrer-Policy");
        if (!Header(r, "Content-Security-Policy").Contains("default-src", StringComparison.OrdinalIgnoreCase)) missing.Add("Content-Security-Policy with default-src");
        missing.ShouldBeEmpty($"{what}: {r.Status}; headers sent: {string.Join("; ", r.Headers.Select(h => $"{h.Key}={h.Value}"))}");
    }

    /// <summary>The browsable reference still loads (its scripts may need a looser policy than the API's), and is not sniffable.</summary>
    [Fact]
    public async Task The_docs_page_is_served_with_nosniff()
    {
        var r = await app.Anonymous.Get("/docs");
        if (r.Status is 301 or 302 or 307 or 308) r = await app.Anonymous.Get(r.Headers["Location"]);
        r.Status.ShouldBe(200, ProblemAssertions.Shorten(r));
        r.ContentType.ShouldBe("text/html", ProblemAssertions.Shorten(r));
        Header(r, "X-Content-Type-Options").ShouldBe("nosniff");
    }

    // The per-user rate limit has its own host with a low limit: Hosting/LimitsTests (the shared host lifts it,
    // since parallel tests share a few users).

    public static TheoryData<string> LeakProbes() =>
        new("malformed JSON", "number overflow", "null body", "wrong root type", "string where a number goes", "impossible date", "unknown customer");

    /// <summary>Errors say what was wrong with the request, never how the server is built (no exception types, stack frames or paths).</summary>
    [Theory]
    [MemberData(nameof(LeakProbes))]
    public async Task Error_bodies_do_not_leak_internals(string probe)
    {
        var id = await CustomerFor(app);
        var url = probe == "unknown customer" ? $"/api/customers/{AppFixture.NewId("ghost")}/orders" : $"/api/customers/{id}/orders";
        var body = probe switch
        {
            "malformed JSON" => """{"orderId":"X","amount":1""",
            "number overflow" => """{"orderId":"X","amount":1e400}""",
            "null body" => "null",
            "wrong root type" => "[1,2,3]",
            "string where a number goes" => """{"orderId":"X","amount":"lots"}""",
            "impossible date" => """{"orderId":"X","amount":1,"orderedOn":"2026-02-30"}""",
            _ => """{"orderId":"X","amount":1}""",
        };
        var r = await app.Controller.SendRaw(HttpMethod.Post, url, body, "application/json");
        // The status itself (4xx, never 5xx) is the corpus's concern; here only what the body gives away.
        r.ContentType.ShouldBe("application/problem+json", ProblemAssertions.Shorten(r));
        foreach (var leak in new[] { "Exception", "   at ", "System.", "Npgsql", "Marten", "Wolverine", "Credit.", ".cs:line", "/work/", "StackTrace" })
            r.Text.ShouldNotContain(leak, Case.Sensitive, $"{probe}: {ProblemAssertions.Shorten(r)}");
    }

    /// <summary>A correlation id is echoed only when it is a plain token; anything else (log or header injection) is replaced.</summary>
    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("id with spaces")]
    [InlineData("a\"quote")]
    public async Task Hostile_correlation_ids_are_replaced(string hostile)
    {
        var r = await app.Controller.SendRaw(HttpMethod.Get, "/api/policy", null, "application/json",
            new Dictionary<string, string> { ["X-Correlation-Id"] = hostile });
        r.Status.ShouldBe(200);
        var echoed = Header(r, "X-Correlation-Id");
        echoed.ShouldNotBe(hostile);
        echoed.ShouldMatch("^[A-Za-z0-9._:-]{1,128}$");
    }
}
