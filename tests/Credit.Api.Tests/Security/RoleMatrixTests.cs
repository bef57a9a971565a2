using System.Collections.Concurrent;
using Alba;
using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Security;

/// <summary>One request an endpoint row makes: on the shared host, or on an isolated one for global effects.</summary>
public sealed record MatrixCall(HttpMethod Method, string Url, object? Body, string? Stream = null, bool CreatesStream = false, bool Isolated = false);

/// <summary>
/// Shared state for the read rows (one customer with an order, an invoice, a payment; one group) and an isolated
/// host for the endpoints whose effects are company-wide.
/// </summary>
public sealed class RoleMatrixFixture(AppFixture app) : IAsyncLifetime
{
    public AppFixture App => app;
    public IsolatedHost Isolated { get; } = new(app);
    public string Customer { get; private set; } = "";
    public string Group { get; private set; } = "";

    /// <summary>Targets for refused rows, one per endpoint: a refused call must not need (or change) fresh state.</summary>
    public ConcurrentDictionary<string, Task<string>> DeniedTargets { get; } = new();

    public async ValueTask InitializeAsync()
    {
        var isolated = Isolated.InitializeAsync().AsTask();
        Customer = await app.Customer(new { name = "مصفوفة الصلاحيات", unlimitedCredit = true }, "rm-read");
        var controller = app.As("matrix-arranger", Roles.Controller);
        (await controller.Post($"/api/customers/{Customer}/orders", new { orderId = "O1", amount = 50 })).Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{Customer}/invoices",
            new { invoiceId = "I1", amount = 100, issuedOn = "2026-11-01", dueOn = "2026-12-31" })).Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{Customer}/payments", new { paymentId = "P1", amount = 10, receivedOn = "2026-11-20" })).Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{Customer}/credit-notes", new { creditNoteId = "CN0", amount = 5, reason = "damaged" })).Status.ShouldBe(201);
        Group = AppFixture.NewId("rm-group");
        (await controller.Put($"/api/groups/{Group}", new { name = "Matrix group" })).Status.ShouldBe(201);
        await isolated;
    }

    public async ValueTask DisposeAsync() => await Isolated.DisposeAsync();
}

/// <summary>
/// Every endpoint x every role, plus no token and three kinds of bad token. Allowed roles get a valid request and
/// must succeed (2xx); a wrong role gets 403 problem+json, a missing/invalid token 401 problem+json, and neither
/// writes an event.
/// </summary>
public class RoleMatrixTests(RoleMatrixFixture fx) : IClassFixture<RoleMatrixFixture>
{
    private const string Anyone = "*";
    private static readonly string[] Writers = [Roles.Clerk, Roles.Controller, Roles.Admin];
    private static readonly string[] Controllers = [Roles.Controller, Roles.Admin];
    private static readonly string[] Readers = Roles.All;
    private static readonly string[] Auditors = [Roles.Auditor, Roles.Admin];
    private static readonly string[] Reporting = [Roles.Controller, Roles.Auditor, Roles.Reporter, Roles.Admin];
    private static readonly string[] PolicyReaders = [Roles.Controller, Roles.Admin, Roles.Auditor];
    private static readonly string[] AdminOnly = [Roles.Admin];

    public const string NoToken = "no token";
    public const string GarbageToken = "garbage token";
    public const string OtherKeyToken = "token signed with another key";
    public const string ExpiredToken = "expired token";
    public static readonly string[] Principals = [.. Roles.All, NoToken, GarbageToken, OtherKeyToken, ExpiredToken];

    /// <summary>
    /// An endpoint row: who may call it, how to arrange a target (a fresh one for every allowed call, so writes by
    /// one role never change what another row sees) and the call to make. DenyCode: the 403 code for a role that
    /// passes the route's role check but not the command's (a clerk changing a limit, a clerk overriding).
    /// </summary>
    private sealed record Spec(string Name, string[] Allowed, Func<RoleMatrixFixture, Task<string>> Arrange,
        Func<RoleMatrixFixture, string, MatrixCall> Call, Func<string, string>? DenyCode = null);

    private static MatrixCall Get(string url, string? stream = null, bool isolated = false) => new(HttpMethod.Get, url, null, stream, Isolated: isolated);
    private static MatrixCall Post(string url, object? body, string? stream = null, bool isolated = false) => new(HttpMethod.Post, url, body, stream, Isolated: isolated);
    private static MatrixCall Put(string url, object body, string? stream = null, bool creates = false, bool isolated = false) =>
        new(HttpMethod.Put, url, body, stream, creates, isolated);

    private static Task<string> Shared(RoleMatrixFixture f) => Task.FromResult(f.Customer);
    private static Task<string> Nothing(RoleMatrixFixture f) => Task.FromResult(AppFixture.NewId("rm-new"));
    private static Task<string> NewCustomer(RoleMatrixFixture f) => f.App.Customer(new { name = "Matrix row" }, "rm");

    private static async Task<string> WithOrder(RoleMatrixFixture f, int limit, string orderId = "O1")
    {
        var id = await f.App.Customer(new { name = "Matrix order row", creditLimit = limit }, "rm");
        var placed = await f.App.As("matrix-arranger", Roles.Controller).Post($"/api/customers/{id}/orders", new { orderId, amount = 100 });
        placed.Status.ShouldBe(201, placed.ToString());
        placed.String("status").ShouldBe(limit == 0 ? "held" : "approved");
        return id;
    }

    private static async Task<string> WithPayment(RoleMatrixFixture f)
    {
        var id = await NewCustomer(f);
        (await f.App.As("matrix-arranger", Roles.Controller).Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 10 })).Status.ShouldBe(201);
        return id;
    }

    private static async Task<string> OnHold(RoleMatrixFixture f)
    {
        var id = await NewCustomer(f);
        (await f.App.As("matrix-arranger", Roles.Controller).Post($"/api/customers/{id}/hold", new { reason = "matrix" })).Status.ShouldBe(200);
        return id;
    }

    private static readonly Spec[] Specs =
    [
        new("GET /health", [Anyone], Shared, (_, _) => Get("/health")),

        // Customers
        new("PUT /api/customers/{id} (create)", Writers, Nothing,
            (_, id) => Put($"/api/customers/{id}", new { name = "Created by the matrix" }, id, creates: true)),
        new("PUT /api/customers/{id} (update profile)", Writers, NewCustomer,
            (_, id) => Put($"/api/customers/{id}", new { name = "Renamed by the matrix" }, id)),
        new("PUT /api/customers/{id} (change credit limit)", Controllers, NewCustomer,
            (_, id) => Put($"/api/customers/{id}", new { name = "Matrix row", creditLimit = 5000 }, id),
            role => role == Roles.Clerk ? "CONTROLLER_REQUIRED" : "FORBIDDEN"),
        new("GET /api/customers/{id}", Readers, Shared, (_, id) => Get($"/api/customers/{id}")),
        new("GET /api/customers", Readers, Shared, (_, _) => Get("/api/customers?status=on-hold&limit=5")),
        new("POST /api/customers/{id}/credit-limit", Controllers, NewCustomer,
            (_, id) => Post($"/api/customers/{id}/credit-limit", new { amount = 5000, reason = "matrix review" }, id)),
        new("POST /api/customers/{id}/payment-terms", Controllers, NewCustomer,
            (_, id) => Post($"/api/customers/{id}/payment-terms", new { paymentTerms = new { days = 30 }, reason = "matrix terms" }, id)),
        new("POST /api/customers/{id}/hold", Controllers, NewCustomer,
            (_, id) => Post($"/api/customers/{id}/hold", new { reason = "matrix hold" }, id)),
        new("POST /api/customers/{id}/unhold", Controllers, OnHold,
            (_, id) => Post($"/api/customers/{id}/unhold", new { reason = "matrix unhold" }, id)),
        new("POST /api/customers/{id}/credit-check", Readers, Shared,
            (_, id) => Post($"/api/customers/{id}/credit-check", new { amount = 100, kind = "invoice" }, id)),

        // Orders
        new("POST /api/customers/{id}/orders", Writers, NewCustomer,
            (_, id) => Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 100 }, id)),
        new("GET /api/customers/{id}/orders/{orderId}", Readers, Shared, (_, id) => Get($"/api/customers/{id}/orders/O1")),
        new("GET /api/customers/{id}/orders", Readers, Shared, (_, id) => Get($"/api/customers/{id}/orders?status=open")),
        new("POST /api/customers/{id}/orders/{orderId}/release", Controllers, f => WithOrder(f, limit: 0),
            (_, id) => Post($"/api/customers/{id}/orders/O1/release", new { reason = "matrix release" }, id)),
        new("POST /api/customers/{id}/orders/{orderId}/reject", Controllers, f => WithOrder(f, limit: 0),
            (_, id) => Post($"/api/customers/{id}/orders/O1/reject", new { reason = "matrix reject" }, id)),
        new("POST /api/customers/{id}/orders/{orderId}/cancel", Writers, f => WithOrder(f, limit: 1000),
            (_, id) => Post($"/api/customers/{id}/orders/O1/cancel", new { reason = "matrix cancel" }, id)),
        new("GET /api/holds", Readers, Shared, (_, _) => Get("/api/holds")),

        // Invoices, credit notes, payments
        new("POST /api/customers/{id}/invoices", Writers, NewCustomer,
            (_, id) => Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100 }, id)),
        new("POST /api/customers/{id}/invoices (override)", Controllers,
            f => f.App.Customer(new { name = "Matrix cash only", creditLimit = 0 }, "rm"),
            (_, id) => Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, @override = new { reason = "matrix override" } }, id)),
        new("GET /api/customers/{id}/invoices/{invoiceId}", Readers, Shared, (_, id) => Get($"/api/customers/{id}/invoices/I1")),
        new("GET /api/customers/{id}/invoices", Readers, Shared, (_, id) => Get($"/api/customers/{id}/invoices?status=open")),
        new("POST /api/customers/{id}/credit-notes", Writers, NewCustomer,
            (_, id) => Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 10, reason = "matrix credit" }, id)),
        new("POST /api/customers/{id}/payments", Writers, NewCustomer,
            (_, id) => Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 10 }, id)),
        new("GET /api/customers/{id}/payments/{paymentId}", Readers, Shared, (_, id) => Get($"/api/customers/{id}/payments/P1")),
        new("GET /api/customers/{id}/payments", Readers, Shared, (_, id) => Get($"/api/customers/{id}/payments?status=all")),
        new("GET /api/customers/{id}/credit-notes/{creditNoteId}", Readers, Shared, (_, id) => Get($"/api/customers/{id}/credit-notes/CN0")),
        new("GET /api/customers/{id}/credit-notes", Readers, Shared, (_, id) => Get($"/api/customers/{id}/credit-notes?status=unapplied")),
        new("POST /api/customers/{id}/apply-credit", Writers, WithPayment, (_, id) => Post($"/api/customers/{id}/apply-credit", null, id)),
        new("POST /api/customers/{id}/payments/{paymentId}/reverse", Writers, WithPayment,
            (_, id) => Post($"/api/customers/{id}/payments/P1/reverse", new { reason = "matrix bounce" }, id)),
        new("GET /api/notifications", Readers, Shared, (_, id) => Get($"/api/notifications?customerId={id}")),

        // Policy and groups
        new("GET /api/policy", PolicyReaders, Shared, (_, _) => Get("/api/policy")),
        new("PUT /api/policy", Controllers, Shared, (_, _) => Put("/api/policy", new { }, "~policy", isolated: true)),
        new("PUT /api/groups/{groupId}", Controllers, f => Task.FromResult(AppFixture.NewId("rm-group")),
            (_, g) => Put($"/api/groups/{g}", new { name = "Matrix group row" }, $"~group~{g}", creates: true)),
        new("GET /api/groups/{groupId}", Readers, Shared, (f, _) => Get($"/api/groups/{f.Group}")),
        new("GET /api/groups", Readers, Shared, (_, _) => Get("/api/groups?limit=5")),

        // Read models and reports
        new("GET /api/customers/{id}/balance", Readers, Shared, (_, id) => Get($"/api/customers/{id}/balance")),
        new("GET /api/customers/{id}/statement", Readers, Shared, (_, id) => Get($"/api/customers/{id}/statement?from=2026-11-01&to=2026-11-23")),
        new("GET /api/customers/{id}/statistics", Readers, Shared, (_, id) => Get($"/api/customers/{id}/statistics?asOf=2026-11-23")),
        new("GET /api/reports/aging", Reporting, Shared, (_, _) => Get("/api/reports/aging?asOf=2026-11-23")),
        new("GET /api/reports/dso", Reporting, Shared, (_, _) => Get("/api/reports/dso?asOf=2026-11-23")),
        new("GET /api/projections", Reporting, Shared, (_, _) => Get("/api/projections")),
        new("POST /api/projections/rebuild", AdminOnly, Shared, (_, _) => Post("/api/projections/rebuild", null, isolated: true)),

        // Audit
        new("GET /api/customers/{id}/history", Auditors, Shared, (_, id) => Get($"/api/customers/{id}/history")),
        new("GET /api/customers/{id}/history/verify", Auditors, Shared, (_, id) => Get($"/api/customers/{id}/history/verify")),
        new("GET /api/customers/{id}/state", Auditors, Shared, (_, id) => Get($"/api/customers/{id}/state?version=1")),
        new("GET /api/policy/history", Auditors, Shared, (_, _) => Get("/api/policy/history")),
        new("GET /api/policy/history/verify", Auditors, Shared, (_, _) => Get("/api/policy/history/verify")),
        new("GET /api/groups/{groupId}/history", Auditors, Shared, (f, _) => Get($"/api/groups/{f.Group}/history")),
        new("GET /api/groups/{groupId}/history/verify", Auditors, Shared, (f, _) => Get($"/api/groups/{f.Group}/history/verify")),
    ];

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var spec in Specs)
        foreach (var principal in Principals)
            rows.Add(spec.Name, principal);
        return rows;
    }

    private static bool IsRole(string principal) => Roles.All.Contains(principal);

    private ApiClient ClientFor(string principal, IAlbaHost host) => principal switch
    {
        NoToken => new ApiClient(host, null),
        GarbageToken => new ApiClient(host, BadTokens.Garbage),
        // The bad tokens claim admin: the token itself, not the role, must be what keeps them out.
        OtherKeyToken => new ApiClient(host, BadTokens.SignedWithAnotherKey("mallory", Roles.Admin)),
        ExpiredToken => new ApiClient(host, BadTokens.Expired("old-admin", Roles.Admin)),
        _ => new ApiClient(host, fx.App.Token($"matrix-{principal}", principal)),
    };

    [Fact]
    public async Task Every_endpoint_is_in_the_matrix()
    {
        var doc = await new ApiClient(fx.App.Host, null).Get("/openapi/v1.json");
        var routes = doc.Body.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => $"{o.Name.ToUpperInvariant()} {p.Name.Replace("{customerId}", "{id}")}"));
        // A row may name a variant of its endpoint in brackets ("PUT /api/customers/{id} (create)").
        routes.Except(Specs.Select(spec => spec.Name.Split(" (")[0])).ShouldBeEmpty();
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Endpoint_by_principal(string endpoint, string principal)
    {
        var spec = Specs.Single(s => s.Name == endpoint);
        var anyone = spec.Allowed.Contains(Anyone);
        var allowed = anyone || (IsRole(principal) && spec.Allowed.Contains(principal));

        // Allowed calls act on a fresh target; refused ones share one per endpoint (they must not touch it).
        var target = allowed ? await spec.Arrange(fx) : await fx.DeniedTargets.GetOrAdd(spec.Name, _ => spec.Arrange(fx));
        var call = spec.Call(fx, target);
        var host = call.Isolated ? fx.Isolated.Host : fx.App.Host;
        var connection = call.Isolated ? null : fx.App.ConnectionString;
        var before = call.Stream is not null && connection is not null ? await Streams.Version(connection, call.Stream) : 0;

        var r = await ClientFor(principal, host).Send(call.Method, call.Url, call.Body);
        var context = $"{endpoint} as {principal}";

        if (allowed)
        {
            r.Status.ShouldNotBe(401, context);
            r.Status.ShouldNotBe(403, context);
            r.IsSuccess().ShouldBeTrue($"{context}: expected 2xx, got {ProblemAssertions.Shorten(r)}");
            return;
        }

        if (IsRole(principal))
        {
            r.ShouldBeProblem(403, spec.DenyCode?.Invoke(principal) ?? "FORBIDDEN", context);
            // A role refused names the roles that may: the endpoint's, which are the row's (a variant's, e.g. an override, may
            // be narrower than the endpoint's: refused at the door, the caller learns the endpoint's).
            if (spec.DenyCode is null)
            {
                var roles = r.Body.GetProperty("roles").EnumerateArray().Select(x => x.GetString()!).ToList();
                roles.ShouldNotContain(principal, context);
                if (!spec.Name.Contains(" (")) roles.ShouldBe(spec.Allowed, ignoreOrder: true, context);
                else roles.ShouldContain(spec.Allowed[0], context);
            }
        }
        else
        {
            r.ShouldBeProblem(401, "UNAUTHENTICATED", context);
            r.Headers.TryGetValue("WWW-Authenticate", out var challenge).ShouldBeTrue(context);
            challenge!.ShouldStartWith("Bearer", Case.Insensitive, context);
        }

        if (call.Stream is not null && connection is not null)
        {
            if (call.CreatesStream) (await Streams.Exists(connection, call.Stream)).ShouldBeFalse($"{context} created stream {call.Stream}");
            else (await Streams.Version(connection, call.Stream)).ShouldBe(before, $"{context} wrote an event");
        }
    }

    public static TheoryData<string> ForgedTokens() =>
        new("alg none (unsigned)", "signed with another key", "expired", "not yet valid", "foreign issuer", "foreign audience",
            "empty bearer", "basic scheme", "token in query string");

    /// <summary>More ways to forge or misuse a token, each claiming admin: all 401 problem+json.</summary>
    [Theory]
    [MemberData(nameof(ForgedTokens))]
    public async Task Forged_and_stale_tokens_are_401(string kind)
    {
        var url = $"/api/customers/{fx.Customer}";
        var valid = fx.App.Token("forger", Roles.Admin);
        ApiResponse r;
        if (kind is "empty bearer" or "basic scheme" or "token in query string")
        {
            var headers = kind switch
            {
                "empty bearer" => new Dictionary<string, string> { ["Authorization"] = "Bearer " },
                "basic scheme" => new Dictionary<string, string> { ["Authorization"] = "Basic " + Convert.ToBase64String("admin:admin"u8.ToArray()) },
                _ => new Dictionary<string, string>(),
            };
            var target = kind == "token in query string" ? $"{url}?access_token={valid}" : url;
            r = await fx.App.Anonymous.SendRaw(HttpMethod.Get, target, null, "application/json", headers);
        }
        else
        {
            var token = kind switch
            {
                "alg none (unsigned)" => BadTokens.Unsigned("forger", Roles.Admin),
                "signed with another key" => BadTokens.SignedWithAnotherKey("forger", Roles.Admin),
                "expired" => BadTokens.Expired("forger", Roles.Admin),
                "not yet valid" => BadTokens.NotYetValid("forger", Roles.Admin),
                "foreign issuer" => BadTokens.ForeignIssuerOrAudience("forger", "someone-else", SigningKey.Audience, Roles.Admin),
                _ => BadTokens.ForeignIssuerOrAudience("forger", SigningKey.Issuer, "another-api", Roles.Admin),
            };
            r = await new ApiClient(fx.App.Host, token).Get(url);
        }
        r.ShouldBeProblem(401, "UNAUTHENTICATED", kind);
    }

    /// <summary>A token without any role claim, or with roles the API does not know, is authenticated but may do nothing.</summary>
    [Theory]
    [InlineData("no role")]
    [InlineData("superuser")]
    [InlineData("Admin")]
    public async Task Unknown_roles_get_403_everywhere(string role)
    {
        var client = new ApiClient(fx.App.Host, role == "no role" ? fx.App.Token("nobody") : fx.App.Token("nobody", role));
        foreach (var (method, url, body) in new (HttpMethod, string, object?)[]
                 {
                     (HttpMethod.Get, $"/api/customers/{fx.Customer}", null),
                     (HttpMethod.Put, $"/api/customers/{AppFixture.NewId("rm-none")}", new { name = "x" }),
                     (HttpMethod.Get, "/api/reports/aging", null),
                     (HttpMethod.Get, $"/api/customers/{fx.Customer}/history", null),
                     (HttpMethod.Get, "/api/projections", null),
                 })
        {
            var r = await client.Send(method, url, body);
            r.ShouldBeProblem(403, "FORBIDDEN", $"{method} {url} with role '{role}'");
        }
    }
}
