using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using System.Text.Json;
using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;

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
        // The front page lists every reason and error code from the messages themselves; each endpoint has its summary.
        var info = doc.Body.GetProperty("info");
        info.GetProperty("title").GetString().ShouldBe("CreditLedger API");
        foreach (var code in new[] { "CREDIT_LIMIT_EXCEEDED", "EXCHANGE_RATE_MISSING", "NOT_A_CUSTOMER", "DATABASE_UNAVAILABLE", "INSTALLMENTS_MAX" })
            info.GetProperty("description").GetString()!.ShouldContain($"`{code}`");
        foreach (var path in doc.Body.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
            {
                operation.Value.TryGetProperty("summary", out _).ShouldBeTrue($"{operation.Name} {path.Name} has no summary");
                // Every answer is described: a schema for its success response (endpoints return IResult, which says nothing).
                var success = operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('2')).ToList();
                success.ShouldNotBeEmpty($"{operation.Name} {path.Name} has no success response");
                foreach (var response in success)
                    response.Value.GetProperty("content").GetProperty("application/json").TryGetProperty("schema", out _)
                        .ShouldBeTrue($"{operation.Name} {path.Name} {response.Name} has no schema");
            }

        // A client generated from the document sends what is required and knows each field's type.
        var invoice = doc.Body.GetProperty("components").GetProperty("schemas").GetProperty("IssueInvoiceRequest");
        invoice.GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["invoiceId", "amount"], ignoreOrder: true);
        var properties = invoice.GetProperty("properties");
        properties.GetProperty("amount").GetProperty("type").GetString().ShouldBe("number");
        properties.GetProperty("invoiceId").GetProperty("type").GetString().ShouldBe("string");
        properties.GetProperty("issuedOn").GetProperty("format").GetString().ShouldBe("date");
        // Fields the validators require though their type admits null; timestamps typed; bearer tokens declared.
        var schemas = doc.Body.GetProperty("components").GetProperty("schemas");
        schemas.GetProperty("ReasonRequest").GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["reason"]);
        schemas.GetProperty("ReasonRequest").GetProperty("properties").GetProperty("reason").GetProperty("type").GetString().ShouldBe("string");
        schemas.GetProperty("SaveGroupRequest").GetProperty("required").EnumerateArray().Select(r => r.GetString()).ShouldBe(["name"]);
        var heldAt = schemas.GetProperty("HoldView").GetProperty("properties").GetProperty("heldAt");
        (heldAt.GetProperty("type").GetString(), heldAt.GetProperty("format").GetString()).ShouldBe(("string", "date-time"));
        doc.Body.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString().ShouldBe("bearer");
        doc.Body.GetProperty("paths").GetProperty("/health").GetProperty("get").GetProperty("security").GetArrayLength().ShouldBe(0);

        // Text fields with a fixed set of values list them, as the API writes them (null too where the field may be null).
        static string?[] Values(JsonElement schema) => schema.GetProperty("enum").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? null : v.GetString()).ToArray();
        Values(schemas.GetProperty("HoldView").GetProperty("properties").GetProperty("orderStatus"))
            .ShouldBe(["approved", "held", "released", "rejected", "cancelled", "invoiced"]);
        Values(schemas.GetProperty("NotificationView").GetProperty("properties").GetProperty("type")).ShouldBe(["due-soon", "overdue"]);
        Values(schemas.GetProperty("SaveCustomerRequest").GetProperty("properties").GetProperty("kind")).ShouldBe(["customer", "supplier", "both", null]);
        Values(schemas.GetProperty("PolicyView").GetProperty("properties").GetProperty("rules").GetProperty("additionalProperties"))
            .ShouldBe(["block", "warn", "off"]);
    }

    [Fact]
    public async Task Every_list_in_the_OpenApi_document_says_what_it_holds()
    {
        var doc = (await app.Anonymous.Get("/openapi/v1.json")).Body;
        var bare = new List<string>();
        void Walk(System.Text.Json.JsonElement e, string path)
        {
            if (e.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                if (e.TryGetProperty("type", out var type) && type.ToString().Contains("array") && !e.TryGetProperty("items", out _)) bare.Add(path);
                foreach (var p in e.EnumerateObject()) Walk(p.Value, $"{path}/{p.Name}");
            }
            else if (e.ValueKind == System.Text.Json.JsonValueKind.Array)
                foreach (var (item, i) in e.EnumerateArray().Select((x, i) => (x, i))) Walk(item, $"{path}[{i}]");
        }
        Walk(doc, "");
        bare.ShouldBeEmpty(); // lists of text (assignedTo, ordersHeldAgain) said only "array"
        doc.GetProperty("components").GetProperty("schemas").GetProperty("ReversalResult").GetProperty("properties")
            .GetProperty("ordersHeldAgain").GetProperty("items").GetProperty("type").GetString().ShouldBe("string");
    }

    [Fact]
    public async Task OpenApi_document_describes_the_error_answers_as_they_are_written()
    {
        var doc = (await app.Anonymous.Get("/openapi/v1.json")).Body;
        var issue = doc.GetProperty("paths").GetProperty("/api/customers/{customerId}/invoices").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "400", "401", "403", "404", "409", "413", "415", "429", "503" })
            issue.GetProperty(status).GetProperty("content").GetProperty("application/problem+json").GetProperty("schema")
                .GetProperty("$ref").GetString().ShouldBe("#/components/schemas/Problem", status);
        // Reads cannot conflict; /health needs no token, so it is never 401, 403 or rate limited.
        var balance = doc.GetProperty("paths").GetProperty("/api/customers/{customerId}/balance").GetProperty("get").GetProperty("responses");
        balance.TryGetProperty("409", out _).ShouldBeFalse();
        balance.TryGetProperty("404", out _).ShouldBeTrue();
        var health = doc.GetProperty("paths").GetProperty("/health").GetProperty("get").GetProperty("responses");
        health.EnumerateObject().Select(r => r.Name).ShouldNotContain("401");
        health.EnumerateObject().Select(r => r.Name).ShouldNotContain("429");

        // Per operation: who may call it, the 404s its ids can give, and /health's own 503 body.
        var order = doc.GetProperty("paths").GetProperty("/api/customers/{customerId}/orders/{orderId}").GetProperty("get");
        order.GetProperty("description").GetString()!.ShouldContain("**Roles:** `clerk`, `controller`, `auditor`, `reporter`, `admin`.");
        order.GetProperty("responses").GetProperty("404").GetProperty("description").GetString().ShouldBe("CUSTOMER_NOT_FOUND, ORDER_NOT_FOUND");
        doc.GetProperty("paths").GetProperty("/api/policy").GetProperty("get").GetProperty("responses").TryGetProperty("404", out _).ShouldBeFalse();
        doc.GetProperty("paths").GetProperty("/api/groups/{groupId}").GetProperty("put").GetProperty("responses").TryGetProperty("404", out _).ShouldBeFalse();
        doc.GetProperty("paths").GetProperty("/api/customers/{customerId}").GetProperty("get").GetProperty("responses").GetProperty("404")
            .GetProperty("description").GetString().ShouldBe("CUSTOMER_NOT_FOUND");
        doc.GetProperty("paths").GetProperty("/api/customers/{customerId}/hold").GetProperty("post").GetProperty("responses").GetProperty("403")
            .GetProperty("description").GetString()!.ShouldNotContain("CUSTOMER_NOT_ASSIGNED"); // clerks may not call it at all
        doc.GetProperty("paths").GetProperty("/api/customers/{customerId}/history").GetProperty("get").GetProperty("description").GetString()!
            .ShouldNotContain("&amp;");
        doc.GetProperty("paths").GetProperty("/api/projections/rebuild").GetProperty("post").GetProperty("responses").GetProperty("409")
            .GetProperty("description").GetString()!.ShouldContain("REBUILD_RUNNING");
        health.GetProperty("503").GetProperty("content").TryGetProperty("application/json", out _).ShouldBeTrue();
        health.GetProperty("503").GetProperty("content").TryGetProperty("application/problem+json", out _).ShouldBeFalse();
        // Grouped by what they are for, each with a one-line summary.
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var operation in path.Value.EnumerateObject())
            {
                operation.Value.GetProperty("tags").EnumerateArray().Single().GetString()!.ShouldNotContain("Credit.Api");
                operation.Value.GetProperty("summary").GetString()!.Length.ShouldBeLessThanOrEqualTo(140, $"{operation.Name} {path.Name}");
            }
        foreach (var (path, tag) in new[] { ("/api/customers", "Customers"), ("/api/groups", "Groups"), ("/api/customers/{customerId}/invoices", "Invoices") })
            doc.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("tags")[0].GetString().ShouldBe(tag, path);
        // Each list's status filter with its own values and default.
        foreach (var (path, values) in new[]
                 {
                     ("/api/holds", new[] { "pending", "released", "rejected", "cancelled" }),
                     ("/api/customers", new[] { "all", "over-limit", "on-hold", "overdue", "held-orders", "blocked", "ok" }),
                     ("/api/customers/{customerId}/invoices", new[] { "all", "open", "overdue", "paid" }),
                 })
        {
            var status = doc.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == "status").GetProperty("schema");
            status.GetProperty("enum").EnumerateArray().Select(v => v.GetString()).ShouldBe(values, path);
            status.GetProperty("default").GetString().ShouldBe(values[0], path);
        }

        // No reference is left dangling.
        foreach (var reference in System.Text.RegularExpressions.Regex.Matches(doc.GetRawText(), "\"#/components/schemas/([^\"]+)\"")
            .Select(m => m.Groups[1].Value).Distinct())
            doc.GetProperty("components").GetProperty("schemas").TryGetProperty(reference, out _).ShouldBeTrue(reference);

        // Paged lists name their headers; histories export as CSV.
        var holds = doc.GetProperty("paths").GetProperty("/api/holds").GetProperty("get").GetProperty("responses").GetProperty("200");
        holds.GetProperty("headers").TryGetProperty("X-Total-Count", out _).ShouldBeTrue();
        holds.GetProperty("headers").TryGetProperty("Link", out _).ShouldBeTrue();
        var history = doc.GetProperty("paths").GetProperty("/api/customers/{customerId}/history").GetProperty("get").GetProperty("responses").GetProperty("200");
        history.GetProperty("content").TryGetProperty("text/csv", out _).ShouldBeTrue();
        history.GetProperty("headers").TryGetProperty("Link", out _).ShouldBeTrue();

        // Every field of a real refusal and of a real validation problem is in the schema.
        var described = doc.GetProperty("components").GetProperty("schemas").GetProperty("Problem").GetProperty("properties")
            .EnumerateObject().Select(p => p.Name).ToHashSet();
        var id = AppFixture.NewId("docproblem");
        (await app.Controller.Put($"/api/customers/{id}", new { name = "Docs", creditLimit = 100 })).Status.ShouldBe(201);
        var refused = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-1", amount = 500 });
        refused.Status.ShouldBe(409, refused.ToString());
        var invalid = await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = "INV-2", amount = -1 });
        invalid.Status.ShouldBe(400, invalid.ToString());
        var malformed = await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/invoices", "{bad", "application/json");
        var badQuery = await app.As("auditor-1", "auditor").Get($"/api/customers/{id}/history?limit=abc");
        foreach (var field in new[] { refused, invalid, malformed, badQuery }.SelectMany(r => r.Body.EnumerateObject()).Select(p => p.Name))
            described.ShouldContain(field);
    }

    private static readonly TestClock Clock = new(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));

    /// <summary>A database the API has started on once (schemas and views in place), then the DBA's SQL run on it.</summary>
    private async Task<string> StartedOnceThen(string prefix, string dbaSql)
    {
        var database = await app.NewDatabase(prefix);
        await (await AppFixture.StartHost(database, Clock)).DisposeAsync();
        await using var conn = new Npgsql.NpgsqlConnection(database);
        await conn.OpenAsync();
        await using var dba = new Npgsql.NpgsqlCommand(dbaSql, conn);
        await dba.ExecuteNonQueryAsync();
        return database;
    }

    [Fact]
    public async Task A_view_a_dba_built_on_the_reporting_views_does_not_stop_the_next_start()
    {
        var database = await StartedOnceThen("dbaview",
            "create view public.bi_overdue as select customer_id, overdue from credit_reporting.customer_balance");

        // Started again: the views are replaced in place, the DBA's view on them kept.
        await using var again = await AppFixture.StartHost(database, Clock);
        (await new ApiClient(again, null).Get("/health")).Status.ShouldBe(200);
        await using var check = new Npgsql.NpgsqlConnection(database);
        await check.OpenAsync();
        await using var exists = new Npgsql.NpgsqlCommand("select count(*) from public.bi_overdue", check);
        ((long)(await exists.ExecuteScalarAsync())!).ShouldBe(0L);
    }

    [Fact]
    public async Task A_reporting_view_that_must_be_recreated_under_a_dbas_view_names_it_at_start()
    {
        // As if this version had changed the holds view's columns other than at the end, under a DBA's view.
        var database = await StartedOnceThen("dbablock", """
            drop view credit_reporting.holds;
            create view credit_reporting.holds as select 1 as queue_position;
            create view public.bi_queue as select * from credit_reporting.holds;
            create view credit_reporting.my_queue as select * from credit_reporting.holds;
            """);

        var refused = await Should.ThrowAsync<Exception>(() => AppFixture.StartHost(database, Clock));
        refused.ToString().ShouldContain("public.bi_queue");
        refused.ToString().ShouldContain("credit_reporting.my_queue"); // a DBA's view inside the schema too
    }

    [Fact]
    public async Task A_windows_time_zone_name_still_gives_working_reporting_views()
    {
        // .NET on Linux takes "Arab Standard Time"; PostgreSQL knows the zone only as Asia/Riyadh.
        var database = await app.NewDatabase("winzone");
        await using var host = await AppFixture.StartHost(database, Clock, ("Credit:TimeZone", "Arab Standard Time"));
        await using var conn = new Npgsql.NpgsqlConnection(database);
        await conn.OpenAsync();
        await using var read = new Npgsql.NpgsqlCommand("select count(*) from credit_reporting.customer_balance", conn);
        ((long)(await read.ExecuteScalarAsync())!).ShouldBe(0L);
    }

    [Fact]
    public async Task Browsable_reference_is_served_at_docs()
    {
        var docs = await app.Anonymous.Get("/docs"); // at the contract's address itself, no redirect
        docs.Status.ShouldBe(200);
        docs.Text.ShouldContain("<html", Case.Insensitive);
        docs.Text.ShouldContain("<base href=\"/docs/\" />"); // its relative scripts resolve as under /docs/
        (await app.Anonymous.Get("/docs/scalar.js")).Status.ShouldBe(200);
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

    [Fact]
    public async Task A_database_taken_away_under_the_api_is_a_503_to_retry_and_the_api_recovers_when_it_is_back()
    {
        var database = await app.NewDatabase("down");
        var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database!;
        var log = new LogCapture();
        await using var host = await AppFixture.StartHost(database, app.Clock, web => web.ConfigureLogging(l => l.AddProvider(log)));
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        (await controller.Put("/api/customers/C1", new { name = "Outage", creditLimit = 1000 })).Status.ShouldBe(201);

        async Task Admin(string sql)
        {
            await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        // The database taken away, as in maintenance or a restart: no new connections, the open ones cut.
        await Admin($"alter database \"{name}\" allow_connections false; " +
                    $"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{name}'");
        try
        {
            var write = await controller.Post("/api/customers/C1/invoices", new { invoiceId = "I1", amount = 100 });
            write.ShouldBeProblem(503, "DATABASE_UNAVAILABLE");
            write.Headers["Retry-After"].ShouldBe("5");
            (await new ApiClient(host, null).Get("/health")).Status.ShouldBe(503);
            // One brief warning per request, not the exception middleware's error with its stack on top of it.
            log.Lines.ShouldContain(l => l.Contains("Warning Database unavailable on POST"));
            log.Lines.ShouldNotContain(l => l.StartsWith("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware"));
        }
        finally
        {
            await Admin($"alter database \"{name}\" allow_connections true");
        }

        var retried = await Scenario.Eventually(() => controller.Post("/api/customers/C1/invoices", new { invoiceId = "I1", amount = 100 }),
            r => r.Status != 503);
        retried.Status.ShouldBe(201, retried.ToString());
        (await new ApiClient(host, null).Get("/health")).Status.ShouldBe(200);
    }
    [Fact]
    public async Task HEAD_answers_wherever_GET_does()
    {
        // Monitors and link checkers ask with HEAD: the GET's status and headers (Kestrel sends no body).
        var id = await app.Customer(new { name = "Head" });
        var head = await app.Controller.SendRaw(HttpMethod.Head, $"/api/customers/{id}", null, "application/json");
        head.Status.ShouldBe(200);
        (await app.Anonymous.SendRaw(HttpMethod.Head, "/health", null, "application/json")).Status.ShouldBe(200);
        // Not where only POST answers.
        (await app.Controller.SendRaw(HttpMethod.Head, $"/api/customers/{id}/hold", null, "application/json")).Status.ShouldBe(405);
    }

    [Fact]
    public async Task Health_answers_503_within_a_few_seconds_when_the_database_hangs()
    {
        var database = await app.NewDatabase("hangs");
        await using var proxy = new FreezableProxy(database);
        await using var host = await AppFixture.StartHost(proxy.ConnectionString, app.Clock);
        var probe = new ApiClient(host, null);
        (await probe.Get("/health")).Status.ShouldBe(200);

        // Connections are accepted and nothing comes back: a load balancer's probe must still get its 503 in time.
        proxy.Freeze();
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var health = await probe.Get("/health");
            clock.Stop();
            health.Status.ShouldBe(503, health.ToString());
            health.Body.GetProperty("database").GetBoolean().ShouldBeFalse();
            // The endpoint's own bound is 3 s; well under the connection timeout (15 s) it waited for before.
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(8));
        }
        finally
        {
            proxy.Thaw();
        }
        (await Scenario.Eventually(() => probe.Get("/health"), r => r.Status == 200)).Status.ShouldBe(200);
    }
}
