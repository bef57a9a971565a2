using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;

namespace Credit.Api.Tests.Hosting;

/// <summary>Per-user rate limits, the body size limit, unparseable query values and security headers.</summary>
public class LimitsTests(AppFixture app)
{
    [Fact]
    public async Task A_user_over_its_rate_gets_429_with_retry_after_and_other_users_are_unaffected()
    {
        var database = await app.NewDatabase("limits");
        await using var host = await AppFixture.StartHost(database, app.Clock, ("Credit:RateLimit:PerSecond", "2"), ("Credit:RateLimit:Burst", "10"));
        var busy = new ApiClient(host, app.Token("busy-pos", "controller"));
        var statuses = new List<int>();
        for (var i = 0; i < 15; i++) statuses.Add((await busy.Get("/api/policy")).Status);
        statuses.Take(10).ShouldAllBe(s => s == 200);
        statuses.Skip(12).ShouldAllBe(s => s == 429);

        var limited = await busy.InLanguage("ar").Get("/api/policy");
        limited.Status.ShouldBe(429);
        limited.ContentType.ShouldBe("application/problem+json");
        limited.Code.ShouldBe("RATE_LIMITED");
        int.Parse(limited.Headers["Retry-After"]).ShouldBeGreaterThanOrEqualTo(1);
        limited.String("message")!.ShouldMatch(@"\p{IsArabic}");
        limited.String("title").ShouldBe("طلبات كثيرة جدًا"); // nothing English in an Arabic answer

        (await new ApiClient(host, app.Token("quiet-clerk", "controller")).Get("/api/policy")).Status.ShouldBe(200);
        (await new ApiClient(host, null).Get("/health")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task Bodies_over_one_megabyte_are_413_and_write_nothing()
    {
        var id = await app.Customer(new { name = "Big body" });
        var body = $$"""{"invoiceId":"I1","amount":10,"note":"{{new string('x', 1024 * 1024)}}"}""";
        var r = await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/invoices", body, "application/json");
        r.Status.ShouldBe(413);
        r.ContentType.ShouldBe("application/problem+json");
        r.Code.ShouldBe("PAYLOAD_TOO_LARGE");
        (await app.Clerk.Get($"/api/customers/{id}/invoices/I1")).Status.ShouldBe(404);
    }

    /// <summary>No body is "a body is required", whether empty or null; a broken one is malformed JSON, in the shape of
    /// our own problems (no reader positions or parameter names beside them).</summary>
    [Fact]
    public async Task An_empty_body_is_required_and_a_broken_one_is_malformed_in_our_problem_shape()
    {
        var id = await app.Customer(new { name = "Bodies" });
        foreach (var empty in new[] { "", "null", "  " })
            (await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/invoices", empty, "application/json"))
                .ShouldBeProblem(400, "BODY_REQUIRED", $"body '{empty}'");
        var broken = await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/invoices", """{"invoiceId":"I1","amount":""", "application/json");
        broken.ShouldBeProblem(400, "MALFORMED_JSON");
        var wrongType = await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/invoices?x=1", """{"invoiceId":"I1","amount":"ten"}""", "application/json");
        foreach (var r in new[] { broken, wrongType })
            r.Body.EnumerateObject().Select(p => p.Name).ShouldNotContain(n => n == "lineNumber" || n == "bytePositionInLine" || n == "parameter", r.ToString());
    }

    [Fact]
    public async Task Unparseable_query_values_are_400_not_a_silent_default()
    {
        var id = await app.Customer(new { name = "Query" });
        var r = await app.As("auditor-1", "auditor").Get($"/api/customers/{id}/history?limit=abc");
        r.Status.ShouldBe(400, r.ToString());
        r.ContentType.ShouldBe("application/problem+json");
        r.Code.ShouldBe("VALIDATION_FAILED");
        // Like every validation error: the field in errors, and the text in the caller's language.
        r.Body.GetProperty("errorCodes").GetProperty("limit")[0].GetString().ShouldBe("INVALID_VALUE");
        var ar = await app.As("auditor-1", "auditor").InLanguage("ar").Get($"/api/customers/{id}/state?version=abc");
        ar.Status.ShouldBe(400, ar.ToString());
        static bool Arabic(string? s) => s is not null && s.Any(c => c is >= '\u0600' and <= '\u06FF');
        Arabic(ar.Body.GetProperty("errors").GetProperty("version")[0].GetString()).ShouldBeTrue(ar.ToString());
        Arabic(ar.String("detail")).ShouldBeTrue(ar.ToString());
        Arabic(ar.String("title")).ShouldBeTrue(ar.ToString()); // the framework's problem too
        r.String("title").ShouldBe("Bad Request");
    }

    [Fact]
    public async Task Responses_carry_security_headers_and_api_answers_are_not_cached()
    {
        var id = await app.Customer(new { name = "Headers" });
        foreach (var r in new[] { await app.Clerk.Get($"/api/customers/{id}"), await app.Anonymous.Get($"/api/customers/{id}") })
        {
            r.Headers["X-Content-Type-Options"].ShouldBe("nosniff");
            r.Headers["X-Frame-Options"].ShouldBe("DENY");
            r.Headers["Referrer-Policy"].ShouldBe("no-referrer");
            r.Headers["Content-Security-Policy"].ShouldContain("default-src 'none'");
            r.Headers["Cache-Control"].ShouldBe("no-store");
        }
    }
}

/// <summary>With the logging configuration the API ships with, no bearer token and no customer's name reaches a log.</summary>
public class LogPrivacyTests(AppFixture app)
{
    [Fact]
    public async Task Tokens_and_customer_names_stay_out_of_the_logs()
    {
        var capture = new LogCapture();
        var database = await app.NewDatabase("logs");
        await using var host = await AppFixture.StartHost(database, app.Clock,
            web => web.ConfigureLogging(l => l.AddProvider(capture)));
        var token = app.Token("privacy-controller", "controller");
        var client = new ApiClient(host, token);
        const string name = "مؤسسة الخصوصية للتجارة";
        (await client.Put("/api/customers/private-1", new { name, creditLimit = 100 })).Status.ShouldBe(201);
        (await client.Post("/api/customers/private-1/invoices", new { invoiceId = "I1", amount = 500 })).Status.ShouldBe(409);
        (await client.SendRaw(HttpMethod.Post, "/api/customers/private-1/invoices", "{\"invoiceId\":", "application/json")).Status.ShouldBe(400);
        (await new ApiClient(host, token + "x").Get("/api/customers/private-1")).Status.ShouldBe(401);
        (await new ApiClient(host, "garbage." + token).Get("/api/customers/private-1")).Status.ShouldBe(401);

        capture.Lines.ShouldNotBeEmpty();
        var signature = token.Split('.')[2];
        capture.Lines.ShouldNotContain(l => l.Contains(signature) || l.Contains(name));
        // Bad input is the client's 4xx: nothing of it at Error (Wolverine logs an unparseable body there).
        capture.Lines.ShouldNotContain(l => l.Split(' ')[1] == "Error" || l.Split(' ')[1] == "Critical");
    }
}
