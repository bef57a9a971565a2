using System.Text;
using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Credit.Api.Tests.Audit;

/// <summary>History, time travel and the hash chain, as an auditor uses them.</summary>
public class AuditTests(AppFixture app)
{
    private ApiClient Auditor => app.As("auditor-1", "auditor");

    /// <summary>Opened (v1) with limit 1000 (v2); invoice 600 (v3); limit 2000 with a reason (v4); payment 600 (v5).</summary>
    private async Task<string> AccountWithAStory()
    {
        var id = await app.Customer(new { name = "مؤسسة التدقيق", creditLimit = 1000 }, "audit");
        var headers = new Dictionary<string, string> { ["X-Correlation-Id"] = "corr-invoice-1" };
        var invoice = await app.Clerk.SendRaw(HttpMethod.Post, $"/api/customers/{id}/invoices",
            """{"invoiceId":"I1","amount":600,"issuedOn":"2026-11-01"}""", "application/json", headers);
        invoice.Status.ShouldBe(201, invoice.ToString());
        invoice.Headers["X-Correlation-Id"].ShouldBe("corr-invoice-1");
        (await app.Controller.Post($"/api/customers/{id}/credit-limit", new { amount = 2000, reason = "زيادة الحد بعد المراجعة" })).Status.ShouldBe(200);
        (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 600 })).Status.ShouldBe(201);
        return id;
    }

    /// <summary>What the account was then: its group (whose history gives the limit that applied), kind, bypass and
    /// assignment, and its credit notes beside its payments.</summary>
    [Fact]
    public async Task The_state_shows_the_profile_and_the_credit_notes_as_they_were()
    {
        var group = AppFixture.NewId("stgrp");
        (await app.Controller.Put($"/api/groups/{group}", new { name = "Pool", sharedCreditLimit = 5000 })).Status.ShouldBe(201);
        var id = await app.Customer(new { name = "Profile then", creditLimit = 1000, groupId = group, assignedTo = new[] { "clerk-1" } }, "stprof");
        (await app.Clerk.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 40, reason = "goodwill" })).Status.ShouldBe(201);
        var version = (await Auditor.Get($"/api/customers/{id}/state")).Body.GetProperty("version").GetInt64();
        (await app.Controller.Put($"/api/customers/{id}", new { groupId = (string?)null, bypassCreditCheckAtOrder = true })).Status.ShouldBe(200);

        var then = await Auditor.Get($"/api/customers/{id}/state?version={version}");
        then.String("groupId").ShouldBe(group);
        then.String("kind").ShouldBe("customer");
        then.Body.GetProperty("bypassCreditCheckAtOrder").GetBoolean().ShouldBeFalse();
        then.Body.GetProperty("assignedTo").EnumerateArray().Select(a => a.GetString()).ShouldBe(["clerk-1"]);
        var note = then.Body.GetProperty("creditNotes").EnumerateArray().ShouldHaveSingleItem();
        (note.GetProperty("creditNoteId").GetString(), note.GetProperty("amount").GetDecimal(), note.GetProperty("unapplied").GetDecimal())
            .ShouldBe(("CN1", 40m, 40m));
        var now = await Auditor.Get($"/api/customers/{id}/state");
        now.Body.GetProperty("groupId").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        now.Body.GetProperty("bypassCreditCheckAtOrder").GetBoolean().ShouldBeTrue();
    }

    /// <summary>A version is shown as it stood when it was recorded: its asOf is that moment, and overdue is judged on that
    /// day, as an asOf query for the same moment judges it (it was judged against today).</summary>
    [Fact]
    public async Task A_version_stands_on_the_day_it_was_recorded()
    {
        var database = await app.NewDatabase("verday");
        var clock = new TestClock(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));
        await using var host = await AppFixture.StartHost(database, clock);
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        (await controller.Put("/api/customers/VD-1", new { name = "Version day", creditLimit = 5000 })).Status.ShouldBe(201);
        // Events are stamped by the database's clock; due a few days after the day they are recorded.
        var due = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(3)).AddDays(5);
        (await controller.Post("/api/customers/VD-1/invoices", new { invoiceId = "I1", amount = 100, issuedOn = "2026-11-01", dueOn = due }))
            .Status.ShouldBe(201);
        clock.Set(new DateTimeOffset(due.AddDays(30).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)); // a month later, I1 is overdue
        var auditor = new ApiClient(host, app.Token("auditor-1", "auditor"));

        var then = await auditor.Get("/api/customers/VD-1/state?version=3");
        then.Status.ShouldBe(200, then.ToString());
        var recorded = (await auditor.Get("/api/customers/VD-1/history")).Body[2].GetProperty("timestamp").GetString();
        DateTimeOffset.Parse(then.String("asOf")!).ShouldBe(DateTimeOffset.Parse(recorded!));
        DateOnly.Parse(then.String("businessDate")!).ShouldBeLessThan(due);
        then.Body.GetProperty("invoices")[0].GetProperty("installments")[0].GetProperty("overdue").GetBoolean().ShouldBeFalse(then.ToString());
        var byTime = await auditor.Get($"/api/customers/VD-1/state?asOf={Uri.EscapeDataString(recorded!)}");
        byTime.Body.GetProperty("invoices")[0].GetProperty("installments")[0].GetProperty("overdue").GetBoolean().ShouldBeFalse();

        var now = await auditor.Get("/api/customers/VD-1/state");
        now.Body.GetProperty("invoices")[0].GetProperty("installments")[0].GetProperty("overdue").GetBoolean().ShouldBeTrue(now.ToString());
    }

    [Fact]
    public async Task History_lists_every_event_oldest_first_with_who_when_correlation_and_reason()
    {
        var id = await AccountWithAStory();
        var history = await Auditor.Get($"/api/customers/{id}/history");
        history.Status.ShouldBe(200, history.ToString());

        var events = history.Body.EnumerateArray().ToList();
        events.Select(e => e.GetProperty("type").GetString()).ShouldBe(["AccountOpened", "LimitSet", "InvoiceIssued", "LimitSet", "PaymentReceived"]);
        events.Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1L, 2, 3, 4, 5]);
        events.Select(e => e.GetProperty("sequence").GetInt64()).ShouldBeInOrder();
        events[2].GetProperty("user").GetString().ShouldBe("clerk-1");
        events[2].GetProperty("correlationId").GetString().ShouldBe("corr-invoice-1");
        events[2].GetProperty("data").GetProperty("amount").GetDecimal().ShouldBe(600m);
        events[3].GetProperty("user").GetString().ShouldBe("controller-1");
        events[3].GetProperty("reason").GetString().ShouldBe("زيادة الحد بعد المراجعة");
        events.ShouldAllBe(e => e.GetProperty("hash").GetString()!.Length == 64);
        // Timestamps in UTC with a Z, to the microsecond ("2026-11-30T08:29:26.368987Z").
        events.ShouldAllBe(e => System.Text.RegularExpressions.Regex.IsMatch(e.GetProperty("timestamp").GetString()!, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"));
        history.Headers["X-Total-Count"].ShouldBe("5");
        // A request without a correlation id gets one, echoed in the response and recorded on its events.
        history.Headers["X-Correlation-Id"].ShouldNotBeNullOrWhiteSpace();
        events[4].GetProperty("correlationId").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task History_is_paged_by_version()
    {
        var id = await AccountWithAStory();
        var first = await Auditor.Get($"/api/customers/{id}/history?limit=2");
        first.Body.EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).ShouldBe([1L, 2]);
        first.Headers["Link"].ShouldContain($"/api/customers/{id}/history?fromVersion=3&limit=2");
        var last = await Auditor.Get($"/api/customers/{id}/history?fromVersion=5&limit=2");
        last.Body.EnumerateArray().Select(e => e.GetProperty("version").GetInt64()).ShouldBe([5L]);
        last.Headers.ContainsKey("Link").ShouldBeFalse();
        // Past the end, however far and in whichever language: an empty page without a next link.
        foreach (var from in new[] { "6", "9223372036854775000", "9223372036854775807" })
        {
            var beyond = await Auditor.InLanguage("ar").Get($"/api/customers/{id}/history?fromVersion={from}&limit=1000");
            beyond.Status.ShouldBe(200, beyond.ToString());
            beyond.Body.GetArrayLength().ShouldBe(0);
            beyond.Headers.ContainsKey("Link").ShouldBeFalse();
        }
        (await Auditor.Get($"/api/customers/{id}/history?limit=0")).Status.ShouldBe(400);
        (await Auditor.Get("/api/customers/nobody-here/history")).Status.ShouldBe(404);
    }

    [Fact]
    public async Task History_exports_as_csv_with_a_bom_so_excel_shows_arabic()
    {
        var id = await AccountWithAStory();
        using var client = app.Host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/customers/{id}/history?format=csv");
        request.Headers.Authorization = new("Bearer", app.Token("auditor-1", "auditor"));
        using var response = await client.SendAsync(request);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        bytes.Take(3).ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });

        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(l => l.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        lines[0].ShouldBe("sequence,version,type,timestamp,user,correlationId,reason,data,hash");
        lines.Count.ShouldBe(6);
        lines[1].ShouldContain("مؤسسة التدقيق");
        lines[4].ShouldContain("زيادة الحد بعد المراجعة");
        lines[3].ShouldContain("\"{\"\"invoiceId\"\":\"\"I1\"\"");
    }

    [Fact]
    public async Task State_shows_the_account_as_it_stood_at_a_version_or_a_moment()
    {
        var id = await AccountWithAStory();

        var opened = await Auditor.Get($"/api/customers/{id}/state?version=2");
        opened.Status.ShouldBe(200, opened.ToString());
        opened.Decimal("creditLimit").ShouldBe(1000m);
        opened.Decimal("outstanding").ShouldBe(0m);
        opened.Body.GetProperty("invoices").GetArrayLength().ShouldBe(0);

        var invoiced = await Auditor.Get($"/api/customers/{id}/state?version=3");
        invoiced.Decimal("outstanding").ShouldBe(600m);
        invoiced.Decimal("creditLimit").ShouldBe(1000m);
        var invoice = invoiced.Body.GetProperty("invoices")[0];
        invoice.GetProperty("openAmount").GetDecimal().ShouldBe(600m);
        invoice.GetProperty("paidAmount").GetDecimal().ShouldBe(0m);

        var raised = await Auditor.Get($"/api/customers/{id}/state?version=4");
        raised.Decimal("creditLimit").ShouldBe(2000m);
        raised.Decimal("outstanding").ShouldBe(600m);

        var now = await Auditor.Get($"/api/customers/{id}/state");
        now.Decimal("outstanding").ShouldBe(0m);
        now.Body.GetProperty("invoices")[0].GetProperty("paidAmount").GetDecimal().ShouldBe(600m);
        now.Body.GetProperty("version").GetInt64().ShouldBe(5);

        // By timestamp: the moment of the invoice (inclusive), and just before it.
        var history = (await Auditor.Get($"/api/customers/{id}/history")).Body.EnumerateArray().ToList();
        var invoicedAt = history[2].GetProperty("timestamp").GetDateTimeOffset();
        var atInvoice = await Auditor.Get($"/api/customers/{id}/state?asOf={Uri.EscapeDataString(invoicedAt.ToString("O"))}");
        atInvoice.Decimal("outstanding").ShouldBe(600m);
        atInvoice.Body.GetProperty("version").GetInt64().ShouldBe(3);
        // In Riyadh time with the '+' left unencoded, as a hand-typed URL has it (it arrives as a space).
        var inRiyadh = invoicedAt.ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz");
        (await Auditor.Get($"/api/customers/{id}/state?asOf={inRiyadh}")).Body.GetProperty("version").GetInt64().ShouldBe(3);
        var before = await Auditor.Get($"/api/customers/{id}/state?asOf={Uri.EscapeDataString(invoicedAt.AddTicks(-10).ToString("O"))}");
        before.Decimal("outstanding").ShouldBe(0m);
        var openedAt = history[0].GetProperty("timestamp").GetDateTimeOffset();
        (await Auditor.Get($"/api/customers/{id}/state?asOf={Uri.EscapeDataString(openedAt.AddSeconds(-1).ToString("O"))}")).Code.ShouldBe("NOT_YET_OPENED");

        // By business date (Riyadh): the close of that day. A date's close has an offset of +03:00, which PostgreSQL's
        // timestamptz parameter refused (a 500) until it was turned to UTC.
        var riyadh = TimeZoneInfo.FindSystemTimeZoneById("Asia/Riyadh");
        var lastDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(history[^1].GetProperty("timestamp").GetDateTimeOffset(), riyadh).DateTime);
        var atClose = await Auditor.Get($"/api/customers/{id}/state?asOf={lastDay:yyyy-MM-dd}");
        atClose.Status.ShouldBe(200, atClose.ToString());
        atClose.Body.GetProperty("version").GetInt64().ShouldBe(5);
        var firstDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(openedAt, riyadh).DateTime);
        (await Auditor.Get($"/api/customers/{id}/state?asOf={firstDay.AddDays(-1):yyyy-MM-dd}")).Code.ShouldBe("NOT_YET_OPENED");

        (await Auditor.Get($"/api/customers/{id}/state?version=6")).Code.ShouldBe("VERSION_NOT_FOUND");
        (await Auditor.Get($"/api/customers/{id}/state?version=0")).Status.ShouldBe(400);
        var garbled = await Auditor.Get($"/api/customers/{id}/state?asOf=yesterday");
        garbled.Status.ShouldBe(400);
        // Named as what it accepts, a timestamp or a date (the date's own message asked for a date only).
        garbled.Body.GetProperty("errorCodes").GetProperty("asOf")[0].GetString().ShouldBe("INVALID_TIMESTAMP");
        var both = await Auditor.Get($"/api/customers/{id}/state?asOf=2026-11-01&version=2");
        both.Status.ShouldBe(400);
        foreach (var field in new[] { "asOf", "version" })
            both.Body.GetProperty("errorCodes").GetProperty(field)[0].GetString().ShouldBe("MUTUALLY_EXCLUSIVE");
    }

    [Fact]
    public async Task Time_travel_past_a_checkpoint_equals_folding_the_whole_stream()
    {
        var id = await app.Customer(new { name = "Long account" }, "long");
        for (var i = 1; i <= 130; i++)
        {
            (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = $"I{i}", amount = 100 + i, issuedOn = "2026-11-01", dueOn = "2027-12-31" })).Status.ShouldBe(201);
            (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = $"P{i}", amount = 60 + i })).Status.ShouldBe(201);
        }
        // 261 events so far; a checkpoint comes every 500, so go past it.
        for (var i = 131; i <= 260; i++)
        {
            (await app.Clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = $"I{i}", amount = 100 + i, issuedOn = "2026-11-01", dueOn = "2027-12-31" })).Status.ShouldBe(201);
            (await app.Clerk.Post($"/api/customers/{id}/payments", new { paymentId = $"P{i}", amount = 60 + i })).Status.ShouldBe(201);
        }
        var store = app.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        var checkpoints = app.Host.Services.GetRequiredService<Credit.Api.Accounts.Checkpoints>();
        await Infrastructure.Scenario.Eventually(async () =>
        {
            var found = await checkpoints.Find(id, null, null, CancellationToken.None);
            return new ApiResponse((int)(found ?? 0), default, new Dictionary<string, string>(), "");
        }, r => r.Status == 500);

        foreach (var version in new long[] { 499, 500, 501, 517 })
        {
            var state = await Auditor.Get($"/api/customers/{id}/state?version={version}&limit=10000");
            state.Status.ShouldBe(200, state.ToString());
            await using var session = store.QuerySession();
            var folded = (await session.Events.AggregateStreamAsync<Credit.Domain.Accounts.CreditAccount>(id, version))!;
            state.Body.GetProperty("version").GetInt64().ShouldBe(version);
            state.Decimal("outstanding").ShouldBe(folded.Outstanding, $"version {version}");
            state.Body.GetProperty("invoiceCount").GetInt32().ShouldBe(folded.Receivables.Count);
            state.Body.GetProperty("invoices").EnumerateArray().Sum(i => i.GetProperty("openAmount").GetDecimal())
                .ShouldBe(folded.Receivables.Values.Sum(r => r.Open));
            state.Body.GetProperty("paymentCount").GetInt32().ShouldBe(folded.Payments.Count);
        }
        var paged = await Auditor.Get($"/api/customers/{id}/state?version=517&limit=10&offset=250");
        paged.Body.GetProperty("invoices").EnumerateArray().Select(i => i.GetProperty("invoiceId").GetString()).ShouldBe(["I251", "I252", "I253", "I254", "I255", "I256", "I257", "I258"]);

        (await checkpoints.LoadImage(id, 500, CancellationToken.None)).ShouldNotBeNull(); // the seal of a genuine one holds
        // The checkpoint image forged in the database (a million more owed) no longer matches its seal: it is passed over
        // and the account folded from its events, for decisions (a cold load) and time travel alike.
        await using (var session = store.QuerySession())
        {
            var forged = (await session.Events.AggregateStreamAsync<Credit.Domain.Accounts.CreditAccount>(id, 500))!;
            forged.ApplyEvent(new Credit.Domain.Accounts.OpeningBalanceRecorded(1_000_000m, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31)));
            await using var conn = new NpgsqlConnection(app.ConnectionString);
            await conn.OpenAsync();
            await using var edit = new NpgsqlCommand("update credit.account_checkpoints set state = @state where customer_id = @id and version = 500", conn);
            edit.Parameters.AddWithValue("state", Credit.Api.Accounts.AccountImage.Write(forged));
            edit.Parameters.AddWithValue("id", id);
            (await edit.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        (await checkpoints.LoadImage(id, 500, CancellationToken.None)).ShouldBeNull();
        var cold = await checkpoints.Fold(id, 517, null, v => checkpoints.Load(id, v, CancellationToken.None), CancellationToken.None);
        await using (var session = store.QuerySession())
        {
            cold!.Outstanding.ShouldBe((await session.Events.AggregateStreamAsync<Credit.Domain.Accounts.CreditAccount>(id, 517))!.Outstanding);
            // ...and written again from the events, sealed: the next question starts from it (an upgrade's unsealed ones too).
            var mended = Credit.Api.Accounts.AccountImage.Read((await checkpoints.LoadImage(id, 500, CancellationToken.None))!)!;
            mended.Outstanding.ShouldBe((await session.Events.AggregateStreamAsync<Credit.Domain.Accounts.CreditAccount>(id, 500))!.Outstanding);
        }
    }

    [Fact]
    public async Task Verify_accepts_the_untouched_chain_and_names_the_first_edited_version()
    {
        var id = await AccountWithAStory();
        var verified = await Auditor.Get($"/api/customers/{id}/history/verify");
        verified.Status.ShouldBe(200, verified.ToString());
        verified.Body.GetProperty("valid").GetBoolean().ShouldBeTrue();
        verified.Body.GetProperty("events").GetInt32().ShouldBe(5);
        var history = (await Auditor.Get($"/api/customers/{id}/history")).Body.EnumerateArray().ToList();
        verified.String("headHash").ShouldBe(history[^1].GetProperty("hash").GetString());

        // Someone with database access lowers the invoice in place.
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var edit = new NpgsqlCommand(
                "update credit.mt_events set data = jsonb_set(data, '{amount}', '6') where stream_id = @id and version = 3", conn);
            edit.Parameters.AddWithValue("id", id);
            (await edit.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var tampered = await Auditor.Get($"/api/customers/{id}/history/verify");
        tampered.Body.GetProperty("valid").GetBoolean().ShouldBeFalse();
        tampered.Body.GetProperty("firstBadVersion").GetInt64().ShouldBe(3);
        // Still the stream as stored: its count and its head, untrustworthy from version 3 on.
        tampered.Body.GetProperty("events").GetInt32().ShouldBe(5);
        tampered.String("headHash").ShouldBe(verified.String("headHash"));
    }

    [Theory]
    // Hidden: history, time travel and the account leave archived events out, though their hashes still hold.
    [InlineData("update credit.mt_events set is_archived = true where stream_id = @id and version = 4", 4, "CHAIN_EVENT_HIDDEN")]
    // Read as another event: the .NET type decides how an event is read; the hash covers only the type alias.
    [InlineData("update credit.mt_events set mt_dotnet_type = 'Credit.Domain.Accounts.AccountHeld, Credit.Domain' where stream_id = @id and version = 4",
        4, "CHAIN_TYPE_CHANGED")]
    // Appended behind the API's back: the trigger hashes it, but the stream's version never moved.
    [InlineData("""
        insert into credit.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type, user_name)
        select nextval('credit.mt_events_sequence'), gen_random_uuid(), stream_id, 6, data, type, timestamp, tenant_id, mt_dotnet_type, user_name
        from credit.mt_events where stream_id = @id and version = 5
        """, 6, "CHAIN_STREAM_VERSION")]
    public async Task Verify_notices_what_is_read_back_though_outside_the_hash(string tampering, long version, string code)
    {
        var id = await AccountWithAStory();
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var edit = new NpgsqlCommand(tampering, conn);
            edit.Parameters.AddWithValue("id", id);
            (await edit.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var tampered = await Auditor.Get($"/api/customers/{id}/history/verify");
        tampered.Body.GetProperty("valid").GetBoolean().ShouldBeFalse(tampered.ToString());
        (tampered.Body.GetProperty("firstBadVersion").GetInt64(), tampered.String("problemCode")).ShouldBe((version, code));
    }

    [Fact]
    public async Task Verify_notices_a_deleted_event()
    {
        var id = await AccountWithAStory();
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var delete = new NpgsqlCommand("delete from credit.mt_events where stream_id = @id and version = 4", conn);
            delete.Parameters.AddWithValue("id", id);
            (await delete.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var tampered = await Auditor.Get($"/api/customers/{id}/history/verify");
        tampered.Body.GetProperty("valid").GetBoolean().ShouldBeFalse();
        tampered.Body.GetProperty("firstBadVersion").GetInt64().ShouldBe(4);
    }

    [Fact]
    public async Task Decisions_committed_together_each_link_to_their_own_streams_previous_event()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => app.Customer(new { name = "شركة السلسلة", creditLimit = 100000 }, "chain")));
        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() =>
            app.Clerk.Post($"/api/customers/{ids[i % ids.Length]}/invoices", new { invoiceId = $"C-{i}", amount = 10 }))));
        results.ShouldAllBe(r => r.Status == 201);

        // The group commit wrote them in fewer transactions than invoices, so statements carried several streams.
        await using (var conn = new NpgsqlConnection(app.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand(
                "select count(distinct xmin::text), count(*) from credit.mt_events where stream_id = any(@ids) and type = 'invoice_issued'", conn);
            cmd.Parameters.AddWithValue("ids", ids);
            await using var reader = await cmd.ExecuteReaderAsync();
            reader.Read();
            reader.GetInt64(1).ShouldBe(60);
            reader.GetInt64(0).ShouldBeLessThan(60);
        }
        foreach (var id in ids)
        {
            var verified = await Auditor.Get($"/api/customers/{id}/history/verify");
            verified.Body.GetProperty("valid").GetBoolean().ShouldBeTrue(verified.Text);
            verified.Body.GetProperty("events").GetInt32().ShouldBe(12); // opened, limit set, ten invoices
        }
    }

    [Fact]
    public async Task A_database_chained_by_the_earlier_row_trigger_is_moved_to_the_statement_trigger_at_start_up()
    {
        var database = await app.NewDatabase("chainupgrade");
        await using (var host = await AppFixture.StartHost(database, app.Clock))
        {
            (await new ApiClient(host, app.Token("controller-1", "controller")).Put("/api/customers/old", new { name = "Old", creditLimit = 1000 }))
                .Status.ShouldBe(201);
            // The trigger earlier versions installed, next to the current one.
            await Execute(database, """
                create or replace function credit.chain_event() returns trigger language plpgsql as $$
                begin perform credit.link_event(new); return null; end $$;
                create trigger chain_event after insert on credit.mt_events for each row execute function credit.chain_event();
                drop trigger chain_events on credit.mt_events;
                """);
            (await new ApiClient(host, app.Token("clerk-1", "clerk")).Post("/api/customers/old/invoices", new { invoiceId = "I1", amount = 100 }))
                .Status.ShouldBe(201);
        }

        await using var upgraded = await AppFixture.StartHost(database, app.Clock);
        await using (var conn = new NpgsqlConnection(database))
        {
            await conn.OpenAsync();
            await using var triggers = new NpgsqlCommand(
                "select string_agg(tgname, ',') from pg_trigger where tgrelid = 'credit.mt_events'::regclass and not tgisinternal", conn);
            (await triggers.ExecuteScalarAsync()).ShouldBe("chain_events");
        }
        (await new ApiClient(upgraded, app.Token("clerk-1", "clerk")).Post("/api/customers/old/invoices", new { invoiceId = "I2", amount = 100 }))
            .Status.ShouldBe(201);
        var verified = await new ApiClient(upgraded, app.Token("auditor-1", "auditor")).Get("/api/customers/old/history/verify");
        verified.Body.GetProperty("valid").GetBoolean().ShouldBeTrue(verified.Text);
        verified.Body.GetProperty("events").GetInt32().ShouldBe(4);
    }

    [Fact]
    public async Task The_newest_events_removed_with_their_hashes_are_caught_against_the_head_an_auditor_recorded()
    {
        var database = await app.NewDatabase("truncate");
        await using var host = await AppFixture.StartHost(database, app.Clock);
        var auditor = new ApiClient(host, app.Token("auditor-1", "auditor"));
        (await new ApiClient(host, app.Token("controller-1", "controller")).Put("/api/customers/T1", new { name = "T", creditLimit = 1000 }))
            .Status.ShouldBe(201);
        var clerk = new ApiClient(host, app.Token("clerk-1", "clerk"));
        (await clerk.Post("/api/customers/T1/invoices", new { invoiceId = "I1", amount = 100 })).Status.ShouldBe(201);
        (await clerk.Post("/api/customers/T1/invoices", new { invoiceId = "I2", amount = 900 })).Status.ShouldBe(201);

        var review = await auditor.Get("/api/customers/T1/history/verify");
        var (events, head) = (review.Body.GetProperty("events").GetInt32(), review.Body.GetProperty("headHash").GetString()!);
        events.ShouldBe(4);
        (await auditor.Get($"/api/customers/T1/history/verify?knownEvents={events}&knownHeadHash={head}")).Body
            .GetProperty("valid").GetBoolean().ShouldBeTrue();

        // Someone with the database removes the last invoice, its hash and the stream's version in one transaction.
        await Execute(database, """
            begin;
            delete from credit.event_hashes where stream_id = 'T1' and version = 4;
            delete from credit.mt_events where stream_id = 'T1' and version = 4;
            update credit.mt_streams set version = 3 where id = 'T1';
            commit;
            """);
        // The chain alone cannot tell (it is a valid chain of three)...
        (await auditor.Get("/api/customers/T1/history/verify")).Body.GetProperty("valid").GetBoolean().ShouldBeTrue();
        // ...the recorded head can.
        var caught = await auditor.Get($"/api/customers/T1/history/verify?knownEvents={events}&knownHeadHash={head}");
        caught.Body.GetProperty("valid").GetBoolean().ShouldBeFalse(caught.Text);
        caught.Body.GetProperty("firstBadVersion").GetInt64().ShouldBe(4);
        caught.Body.GetProperty("problemCode").GetString().ShouldBe("CHAIN_HEAD_MISSING");
        caught.Body.GetProperty("problem").GetString()!.ShouldStartWith("missing event");
        (await auditor.InLanguage("ar").Get($"/api/customers/T1/history/verify?knownEvents={events}&knownHeadHash={head}")).Body
            .GetProperty("problem").GetString()!.ShouldStartWith("حدث مفقود");
        // A head recorded at version 3 that does not match is a rewritten history.
        var rewritten = await auditor.Get($"/api/customers/T1/history/verify?knownEvents=3&knownHeadHash={new string('0', 64)}");
        rewritten.Body.GetProperty("firstBadVersion").GetInt64().ShouldBe(3);
        rewritten.Body.GetProperty("problemCode").GetString().ShouldBe("CHAIN_HEAD_CHANGED");
        (await auditor.Get("/api/customers/T1/history/verify?knownEvents=3")).ShouldBeProblem(400, "VALIDATION_FAILED");
        (await auditor.Get("/api/customers/T1/history/verify?knownEvents=0&knownHeadHash=xyz")).ShouldBeProblem(400, "VALIDATION_FAILED");
        (await auditor.Get($"/api/customers/T1/history/verify?knownEvents={events}&knownHeadHash={head}%0A")).ShouldBeProblem(400, "VALIDATION_FAILED");
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    [Theory]
    [InlineData("reporter")]
    [InlineData("clerk")]
    [InlineData("controller")]
    public async Task Only_auditors_and_admins_read_history_and_time_travel(string role)
    {
        var id = await AccountWithAStory();
        var other = app.As("someone", role);
        foreach (var url in new[] { "history", "history?format=csv", "history/verify", "state", "state?version=1" })
            (await other.Get($"/api/customers/{id}/{url}")).Status.ShouldBe(403, url);
        (await app.As("root", "admin").Get($"/api/customers/{id}/history")).Status.ShouldBe(200);
    }

    [Fact]
    public async Task Auditors_write_nothing()
    {
        var id = await AccountWithAStory();
        (await Auditor.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 1 })).Status.ShouldBe(403);
        (await Auditor.Post($"/api/customers/{id}/credit-limit", new { amount = 5, reason = "x" })).Status.ShouldBe(403);
        (await Auditor.Put($"/api/customers/{id}", new { name = "x" })).Status.ShouldBe(403);
        (await Auditor.Get($"/api/customers/{id}/history")).Body.GetArrayLength().ShouldBe(5);
    }
}


/// <summary>Marten fills the sequence numbers of a failed append with tombstone events; the hash chain must let them in.</summary>
public class TombstoneTests(AppFixture app)
{
    [Fact]
    public async Task A_failed_append_leaves_tombstones_that_fill_its_gap_and_no_error()
    {
        var store = app.Host.Services.GetRequiredService<Marten.IDocumentStore>();
        var group = AppFixture.NewId("gap");
        (await app.Controller.Put($"/api/groups/{group}", new { name = "Gap", sharedCreditLimit = 1000 })).Status.ShouldBe(201);
        var id = await app.Customer(new { name = "Gap", groupId = group });
        await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        async Task<long> Tombstones()
        {
            await using var cmd = new Npgsql.NpgsqlCommand("select count(*) from credit.mt_events where stream_id = 'mt_tombstone'", conn);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }

        var before = await Tombstones();
        // A decision written beside a pool record another writer changed meanwhile. Marten fills the sequence numbers its
        // events took with tombstones when they were taken before the batch failed (not every time: it depends on where
        // the batch stopped), so this tries a few times; refused by the hash chain, no tombstone ever landed.
        for (var limit = 2000; limit < 2020 && await Tombstones() == before; limit++)
        {
            await using var session = store.LightweightSession();
            var stale = (await session.LoadAsync<Credit.Api.Groups.CustomerGroup>(group))!;
            (await app.Controller.Put($"/api/groups/{group}", new { name = "Gap", sharedCreditLimit = limit })).Status.ShouldBe(200);
            session.Events.Append(id, new Credit.Domain.Accounts.AccountHeld("stale"));
            session.Store(stale);
            await Should.ThrowAsync<JasperFx.ConcurrencyException>(() => session.SaveChangesAsync());
        }
        (await Tombstones()).ShouldBeGreaterThan(before);
        (await app.As("auditor-1", "auditor").Get($"/api/customers/{id}/history/verify")).Body.GetProperty("valid").GetBoolean().ShouldBeTrue();
    }
}
