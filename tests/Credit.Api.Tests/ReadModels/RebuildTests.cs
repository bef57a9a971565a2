using System.Diagnostics;
using System.Text;
using Alba;
using Credit.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Credit.Api.Tests.ReadModels;

/// <summary>Rebuilding every read model from the events gives exactly what the live projections built.</summary>
public class RebuildTests(AppFixture app)
{
    /// <summary>Every reporting table and held-order document, as text in a fixed order.</summary>
    internal static async Task<string> ReadModels(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        var dump = new StringBuilder();
        foreach (var (name, sql) in new[]
        {
            ("customers", "select customer_id, name, group_id, currency, bypass_order_check, customer_since, assigned_to, credit_limit, unlimited_credit, credit_limit_expires_on, on_hold, hold_reason, last_seq_id from credit_reporting.customers order by 1"),
            ("ledger", "select * from credit_reporting.ledger_entries order by seq_id"),
            ("items", "select * from credit_reporting.item_movements order by seq_id, document_id, installment, business_date"),
            ("orders", "select * from credit_reporting.order_book order by customer_id, order_id"),
            ("order movements", "select * from credit_reporting.order_movements order by seq_id"),
            ("limits", "select * from credit_reporting.limit_changes order by seq_id"),
            ("daily", "select * from credit_reporting.daily_balance order by customer_id, business_date"),
            ("balances", "select customer_id, outstanding, open_orders, exposure, unapplied_credit, held_orders, held_order_count from credit_reporting.customer_balance order by 1"),
            ("holds", "select * from credit_reporting.holds order by customer_id, order_id"),
        })
        {
            dump.AppendLine($"== {name}");
            await using var cmd = new NpgsqlCommand(sql, conn);
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync())
                dump.AppendLine(string.Join(" | ", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "null" : Convert.ToString(r.GetValue(i) is Array a ? string.Join(",", a.Cast<object>()) : r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }
        return dump.ToString();
    }

    private static async Task MixedWorkload(IAlbaHost host, AppFixture app)
    {
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        for (var c = 1; c <= 3; c++)
        {
            var id = $"rb-{c}";
            (await controller.Put($"/api/customers/{id}", new { name = $"عميل {c}", creditLimit = 5000, bypassCreditCheckAtOrder = c == 3,
                openingBalance = new { amount = 100 * c, asOf = "2026-01-01", dueOn = "2026-12-31" } })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/invoices", new
            {
                invoiceId = "I1", amount = 1200, issuedOn = "2026-10-01",
                installments = new[] { new { dueOn = "2026-12-01", amount = 600 }, new { dueOn = "2027-01-01", amount = 600 } },
            })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 700, receivedOn = "2026-10-15" })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/payments", new { paymentId = "P2", amount = 300, receivedOn = "2026-10-20" })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/payments/P1/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
            (await controller.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 100, invoiceId = "I1", reason = "returns" })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 1000 })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/orders", new { orderId = "O2", amount = 9000 })).Status.ShouldBe(201); // held unless bypass
            (await controller.Post($"/api/customers/{id}/orders", new { orderId = "O3", amount = 500 })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/orders/O3/cancel", new { reason = "changed" })).Status.ShouldBe(200);
            (await controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 1100, orderId = "O1" })).Status.ShouldBe(201);
            // Credit paid ahead settles the next invoice (CreditApplied); on one customer that payment then bounces.
            (await controller.Post($"/api/customers/{id}/payments", new { paymentId = "P3", amount = 4000, receivedOn = "2026-11-02" })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "I3", amount = 250, issuedOn = "2026-11-03" })).Status.ShouldBe(201);
            if (c == 1) (await controller.Post($"/api/customers/{id}/payments/P3/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
            // A credit note with a payment's id, then that payment bounces: only the payment's settlements reopen.
            if (c == 2)
            {
                (await controller.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "P3", amount = 40, invoiceId = "I3", reason = "same id" })).Status.ShouldBe(201);
                (await controller.Post($"/api/customers/{id}/payments/P3/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
            }
            (await controller.Post($"/api/customers/{id}/credit-limit", new { amount = 20000, reason = "review" })).Status.ShouldBe(200);
            if (c != 3)
            {
                // The held order, released (by the new limit or the controller), invoiced with a date before its release.
                (await controller.Post($"/api/customers/{id}/orders/O2/release", new { reason = "approved" })).Status.ShouldBe(200);
                (await controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "I4", amount = 9000, orderId = "O2", issuedOn = "2026-10-05" }))
                    .Status.ShouldBe(201);
            }
            // Text that needs escaping on its way into the tables (quotes, backslashes), a rejected hold, an account hold
            // and a renamed customer.
            (await controller.Post($"/api/customers/{id}/orders", new { orderId = "O4", amount = 50000 })).Status.ShouldBe(201);
            (await controller.Post($"/api/customers/{id}/orders/O4/reject", new { reason = "لا \\ \"no\" {a,b}" })).Status.ShouldBe(c == 3 ? 409 : 200); // bypass: approved, nothing to reject
            (await controller.Post($"/api/customers/{id}/hold", new { reason = "audit \\ \"hold\"" })).Status.ShouldBe(200);
            if (c == 2) (await controller.Post($"/api/customers/{id}/unhold", new { reason = "cleared" })).Status.ShouldBe(200);
            (await controller.Put($"/api/customers/{id}", new { name = $"عميل \"{c}\" \\ معدل", creditLimit = 20000, bypassCreditCheckAtOrder = c == 3 }))
                .Status.ShouldBe(200);
        }

        // A payment that settles an installment in two pieces (on receipt, then as credit applied when the other payment
        // bounces), then bounces itself: its reversal reopens both pieces, in one row.
        (await controller.Put("/api/customers/rb-4", new { name = "Two pieces", creditLimit = 5000 })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-4/invoices", new { invoiceId = "I1", amount = 1000, issuedOn = "2026-11-04" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-4/payments", new { paymentId = "PA", amount = 600, receivedOn = "2026-11-05" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-4/payments", new { paymentId = "PB", amount = 700, receivedOn = "2026-11-06" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-4/payments/PA/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
        (await controller.Post("/api/customers/rb-4/payments/PB/reverse", new { reason = "bounced" })).Status.ShouldBe(200);

        // Orders the system granted on a cheque, held again when it bounces (one released by the system, one approved on
        // its credit), then one released again by a controller and the other cancelled: holds begun twice on one row.
        (await controller.Put("/api/customers/rb-5", new { name = "Cheque", creditLimit = 0 })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-5/orders", new { orderId = "O1", amount = 1725 })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-5/payments", new { paymentId = "CHQ", amount = 2000 })).Status.ShouldBe(201);
        await Infrastructure.Scenario.Eventually(() => controller.Get("/api/customers/rb-5/orders/O1"), r => r.String("status") == "released");
        (await controller.Post("/api/customers/rb-5/orders", new { orderId = "O2", amount = 275 })).String("status").ShouldBe("approved");
        (await controller.Post("/api/customers/rb-5/payments/CHQ/reverse", new { reason = "bounced" })).Status.ShouldBe(200);
        (await controller.Post("/api/customers/rb-5/orders/O1/release", new { reason = "cheque replaced" })).String("status").ShouldBe("released");
        (await controller.Post("/api/customers/rb-5/orders/O2/cancel", new { reason = "changed" })).Status.ShouldBe(200);

        // A held order whose failing rules change on a re-check: its reasons are the ones that hold it now.
        (await controller.Put("/api/customers/rb-6", new { name = "Reasons", creditLimit = 2000 })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-6/invoices", new { invoiceId = "NEW", amount = 600 })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-6/invoices", new { invoiceId = "OLD", amount = 900, issuedOn = "2026-09-01", dueOn = "2026-09-30" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-6/credit-limit", new { amount = 1000, reason = "review" })).Status.ShouldBe(200);
        (await controller.Post("/api/customers/rb-6/orders", new { orderId = "O1", amount = 500 })).String("status").ShouldBe("held");
        (await controller.Post("/api/customers/rb-6/payments", new { paymentId = "P1", amount = 900, allocations = new[] { new { invoiceId = "OLD", amount = 900 } } }))
            .Status.ShouldBe(201);
        await Infrastructure.Scenario.Eventually(() => controller.Get("/api/customers/rb-6/orders/O1"), r => r.Codes("reasons").Count == 1);

        // A controller making the system's release theirs: the queue names them.
        (await controller.Put("/api/customers/rb-8", new { name = "Vouched", creditLimit = 0 })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-8/orders", new { orderId = "O1", amount = 500 })).String("status").ShouldBe("held");
        (await controller.Post("/api/customers/rb-8/payments", new { paymentId = "P1", amount = 500 })).Status.ShouldBe(201);
        await Infrastructure.Scenario.Eventually(() => controller.Get("/api/customers/rb-8/orders/O1"), r => r.String("status") == "released");
        (await controller.Post("/api/customers/rb-8/orders/O1/release", new { reason = "I vouch for it" })).Status.ShouldBe(200);

        // A payment that settled an installment in pieces on two dates bounces: each piece reopens on its own date.
        (await controller.Put("/api/customers/rb-9", new { name = "Two dates", creditLimit = 100000 })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-9/invoices", new { invoiceId = "I1", amount = 1000, issuedOn = "2026-09-01", dueOn = "2026-10-01" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-9/payments", new { paymentId = "Q", amount = 600, receivedOn = "2026-09-15" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-9/payments", new { paymentId = "P", amount = 1000, receivedOn = "2026-10-01" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-9/payments/Q/reverse", new { reason = "bounced", reversedOn = "2026-10-10" })).Status.ShouldBe(200);
        (await controller.Post("/api/customers/rb-9/payments/P/reverse", new { reason = "bounced", reversedOn = "2026-10-05" })).Status.ShouldBe(200);

        // A bounce dated before the invoice its credit settled: the item reopens on the day it was settled.
        (await controller.Put("/api/customers/rb-7", new { name = "Reopened later" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-7/payments", new { paymentId = "P1", amount = 200, receivedOn = "2026-08-01" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-7/invoices", new { invoiceId = "I1", amount = 200, issuedOn = "2026-10-01", dueOn = "2026-10-31" })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/rb-7/payments/P1/reverse", new { reason = "bounced", reversedOn = "2026-09-01" })).Status.ShouldBe(200);
    }

    private static async Task CaughtUp(IAlbaHost host, AppFixture app) =>
        await Infrastructure.Scenario.Eventually(() => new ApiClient(host, app.Token("ops", "admin")).Get("/api/projections"),
            r => r.Body.GetProperty("projections").EnumerateArray().All(p => p.GetProperty("lagEvents").GetInt64() == 0), seconds: 30);

    private static TestClock Clock() => new(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));

    /// <summary>The mixed workload through the host, and the read models once the projection has caught up.</summary>
    private async Task<string> LiveReadModels(IAlbaHost host, string database)
    {
        await MixedWorkload(host, app);
        await CaughtUp(host, app);
        return await ReadModels(database);
    }

    /// <summary>A host on a database of its own with one customer (limit 1,000), its read models caught up.</summary>
    private async Task<(IAlbaHost Host, string Database, ApiClient Controller)> OwnHostWithACustomer(string prefix, string customerId)
    {
        var database = await app.NewDatabase(prefix);
        var host = await AppFixture.StartHost(database, Clock());
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        (await controller.Put($"/api/customers/{customerId}", new { name = customerId, creditLimit = 1000 })).Status.ShouldBe(201);
        await CaughtUp(host, app);
        return (host, database, controller);
    }

    [Fact]
    public async Task A_second_rebuild_while_one_runs_is_refused_and_the_first_completes()
    {
        var (host, database, controller) = await OwnHostWithACustomer("twice", "TW-1");
        await using var _ = host;
        var admin = new ApiClient(host, app.Token("ops", "admin"));

        // A reporting session keeps the first rebuild waiting (for up to 5 s) while the second comes.
        await using var bi = await ReportingSession.HoldingTheTables(database);
        var first = admin.Post("/api/projections/rebuild", null);
        await Task.Delay(500);
        var second = await admin.Post("/api/projections/rebuild", null);
        Credit.Api.Tests.Security.ProblemAssertions.ShouldBeProblem(second, 409, "REBUILD_RUNNING");
        await bi.Release();

        (await first).Status.ShouldBe(200);
        (await controller.Get("/api/customers/TW-1/balance")).Decimal("creditLimit").ShouldBe(1000m);
        (await admin.Post("/api/projections/rebuild", null)).Status.ShouldBe(200); // the gate is free again
    }

    /// <summary>
    /// The running API's coordinator starts any agent it finds missing: a shard stopped on its own for the rebuild came
    /// back within seconds and replayed from zero beside the rebuild's writers (duplicate keys, a 500). The rebuild keeps
    /// the daemon paused until it ends; the health check stays green meanwhile.
    /// </summary>
    [Fact]
    public async Task While_a_rebuild_runs_the_daemon_stays_off_the_tables_and_comes_back_after()
    {
        var (host, database, controller) = await OwnHostWithACustomer("paused", "PA-1");
        await using var _ = host;
        var admin = new ApiClient(host, app.Token("ops", "admin"));
        var daemon = host.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>().DaemonForMainDatabase();
        bool ReportingRuns() => daemon.CurrentAgents().Any(a => a.Name.Identity.StartsWith("Reporting", StringComparison.Ordinal)
            && a.Status == JasperFx.AgentStatus.Running);
        ReportingRuns().ShouldBeTrue();

        // A reporting session holds the rebuild (up to 5 s) after it has taken the shard off: long enough for the
        // coordinator's rounds to have started it again.
        await using var bi = await ReportingSession.HoldingTheTables(database);
        var rebuild = admin.Post("/api/projections/rebuild", null);
        var seenRunning = false;
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(100);
            if (i > 5) seenRunning |= ReportingRuns();
        }
        (await new ApiClient(host, null).Get("/health")).Status.ShouldBe(200);
        // Half-refilled tables are not answered from (a blocked customer showed 92,000 available): retry shortly.
        var during = await controller.Get("/api/customers/PA-1/balance");
        Credit.Api.Tests.Security.ProblemAssertions.ShouldBeProblem(during, 503, "READ_MODELS_REBUILDING");
        during.Headers["Retry-After"].ShouldBe("5");
        await bi.Release();

        (await rebuild).Status.ShouldBe(200);
        seenRunning.ShouldBeFalse("the reporting shard ran during the rebuild");
        (await controller.Get("/api/customers/PA-1/balance")).Decimal("creditLimit").ShouldBe(1000m);
        await Infrastructure.Scenario.Eventually(async () => new ApiResponse(ReportingRuns() ? 200 : 503, default, new Dictionary<string, string>(), ""),
            r => r.Status == 200);
        (await controller.Put("/api/customers/PA-2", new { name = "After", creditLimit = 5 })).Status.ShouldBe(201);
        (await controller.Get("/api/customers/PA-2/balance")).Decimal("creditLimit").ShouldBe(5m);
    }

    /// <summary>
    /// A rebuild cut short (sweep AQ: the API killed in the middle) left the tables emptied and the progress forgotten; the
    /// restarted API answered 200 from the daemon's replay from zero, half the history, for ~20 s. It finishes the rebuild
    /// first, answering 503 meanwhile, and waits for a reporting session that holds the tables.
    /// </summary>
    [Fact]
    public async Task A_rebuild_cut_short_is_finished_at_the_next_start_before_anything_is_answered_from_the_tables()
    {
        var (host, database, controller) = await OwnHostWithACustomer("cutshort", "CS-1");
        (await controller.Post("/api/customers/CS-1/invoices", new { invoiceId = "I1", amount = 400 })).Status.ShouldBe(201);
        await CaughtUp(host, app);
        var before = await ReadModels(database);
        await host.DisposeAsync();

        // Where the kill left it: the rebuild's first step done (tables emptied, progress forgotten), nothing replayed.
        await using (var conn = new NpgsqlConnection(database))
        {
            await conn.OpenAsync();
            await Credit.Api.Operations.ReadModelRebuild.Reset(conn, CancellationToken.None);
        }
        await using var bi = await ReportingSession.HoldingTheTables(database);
        await using var restarted = await AppFixture.StartHost(database, Clock());
        var reader = new ApiClient(restarted, app.Token("controller-1", "controller"));
        var during = await reader.Get("/api/customers/CS-1/balance");
        Credit.Api.Tests.Security.ProblemAssertions.ShouldBeProblem(during, 503, "READ_MODELS_REBUILDING");
        (await new ApiClient(restarted, null).Get("/health")).Status.ShouldBe(200);
        await Task.Delay(1500); // past a retry of the rebuild the session kept waiting
        Credit.Api.Tests.Security.ProblemAssertions.ShouldBeProblem(await reader.Get("/api/customers/CS-1/balance"), 503, "READ_MODELS_REBUILDING");
        await bi.Release();

        var balance = await Infrastructure.Scenario.Eventually(() => reader.Get("/api/customers/CS-1/balance"), r => r.Status == 200, seconds: 30);
        balance.Decimal("outstanding").ShouldBe(400m);
        await CaughtUp(restarted, app);
        (await ReadModels(database)).ShouldBe(before);
    }

    /// <summary>Once asked, a rebuild is the server's to finish: a client that gives up (a gateway's timeout) cancelled it,
    /// silently, and left the daemon a replay from zero.</summary>
    [Fact]
    public async Task A_rebuild_goes_on_when_the_caller_gives_up()
    {
        var (host, database, _) = await OwnHostWithACustomer("gaveup", "GU-1");
        await using var __ = host;
        var gate = host.Services.GetRequiredService<Credit.Api.Operations.RebuildGate>();
        await using var bi = await ReportingSession.HoldingTheTables(database);

        using var client = host.Server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/projections/rebuild");
        request.Headers.Authorization = new("Bearer", app.Token("ops", "admin"));
        // The rebuild waits on the reporting session's lock (up to 5 s); its caller gives up after 1 s.
        using var giveUp = new CancellationTokenSource();
        var call = client.SendAsync(request, giveUp.Token);
        await Task.Delay(1000);
        await giveUp.CancelAsync();
        await Task.Delay(1000);
        gate.Rebuilding.ShouldBeTrue("the rebuild stopped with its caller");
        await bi.Release();
        try { await call; } catch (OperationCanceledException) { } // the caller is gone either way

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (gate.Rebuilding && DateTime.UtcNow < deadline) await Task.Delay(100);
        gate.Rebuilding.ShouldBeFalse();
        await using var conn = new Npgsql.NpgsqlConnection(database);
        await conn.OpenAsync();
        await using var position = new Npgsql.NpgsqlCommand("select last_seq_id from credit.mt_event_progression where name = 'Reporting:All'", conn);
        ((long?)await position.ExecuteScalarAsync()).ShouldNotBeNull("the rebuild left its position");
    }

    [Fact]
    public async Task A_rebuild_blocked_by_a_reporting_session_says_the_tables_are_in_use_and_leaves_the_read_models_up()
    {
        var (host, database, controller) = await OwnHostWithACustomer("inuse", "IU-1");
        await using var _ = host;

        // A BI tool's session with a transaction left open on a reporting table.
        await using var bi = await ReportingSession.HoldingTheTables(database);

        var started = DateTime.UtcNow;
        var refused = await new ApiClient(host, app.Token("ops", "admin")).Post("/api/projections/rebuild", null);
        Credit.Api.Tests.Security.ProblemAssertions.ShouldBeProblem(refused, 409, "READ_MODELS_IN_USE");
        (DateTime.UtcNow - started).ShouldBeLessThan(TimeSpan.FromSeconds(20));
        await bi.Release();
        (await controller.Get("/api/customers/IU-1/balance")).Decimal("creditLimit").ShouldBe(1000m);

        // The rebuild's 5 s limit on waiting for locks stays with the rebuild: a later read behind a 6 s lock waits, answers 200.
        (await new ApiClient(host, app.Token("ops", "admin")).Post("/api/projections/rebuild", null)).Status.ShouldBe(200);
        await using var locking = await bi.Connection.BeginTransactionAsync();
        await using (var lockTable = new Npgsql.NpgsqlCommand("lock table credit_reporting.customers in access exclusive mode", bi.Connection, locking))
            await lockTable.ExecuteNonQueryAsync();
        var behindLock = controller.Get("/api/customers/IU-1/balance");
        await Task.Delay(TimeSpan.FromSeconds(6));
        await locking.CommitAsync();
        (await behindLock).Status.ShouldBe(200);
    }

    [Fact]
    public async Task Rebuilding_from_the_events_equals_the_live_read_models_by_endpoint_and_by_command()
    {
        var database = await app.NewDatabase("rebuild");
        string live;
        await using (var host = await AppFixture.StartHost(database, Clock()))
        {
            live = await LiveReadModels(host, database);
            live.ShouldContain("payment-reversal");
            live.ShouldContain("released"); // the held order came free when the limit went up

            var admin = new ApiClient(host, app.Token("ops", "admin"));
            var rebuilt = await admin.Post("/api/projections/rebuild", null);
            rebuilt.Status.ShouldBe(200, rebuilt.ToString());
            await CaughtUp(host, app);
            SameReadModels(await ReadModels(database), live);

            // The command beside a running API would replay into the rows the live projection writes: refused.
            var (refusedCode, refusedOutput) = await RebuildCommand(database);
            refusedCode.ShouldBe(1, refusedOutput);
            refusedOutput.ShouldContain("An API is running on this database");
            SameReadModels(await ReadModels(database), live);

            // A second API on the same database would keep its own accounts and pools in memory: refused at start.
            var second = await Should.ThrowAsync<Exception>(() => AppFixture.StartHost(database, Clock()));
            second.ToString().ShouldContain("Another CreditLedger API or a rebuild is using this database");
            (await admin.Get("/api/projections")).Status.ShouldBe(200); // the first serves on
        }

        // The command, with the API stopped, against the same database.
        var (code, output) = await RebuildCommand(database);
        code.ShouldBe(0, output);
        output.ShouldContain("Reporting:");
        SameReadModels(await ReadModels(database), live);
    }

    private static async Task<(int ExitCode, string Output)> RebuildCommand(string database)
    {
        var api = Path.Combine(AppContext.BaseDirectory, "Credit.Api.dll");
        var start = new ProcessStartInfo("dotnet", [api, "projections", "rebuild"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ConnectionStrings__Credit"] = database;
        start.Environment["Auth__SigningKey"] = AppFixture.SigningKeyText;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }

    [Fact]
    public async Task A_rebuild_that_dies_mid_replay_leaves_the_daemon_a_full_replay_at_the_next_start()
    {
        var database = await app.NewDatabase("rebuild-dies");
        string live;
        int indexes;
        await using (var host = await AppFixture.StartHost(database, Clock())) live = await LiveReadModels(host, database);

        // What a rebuild killed (kill -9, Ctrl-C) during its replay leaves behind: empty tables, no progress, and the
        // secondary indexes dropped (they are built at the end).
        await using (var conn = new NpgsqlConnection(database))
        {
            await conn.OpenAsync();
            indexes = await ReportingIndexes(conn);
            await Credit.Api.Operations.ReadModelRebuild.Reset(conn, CancellationToken.None);
            await using var drop = new NpgsqlCommand("""
                do $$ declare i record; begin
                  for i in select format('%I.%I', schemaname, indexname) as name from pg_indexes
                           where schemaname = 'credit_reporting' and indexname not like '%pkey' loop
                    execute 'drop index ' || i.name;
                  end loop;
                end $$
                """, conn);
            await drop.ExecuteNonQueryAsync();
            (await ReportingIndexes(conn)).ShouldBeLessThan(indexes);
        }

        await using (var host = await AppFixture.StartHost(database, Clock()))
        {
            await CaughtUp(host, app);
            SameReadModels(await ReadModels(database), live);
        }
        await using (var conn = new NpgsqlConnection(database))
        {
            await conn.OpenAsync();
            (await ReportingIndexes(conn)).ShouldBe(indexes);
        }
    }

    private static async Task<int> ReportingIndexes(NpgsqlConnection conn)
    {
        await using var count = new NpgsqlCommand("select count(*)::int from pg_indexes where schemaname = 'credit_reporting'", conn);
        return (int)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public void The_reporting_schema_is_in_place_before_the_projection_daemon_starts()
    {
        // Hosted services start one after another, in this order. The daemon replaying beside the schema's
        // installation (indexes recreated after a killed rebuild) deadlocked with it.
        var order = app.Host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Select(s => s.GetType()).ToList();
        var daemon = order.FindIndex(t => typeof(Marten.Events.Daemon.Coordination.IProjectionCoordinator).IsAssignableFrom(t));
        daemon.ShouldBeGreaterThan(0);
        order.IndexOf(typeof(Credit.Api.Reporting.ReportingSchema)).ShouldBeInRange(0, daemon - 1);
        order.IndexOf(typeof(Credit.Api.Audit.HashChain)).ShouldBeInRange(0, daemon - 1);
    }

    [Fact]
    public async Task Item_movements_made_with_the_older_key_take_the_one_with_the_date_at_start()
    {
        var database = await app.NewDatabase("itemkey");
        await using (var _ = await AppFixture.StartHost(database, Clock())) { }
        async Task<int> KeyWidth(NpgsqlConnection conn)
        {
            await using var width = new NpgsqlCommand("""
                select array_length(conkey, 1) from pg_constraint where conrelid = 'credit_reporting.item_movements'::regclass and contype = 'p'
                """, conn);
            return (int)(await width.ExecuteScalarAsync())!;
        }
        await using (var conn = new NpgsqlConnection(database))
        {
            await conn.OpenAsync();
            (await KeyWidth(conn)).ShouldBe(4);
            // As a database made by an earlier version has it.
            await using var older = new NpgsqlCommand("""
                alter table credit_reporting.item_movements drop constraint item_movements_pkey,
                    add constraint item_movements_pkey primary key (seq_id, document_id, installment)
                """, conn);
            await older.ExecuteNonQueryAsync();
            (await KeyWidth(conn)).ShouldBe(3);
        }
        await using (var _ = await AppFixture.StartHost(database, Clock())) { }
        await using (var conn = new NpgsqlConnection(database))
        {
            await conn.OpenAsync();
            (await KeyWidth(conn)).ShouldBe(4);
        }
    }

    /// <summary>Names the first differing row (the whole dump is too long for an assertion message).</summary>
    internal static void SameReadModels(string rebuilt, string live)
    {
        var (a, b) = (rebuilt.Split('\n'), live.Split('\n'));
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
            a.ElementAtOrDefault(i).ShouldBe(b.ElementAtOrDefault(i), $"line {i} of the read-model dump");
    }
}

/// <summary>A BI tool's session with a transaction left open on a reporting table: a rebuild waits for it (up to 5 s).</summary>
internal sealed class ReportingSession(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction open) : IAsyncDisposable
{
    public Npgsql.NpgsqlConnection Connection => connection;

    public static async Task<ReportingSession> HoldingTheTables(string database)
    {
        var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        var open = await connection.BeginTransactionAsync();
        await using (var read = new Npgsql.NpgsqlCommand("select count(*) from credit_reporting.ledger_entries", connection, open))
            await read.ExecuteScalarAsync();
        return new ReportingSession(connection, open);
    }

    /// <summary>Ends the transaction: the tables are free.</summary>
    public Task Release() => open.RollbackAsync();

    public async ValueTask DisposeAsync()
    {
        await open.DisposeAsync();
        await connection.DisposeAsync();
    }
}
