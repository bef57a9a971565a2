using System.Text.RegularExpressions;
using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Security;

/// <summary>
/// The customers the corpus aims at. SAR: unlimited credit, opening balance 500, approved order O1, cancelled order
/// OC, invoice I1 (1000, issued 2026-11-01, due 2026-12-31), payment P1 (50, received 2026-11-20), credit note CN1.
/// Limited: limit 100, held order OH, rejected order OR. KWD and JPY: unlimited, in those currencies. Aux: for
/// limit, terms and hold commands.
/// </summary>
public sealed class CorpusWorld(AppFixture app) : IAsyncLifetime
{
    public AppFixture App => app;
    public IReadOnlyDictionary<string, string> Customers { get; private set; } = new Dictionary<string, string>();

    public async ValueTask InitializeAsync() => Customers = await Build(app);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public static async Task<IReadOnlyDictionary<string, string>> Build(AppFixture app)
    {
        var c = app.As("corpus-arranger", Roles.Controller);
        async Task Ok(Task<ApiResponse> call)
        {
            var r = await call;
            r.IsSuccess().ShouldBeTrue(r.ToString());
        }

        var sar = await app.Customer(new
        {
            name = "Corpus SAR", unlimitedCredit = true, openingBalance = new { amount = 500, asOf = "2026-01-01", dueOn = "2026-12-31" },
        }, "bad-sar");
        await Ok(c.Post($"/api/customers/{sar}/orders", new { orderId = "O1", amount = 100 }));
        await Ok(c.Post($"/api/customers/{sar}/orders", new { orderId = "OC", amount = 100 }));
        await Ok(c.Post($"/api/customers/{sar}/orders/OC/cancel", new { reason = "cancelled" }));
        await Ok(c.Post($"/api/customers/{sar}/invoices", new { invoiceId = "I1", amount = 1000, issuedOn = "2026-11-01", dueOn = "2026-12-31" }));
        await Ok(c.Post($"/api/customers/{sar}/payments", new { paymentId = "P1", amount = 50, receivedOn = "2026-11-20" }));
        await Ok(c.Post($"/api/customers/{sar}/credit-notes", new { creditNoteId = "CN1", amount = 10, reason = "goodwill" }));

        var limited = await app.Customer(new { name = "Corpus limited", creditLimit = 100 }, "bad-lim");
        var held = await c.Post($"/api/customers/{limited}/orders", new { orderId = "OH", amount = 500 });
        held.String("status").ShouldBe("held", held.ToString());
        (await c.Post($"/api/customers/{limited}/orders", new { orderId = "OR", amount = 600 })).String("status").ShouldBe("held");
        await Ok(c.Post($"/api/customers/{limited}/orders/OR/reject", new { reason = "too risky" }));

        var kwd = await app.Customer(new { name = "Corpus KWD", currency = "KWD", unlimitedCredit = true }, "bad-kwd");
        var jpy = await app.Customer(new { name = "Corpus JPY", currency = "JPY", unlimitedCredit = true }, "bad-jpy");
        var aux = await app.Customer(new { name = "Corpus aux", unlimitedCredit = true }, "bad-aux");
        return new Dictionary<string, string> { ["sar"] = sar, ["limited"] = limited, ["kwd"] = kwd, ["jpy"] = jpy, ["aux"] = aux };
    }
}

/// <summary>
/// Hundreds of bad requests over every write endpoint and query parameter. Each must be refused with a 4xx
/// problem+json carrying a code (never a 5xx) and must write no event.
/// </summary>
public class BadInputCorpusTests(CorpusWorld world) : IClassFixture<CorpusWorld>
{
    private static readonly Dictionary<string, BadCase> ByName = BadInputCorpus.All.ToDictionary(c => c.Name);

    public static TheoryData<string> Cases() => new(BadInputCorpus.All.Select(c => c.Name));

    private AppFixture App => world.App;

    /// <summary>A user of its own for every case: hundreds of requests must not trip a per-user rate limit.</summary>
    private ApiClient Client(string who)
    {
        var user = $"corpus-{who}-{Guid.NewGuid():N}"[..28];
        return who switch
        {
            "clerk" => App.As(user, Roles.Clerk),
            "auditor" => App.As(user, Roles.Auditor),
            _ => App.As(user, Roles.Controller),
        };
    }

    /// <summary>Fills a template's placeholders: the world's customers, fresh ids for {new}, {newgroup}, {missing}, {uid}.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> ids) =>
        Regex.Replace(template, @"\{(sar|kwd|jpy|limited|aux|new|newgroup|missing|uid)\}", m => ids[m.Groups[1].Value]);

    public static Dictionary<string, string> Ids(IReadOnlyDictionary<string, string> customers) => new(customers)
    {
        ["new"] = AppFixture.NewId("bad-new"),
        ["newgroup"] = AppFixture.NewId("bad-grp"),
        ["missing"] = AppFixture.NewId("bad-none"),
        ["uid"] = "U" + Guid.NewGuid().ToString("N")[..12],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_a_4xx_problem_and_writes_nothing(string name)
    {
        var c = ByName[name];
        var ids = Ids(world.Customers);
        var url = Fill(c.Url, ids);
        var body = c.Body is null ? null : Fill(c.Body, ids);
        var stream = c.Stream is not null ? Fill(c.Stream, ids)
            : Regex.Match(c.Url, @"\{(sar|kwd|jpy|limited|aux)\}") is { Success: true } m ? ids[m.Groups[1].Value] : null;
        var before = stream is null || c.Absent ? 0 : await Streams.Version(App.ConnectionString, stream);
        if (stream is not null && c.Absent) (await Streams.Exists(App.ConnectionString, stream)).ShouldBeFalse($"{stream} exists before the case");

        var r = await Client(c.As).SendRaw(new HttpMethod(c.Method), url, body, c.ContentType);

        r.Status.ShouldBeLessThan(500, $"{name}: {ProblemAssertions.Shorten(r)}");
        c.Statuses.ShouldContain(r.Status, $"{name}: {ProblemAssertions.Shorten(r)}");
        r.ShouldBeProblem(r.Status, c.Code, name);
        if (stream is null) return;
        if (c.Absent) (await Streams.Exists(App.ConnectionString, stream)).ShouldBeFalse($"{name}: stream {stream} was created");
        else (await Streams.Version(App.ConnectionString, stream)).ShouldBe(before, $"{name}: an event was written to {stream}");
    }

    public static TheoryData<string, string, string, string> WrongForms => new()
    {
        { "POST invoices", "amount", "\"100\"", "INVALID_VALUE" },
        { "POST invoices", "amount", "null", "INVALID_VALUE" },
        { "POST invoices", "amount", "true", "INVALID_VALUE" },
        { "POST payments", "amount", "\"5\"", "INVALID_VALUE" },
        { "POST invoices", "issuedOn", "\"2026-02-30\"", "INVALID_DATE" },
        { "POST invoices", "issuedOn", "\"2200-01-01\"", "INVALID_DATE" },
        { "POST payments", "receivedOn", "\"1899-12-31\"", "INVALID_DATE" },
        { "PUT customer (new)", "customerSince", "\"2999-01-01\"", "INVALID_DATE" },
        { "PUT customer (new)", "name", "\"a\\u0000b\"", "INVALID_VALUE" },
        { "POST hold", "reason", "\"on\\u0000hold\"", "INVALID_VALUE" },
    };

    /// <summary>The contract's validation errors name the field: a value of the wrong type or form is no exception.</summary>
    [Theory]
    [MemberData(nameof(WrongForms))]
    public async Task A_value_of_the_wrong_type_or_form_names_its_field(string form, string field, string raw, string code)
    {
        var f = BadInputCorpus.ControlForms.Single(x => x.Label == form);
        var ids = Ids(world.Customers);
        var r = await Client("controller").SendRaw(new HttpMethod(f.Method), Fill(f.Url, ids), Fill(f.With(field, raw), ids), "application/json");
        // A validation error like any other (MALFORMED_JSON is for bodies that do not parse).
        r.ShouldBeProblem(400, "VALIDATION_FAILED", form);
        r.Body.GetProperty("errorCodes").GetProperty(field)[0].GetString().ShouldBe(code, r.ToString());
        r.Body.GetProperty("errors").GetProperty(field)[0].GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void The_corpus_has_at_least_200_cases_over_every_write_endpoint()
    {
        BadInputCorpus.All.Count.ShouldBeGreaterThanOrEqualTo(200);
        foreach (var f in BadInputCorpus.ControlForms.Append(BadInputCorpus.Policy))
            BadInputCorpus.All.Count(c => c.Name.StartsWith(f.Label + ":", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(4, f.Label);
    }

    /// <summary>
    /// The control: the valid body each bad variant was made from is accepted, on a fresh copy of the world. So a
    /// refusal above is about the one bad thing the case changed, not about the rest of the request.
    /// </summary>
    [Fact]
    public async Task The_requests_the_corpus_varies_are_valid()
    {
        var first = await CorpusWorld.Build(App);
        var second = await CorpusWorld.Build(App);
        foreach (var form in BadInputCorpus.ControlForms)
        {
            // Reject and release both need the held order OH: reject it in the second world.
            var ids = Ids(form == BadInputCorpus.Reject ? second : first);
            var r = await Client(form.As).SendRaw(new HttpMethod(form.Method), Fill(form.Url, ids), Fill(form.Valid, ids), "application/json");
            r.IsSuccess().ShouldBeTrue($"{form.Label} {form.Valid}: {ProblemAssertions.Shorten(r)}");
        }

        // Three decimals are fine in KWD (a fourth is in the corpus), whole yen in JPY.
        var kwd = await Client("controller").Post($"/api/customers/{first["kwd"]}/invoices", new { invoiceId = "K1", amount = 1.234m });
        kwd.Status.ShouldBe(201, kwd.ToString());
        var jpy = await Client("controller").Post($"/api/customers/{first["jpy"]}/invoices", new { invoiceId = "J1", amount = 1500 });
        jpy.Status.ShouldBe(201, jpy.ToString());
        // The bounds themselves are accepted: 1e12 and the smallest unit.
        (await Client("controller").Post($"/api/customers/{first["sar"]}/credit-check", new { amount = 1_000_000_000_000m, kind = "order" })).Status.ShouldBe(200);
        (await Client("controller").Post($"/api/customers/{first["sar"]}/payments", new { paymentId = "MIN", amount = 0.01m })).Status.ShouldBe(201);
        // Media types are case-insensitive (RFC 9110).
        var shouting = await Client("controller").SendRaw(HttpMethod.Post, $"/api/customers/{first["sar"]}/payments",
            """{"paymentId":"UPPER-CT","amount":1}""", "Application/JSON");
        shouting.Status.ShouldBe(201, shouting.ToString());
        // An id of exactly 64 allowed characters is fine.
        var longest = new string('a', 60) + "._-9";
        (await Client("controller").Post($"/api/customers/{first["sar"]}/orders", new { orderId = longest, amount = 1 })).Status.ShouldBe(201);
    }

    public static TheoryData<string> LocalizedCodes() =>
        new("UNAUTHENTICATED", "FORBIDDEN", "CUSTOMER_NOT_FOUND", "VALIDATION_FAILED", "MALFORMED_JSON", "UNSUPPORTED_MEDIA_TYPE", "CREDIT_REFUSED",
            "NOT_FOUND", "METHOD_NOT_ALLOWED");

    private static readonly Regex ArabicLetters = new(@"\p{IsArabic}");

    /// <summary>Accept-Language: ar gives Arabic messages; no header (or en) gives English; the code stays the same.</summary>
    [Theory]
    [MemberData(nameof(LocalizedCodes))]
    public async Task Messages_are_arabic_with_accept_language_ar_and_english_by_default(string code)
    {
        var ids = Ids(world.Customers);
        Func<ApiClient, Task<ApiResponse>> call = code switch
        {
            "UNAUTHENTICATED" => c => c.Get($"/api/customers/{ids["sar"]}"),
            "FORBIDDEN" => c => c.Put($"/api/customers/{ids["new"]}", new { name = "x" }),
            "CUSTOMER_NOT_FOUND" => c => c.Get($"/api/customers/{ids["missing"]}"),
            "VALIDATION_FAILED" => c => c.Post($"/api/customers/{ids["sar"]}/invoices", new { invoiceId = "bad id", amount = 10 }),
            "MALFORMED_JSON" => c => c.SendRaw(HttpMethod.Post, $"/api/customers/{ids["sar"]}/orders", """{"orderId":"X","amount":""", "application/json"),
            "UNSUPPORTED_MEDIA_TYPE" => c => c.SendRaw(HttpMethod.Post, $"/api/customers/{ids["sar"]}/orders", "orderId=X", "text/plain"),
            "NOT_FOUND" => c => c.Get("/api/no-such-route"),
            "METHOD_NOT_ALLOWED" => c => c.SendRaw(HttpMethod.Delete, $"/api/customers/{ids["sar"]}", null, "application/json"),
            _ => c => c.Post($"/api/customers/{ids["limited"]}/invoices", new { invoiceId = ids["uid"], amount = 5000 }),
        };
        var token = code switch
        {
            "UNAUTHENTICATED" => null,
            "FORBIDDEN" => App.Token("corpus-reporter", Roles.Reporter),
            _ => App.Token("corpus-controller", Roles.Controller),
        };

        var byDefault = await call(new ApiClient(App.Host, token));
        var english = await call(new ApiClient(App.Host, token, "en"));
        var arabic = await call(new ApiClient(App.Host, token, "ar"));

        foreach (var r in new[] { byDefault, english, arabic }) r.ShouldBeProblem(r.Status, code);
        arabic.Status.ShouldBe(byDefault.Status);
        static string Message(ApiResponse r) => r.Body.GetProperty("message").GetString() ?? "";
        Message(byDefault).ShouldNotBeNullOrWhiteSpace();
        Message(english).ShouldBe(Message(byDefault));
        Message(arabic).ShouldNotBe(Message(byDefault));
        ArabicLetters.IsMatch(Message(arabic)).ShouldBeTrue(Message(arabic));
        ArabicLetters.IsMatch(Message(byDefault)).ShouldBeFalse(Message(byDefault));
        Regex.IsMatch(Message(byDefault), "[A-Za-z]").ShouldBeTrue(Message(byDefault));

        if (code == "VALIDATION_FAILED")
        {
            static string Field(ApiResponse r) => r.Body.GetProperty("errors").GetProperty("invoiceId")[0].GetString() ?? "";
            ArabicLetters.IsMatch(Field(arabic)).ShouldBeTrue(Field(arabic));
            ArabicLetters.IsMatch(Field(byDefault)).ShouldBeFalse(Field(byDefault));
        }
        if (code == "CREDIT_REFUSED")
        {
            static string Reason(ApiResponse r) => r.Body.GetProperty("reasons")[0].GetProperty("message").GetString() ?? "";
            arabic.Body.GetProperty("reasons")[0].GetProperty("code").GetString().ShouldBe("CREDIT_LIMIT_EXCEEDED");
            ArabicLetters.IsMatch(Reason(arabic)).ShouldBeTrue(Reason(arabic));
            ArabicLetters.IsMatch(Reason(byDefault)).ShouldBeFalse(Reason(byDefault));
        }
    }

    [Fact]
    public async Task Text_keeps_what_arabic_writing_needs_and_reasons_may_run_over_lines()
    {
        // Direction marks and isolates are how mixed Arabic and Latin text is written; only overrides are refused.
        var id = AppFixture.NewId("marks");
        var controller = Client("controller");
        (await controller.Put($"/api/customers/{id}", new { name = "مؤسسة \u2068ACME Ltd.\u2069 \u200Fللتجارة" })).Status.ShouldBe(201);
        var hold = await controller.Post($"/api/customers/{id}/hold", new { reason = "شيك مرتجع\nرقم 1234\tبنك الرياض" });
        hold.Status.ShouldBe(200, hold.ToString());
        hold.String("holdReason").ShouldBe("شيك مرتجع\nرقم 1234\tبنك الرياض");
    }

    /// <summary>Accept-Language read as HTTP defines it: by quality, and q=0 means "not this language".</summary>
    [Theory]
    [InlineData("ar", true)]
    [InlineData("ar-SA", true)]
    [InlineData("ar;q=0", false)]
    [InlineData("ar;q=0, en", false)]
    [InlineData("en;q=0.5, ar", true)]
    [InlineData("fr, ar;q=0.9, en;q=0.8", true)]
    [InlineData("ar-SA;q=0.1, en;q=0.9", false)]
    [InlineData("*", false)]
    public async Task The_language_is_the_callers_most_preferred_of_arabic_and_english(string acceptLanguage, bool arabic)
    {
        var missing = Ids(world.Customers)["missing"];
        var response = await new ApiClient(App.Host, App.Token("corpus-controller", Roles.Controller), acceptLanguage).Get($"/api/customers/{missing}");
        response.ShouldBeProblem(404, "CUSTOMER_NOT_FOUND");
        var message = response.Body.GetProperty("message").GetString() ?? "";
        ArabicLetters.IsMatch(message).ShouldBe(arabic, message);
    }
}
