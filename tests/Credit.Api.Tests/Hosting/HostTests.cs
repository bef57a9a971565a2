using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Hosting;

public class HostTests(AppFixture app)
{
    [Fact]
    public async Task Health_answers_without_a_token_when_the_database_and_daemon_run()
    {
        var health = await app.Anonymous.Get("/health");
        health.Status.ShouldBe(200, health.ToString());
        health.Body.GetProperty("database").GetBoolean().ShouldBeTrue();
        health.Body.GetProperty("projections").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task OpenApi_document_lists_the_endpoints()
    {
        var doc = await app.Anonymous.Get("/openapi/v1.json");
        doc.Status.ShouldBe(200);
        doc.Body.GetProperty("paths").TryGetProperty("/api/customers/{customerId}/invoices", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Browsable_reference_is_served_at_docs()
    {
        var docs = await app.Anonymous.Get("/docs");
        if (docs.Status is 301 or 302) docs = await app.Anonymous.Get(docs.Headers["Location"]);
        docs.Status.ShouldBe(200);
        docs.Text.ShouldContain("<html", Case.Insensitive);
    }

    [Fact]
    public async Task Correlation_id_is_echoed_and_generated_when_missing()
    {
        var given = await new ApiClient(app.Host, app.Token("u", "clerk"))
            .SendRaw(HttpMethod.Get, "/health", null, "application/json", new Dictionary<string, string> { ["X-Correlation-Id"] = "abc-123" });
        given.Headers["X-Correlation-Id"].ShouldBe("abc-123");
        var made = await app.Anonymous.Get("/health");
        made.Headers["X-Correlation-Id"].Length.ShouldBe(32);
    }

    [Fact]
    public async Task Unknown_routes_are_problem_json_404()
    {
        var missing = await app.Clerk.Get("/api/nothing-here");
        missing.Status.ShouldBe(404);
        missing.ContentType.ShouldBe("application/problem+json");
        missing.Code.ShouldBe("NOT_FOUND");
    }
}
