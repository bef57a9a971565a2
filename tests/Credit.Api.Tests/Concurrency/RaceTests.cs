using Credit.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Credit.Api.Tests.Concurrency;

/// <summary>Documents that each fit but together exceed a limit must never all pass, whatever the interleaving.</summary>
public class RaceTests(AppFixture app)
{
    [Fact]
    public async Task Sixty_racing_invoices_on_one_customer_never_exceed_its_limit()
    {
        var id = await app.Customer(new { name = "Race", creditLimit = 1000 });
        var clerk = app.Clerk;
        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            Task.Run(() => clerk.Post($"/api/customers/{id}/invoices", new { invoiceId = $"R-{i}", amount = 100 }))));

        results.ShouldAllBe(r => r.Status == 201 || (r.Status == 409 && r.Code == "CREDIT_REFUSED"));
        results.Count(r => r.Status == 201).ShouldBe(10);
        var balance = await clerk.Get($"/api/customers/{id}/balance");
        balance.Decimal("outstanding").ShouldBe(1000m);
    }

    [Fact]
    public async Task Sixty_racing_orders_and_invoices_on_two_customers_never_exceed_their_shared_pool()
    {
        var group = AppFixture.NewId("racepool");
        await app.Controller.Put($"/api/groups/{group}", new { name = "Race pool", sharedCreditLimit = 1500 });
        var a = await app.Customer(new { name = "A", groupId = group });
        var b = await app.Customer(new { name = "B", groupId = group });
        var clerk = app.Clerk;
        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() => i % 3 == 0
            ? clerk.Post($"/api/customers/{(i % 2 == 0 ? a : b)}/orders", new { orderId = $"O-{i}", amount = 100 })
            : clerk.Post($"/api/customers/{(i % 2 == 0 ? a : b)}/invoices", new { invoiceId = $"I-{i}", amount = 100 }))));

        results.ShouldAllBe(r => r.Status == 201 || (r.Status == 409 && r.Code == "CREDIT_REFUSED"), string.Join("\n", results.Where(r => r.Status >= 500)));
        var granted = results.Count(r => r.Status == 201 && (r.Body.TryGetProperty("status", out var s) ? s.GetString() == "approved" : true));
        granted.ShouldBe(15);
        var pool = await clerk.Get($"/api/groups/{group}");
        pool.Decimal("exposure").ShouldBe(1500m);
    }

    /// <summary>
    /// A member moving to another pool while its order waits: the order took the old pool's gate, then was decided in the
    /// new pool's context beside that pool's own decisions (under load, a controller's change of the pool failed with 409).
    /// The move takes both pools' gates; the order is decided under whichever pool its customer is in when it goes.
    /// </summary>
    [Fact]
    public async Task A_member_moving_to_another_pool_waits_for_both_pools_and_its_waiting_order_is_decided_under_one()
    {
        var (a, b) = (AppFixture.NewId("movea"), AppFixture.NewId("moveb"));
        foreach (var g in new[] { a, b })
            (await app.Controller.Put($"/api/groups/{g}", new { name = g, sharedCreditLimit = 100_000 })).Status.ShouldBe(201);
        var mover = await app.Customer(new { name = "Mover", groupId = a, creditLimit = 100_000 }, "mv");
        var cache = app.Host.Services.GetRequiredService<Credit.Api.Accounts.AccountCache>();
        var (gateA, gateB) = (cache.PoolGate(a), cache.PoolGate(b));

        // Both pools busy (a controller's change in progress, say); the move queues for A's gate, then the order does.
        await gateA.WaitAsync();
        await gateB.WaitAsync();
        var move = Task.Run(() => app.Controller.Put($"/api/customers/{mover}", new { name = "Mover", groupId = b, creditLimit = 100_000 }));
        await Task.Delay(300);
        var order = Task.Run(() => app.Clerk.Post($"/api/customers/{mover}/orders", new { orderId = "O1", amount = 100 }));
        await Task.Delay(300);
        gateA.Release();

        // The move waits for the gate of the pool it moves into as well (the order, next at A's gate, may go first, in A).
        (await Task.WhenAny(move, Task.Delay(1000))).ShouldNotBe(move, "moved into pool B beside what holds its gate");
        gateB.Release();
        (await move).Status.ShouldBe(200);
        (await order).String("status").ShouldBe("approved");
        (await app.Controller.Get($"/api/groups/{b}")).Decimal("exposure").ShouldBe(100m);
    }

    /// <summary>
    /// A controller's rate change landing between an order's decision and its commit: the order was committed on the old
    /// rate, over the limit the new one gives (a load sweep found 3 such orders, up to 10 % over an inherited limit). It is
    /// decided again on the new policy.
    /// </summary>
    [Fact]
    public async Task An_order_decided_on_a_rate_changed_before_its_commit_is_decided_again_on_the_new_rate()
    {
        await using var host = await AppFixture.StartHost(await app.NewDatabase("raterace"), app.Clock);
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        var set = await controller.Put("/api/policy", new { defaultCreditLimit = 1000, exchangeRates = new Dictionary<string, decimal> { ["KWD"] = 6.1m } });
        set.Status.ShouldBe(200, set.ToString());
        (await controller.Put("/api/customers/kw", new { name = "Kuwait", currency = "KWD" })).Status.ShouldBe(201);
        var policies = host.Services.GetRequiredService<Credit.Api.Policy.PolicyStore>();
        var stronger = (await policies.Current(CancellationToken.None)) with
        {
            ExchangeRates = new SortedDictionary<string, decimal>(StringComparer.Ordinal) { ["KWD"] = 12.2m },
        };

        // 100 KWD fits 1,000 SAR at 6.1 (163.934 KWD), not at 12.2 (81.967 KWD).
        var seen = await DecideOrderWhile(host, "kw", 100m, () => policies.Save(stronger, Controller, CancellationToken.None));

        seen.Rates.ShouldBe([6.1m, 12.2m]);
        seen.Result.Status.ShouldBe(Credit.Domain.Accounts.OrderStatus.Held);
        var balance = await controller.Get("/api/customers/kw/balance");
        balance.Decimal("exposure").ShouldBe(0m, balance.ToString());
        balance.Decimal("creditLimit").ShouldBe(81.967m, balance.ToString());

        // What only reports read (aging buckets, DSO windows) decides nothing: an order waiting to commit is not decided again.
        (await controller.Put("/api/customers/kw2", new { name = "Kuwait 2", currency = "KWD" })).Status.ShouldBe(201);
        var reporting = (await policies.Current(CancellationToken.None)) with { AgingBuckets = [15, 45, 90], DsoWindowsMonths = [6] };
        var once = await DecideOrderWhile(host, "kw2", 50m, () => policies.Save(reporting, Controller, CancellationToken.None));
        once.Rates.ShouldBe([12.2m]);
        once.Result.Status.ShouldBe(Credit.Domain.Accounts.OrderStatus.Approved);
        (await controller.Get("/api/policy")).Body.GetProperty("agingBuckets").EnumerateArray().Select(b => b.GetInt32()).ShouldBe([15, 45, 90]);
    }

    /// <summary>
    /// The same for a group's default limit: a member inheriting it takes no pool gate, so a controller lowering it raced
    /// the member's orders.
    /// </summary>
    [Fact]
    public async Task An_order_decided_on_a_group_limit_lowered_before_its_commit_is_decided_again_on_the_new_limit()
    {
        await using var host = await AppFixture.StartHost(await app.NewDatabase("grouprace"), app.Clock);
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        (await controller.Put("/api/groups/retail", new { name = "Retail", defaultCreditLimit = 1000 })).Status.ShouldBe(201);
        (await controller.Put("/api/customers/member", new { name = "Member", groupId = "retail" })).Status.ShouldBe(201);

        var seen = await DecideOrderWhile(host, "member", 600m,
            () => controller.Put("/api/groups/retail", new { name = "Retail", defaultCreditLimit = 500 }));

        seen.Limits.ShouldBe([1000m, 500m]);
        seen.Result.Status.ShouldBe(Credit.Domain.Accounts.OrderStatus.Held);
        (await controller.Get("/api/customers/member/balance")).Decimal("exposure").ShouldBe(0m);
    }

    /// <summary>
    /// A debtor moving into a pool while a member's order there is being decided: the order, decided on the pool without
    /// the newcomer's debt, committed after the move (the pool over its limit by a grant); deciding the move again on each
    /// such conflict starved it under a busy pool (409). The move waits for the pool's gate: a decision in progress there
    /// goes first, and the next one counts the newcomer's debt. A customer created into the pool with an opening balance too.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_debtor_moving_into_a_pool_waits_for_a_decision_there_and_the_next_counts_its_debt(bool created)
    {
        var pool = AppFixture.NewId("joinrace");
        (await app.Controller.Put($"/api/groups/{pool}", new { name = "Pool", sharedCreditLimit = 1000 })).Status.ShouldBe(201);
        var member = await app.Customer(new { name = "Member", groupId = pool, creditLimit = 1000 }, "jm");
        var debtor = created ? AppFixture.NewId("jn") : await app.Customer(new { name = "Debtor", creditLimit = 1000 }, "jd");
        if (!created) (await app.Clerk.Post($"/api/customers/{debtor}/invoices", new { invoiceId = "D1", amount = 700 })).Status.ShouldBe(201);

        var gate = app.Host.Services.GetRequiredService<Credit.Api.Accounts.AccountCache>().PoolGate(pool);
        await gate.WaitAsync(); // a member's decision in progress
        var move = Task.Run(() => app.Controller.Put($"/api/customers/{debtor}", created
            ? new { name = "Debtor", groupId = pool, creditLimit = 1000, openingBalance = new { amount = 700, asOf = "2026-11-01" } }
            : (object)new { name = "Debtor", groupId = pool, creditLimit = 1000 }));
        (await Task.WhenAny(move, Task.Delay(500))).ShouldNotBe(move, "moved into the pool beside a decision there");
        gate.Release();
        (await move).Status.ShouldBe(created ? 201 : 200, (await move).ToString());

        (await app.Clerk.Post($"/api/customers/{member}/orders", new { orderId = "O1", amount = 600 })).Codes("reasons").ShouldBe(["GROUP_LIMIT_EXCEEDED"]);
        (await app.Controller.Get($"/api/groups/{pool}")).Decimal("exposure").ShouldBe(700m);
    }

    /// <summary>
    /// A controller changing a pool's limit while customers join and leave it: each join rewrites the pool's record, and a
    /// join committed between the save's read and write failed it on the version (sweep AE: 98 of 441 saves, 409).
    /// </summary>
    [Fact]
    public async Task A_controller_changes_a_pool_while_customers_join_and_leave_it_and_every_change_lands()
    {
        var pool = AppFixture.NewId("joinput");
        (await app.Controller.Put($"/api/groups/{pool}", new { name = "Pool", sharedCreditLimit = 50_000 })).Status.ShouldBe(201);
        var movers = new List<string>();
        for (var i = 0; i < 4; i++) movers.Add(await app.Customer(new { name = $"Mover {i}", creditLimit = 1000 }, $"jp{i}"));
        using var stop = new CancellationTokenSource();
        var moves = movers.Select(id => Task.Run(async () =>
        {
            var statuses = new List<int>();
            for (var n = 0; !stop.IsCancellationRequested; n++)
                statuses.Add((await app.Controller.Put($"/api/customers/{id}", new { name = id, groupId = n % 2 == 0 ? pool : null })).Status);
            return statuses;
        })).ToList();

        var saves = new List<ApiResponse>();
        for (var i = 1; i <= 60; i++) saves.Add(await app.Controller.Put($"/api/groups/{pool}", new { name = "Pool", sharedCreditLimit = 50_000 + i }));
        await stop.CancelAsync();
        var moved = (await Task.WhenAll(moves)).SelectMany(s => s).ToList();

        saves.ShouldAllBe(r => r.Status == 200, string.Join("\n", saves.Where(r => r.Status != 200).Select(r => r.ToString()).Take(3)));
        moved.ShouldAllBe(status => status == 200);
        moved.Count.ShouldBeGreaterThan(20, "the joins raced the saves");
        (await app.Controller.Get($"/api/groups/{pool}")).Decimal("sharedCreditLimit").ShouldBe(50_060m);
    }

    /// <summary>
    /// A customer joining a group as a controller turns it into a pool: the move, decided on the group without a pool, took
    /// no pool gate and committed after the change, so a member's grant beside it could miss the newcomer's debt. Its commit
    /// is refused and the move decided again under the new pool's gate, rewriting the pool's record like every join.
    /// </summary>
    [Fact]
    public async Task A_customer_joining_a_group_that_becomes_a_pool_meanwhile_is_decided_again_under_the_pool()
    {
        await using var host = await AppFixture.StartHost(await app.NewDatabase("joinpool"), app.Clock);
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        (await controller.Put("/api/groups/branches", new { name = "Branches", defaultCreditLimit = 1000 })).Status.ShouldBe(201);
        (await controller.Put("/api/customers/debtor", new { name = "Debtor", creditLimit = 1000 })).Status.ShouldBe(201);
        (await controller.Post("/api/customers/debtor/invoices", new { invoiceId = "D1", amount = 700 })).Status.ShouldBe(201);
        var (settings, groups, store, seals) = (host.Services.GetRequiredService<Credit.Api.Accounts.SettingsChanges>(),
            host.Services.GetRequiredService<Credit.Api.Accounts.GroupCache>(), host.Services.GetRequiredService<Marten.IDocumentStore>(),
            host.Services.GetRequiredService<Credit.Api.Audit.Seals>());

        // The controller's change takes its turn first and lands once the move has read the group and waits to commit.
        var moveWaits = new TaskCompletionSource();
        var change = settings.ChangeGroup("branches", async () =>
        {
            await moveWaits.Task;
            await using var session = store.LightweightSession();
            var group = (await session.LoadAsync<Credit.Api.Groups.CustomerGroup>("branches"))!;
            group.SharedCreditLimit = 1500m;
            group.Seal = seals.Group(group);
            session.Store(group);
            session.Events.Append(Credit.Api.Groups.CustomerGroup.StreamOf("branches"),
                new Credit.Api.Groups.GroupSaved("branches", group.Name, group.DefaultCreditLimit, group.SharedCreditLimit));
            await session.SaveChangesAsync();
            groups.Saved(group);
            return (group.Version, true);
        }, CancellationToken.None);
        var move = Task.Run(() => controller.Put("/api/customers/debtor", new { name = "Debtor", groupId = "branches", creditLimit = 1000 }));
        await Task.Delay(500);
        moveWaits.SetResult();
        var pooledVersion = await change;

        (await move).Status.ShouldBe(200);
        (await groups.Group("branches", CancellationToken.None))!.Version.ShouldNotBe(pooledVersion,
            "the join committed without the pool's gate, on the group as it was before it became a pool");
        (await controller.Get("/api/groups/branches")).Decimal("exposure").ShouldBe(700m);
    }

    private static readonly Credit.Api.Auth.Caller Controller =
        new("controller-1", new HashSet<string> { "controller" }, "race-test");

    /// <summary>
    /// Places an order through the write path with the order's real decision, running <paramref name="change"/> after the
    /// first decision and before its commit; answers what each attempt saw and the final result.
    /// </summary>
    private static async Task<(List<decimal?> Rates, List<decimal?> Limits, Credit.Domain.Orders.OrderResult Result)> DecideOrderWhile(
        Alba.IAlbaHost host, string customerId, decimal amount, Func<Task> change)
    {
        var accounts = host.Services.GetRequiredService<Credit.Api.Accounts.AccountStore>();
        var today = host.Services.GetRequiredService<Credit.Api.Hosting.BusinessCalendar>().Today;
        var request = new Credit.Api.Orders.PlaceOrderRequest("O1", amount, null, null);
        var command = new Credit.Domain.Orders.PlaceOrder("O1", amount, today, null,
            Credit.Api.Accounts.Fingerprint.Print(request, (r, date, _) => r with { OrderedOn = r.OrderedOn ?? date }));
        var (rates, limits) = (new List<decimal?>(), new List<decimal?>());
        var outcome = await accounts.DecideExisting(customerId, Controller, (account, context) =>
        {
            rates.Add(context.Policy.ExchangeRates.TryGetValue("KWD", out var rate) ? rate : null);
            limits.Add(context.Group?.DefaultCreditLimit);
            var decided = Credit.Domain.Orders.OrderDecisions.Place(account, command, context);
            // Synchronously, as if the change had landed while the decision waited for the group commit.
            if (rates.Count == 1) change().GetAwaiter().GetResult();
            return decided;
        }, CancellationToken.None);
        outcome.IsAccepted.ShouldBeTrue();
        return (rates, limits, outcome.Result!);
    }

    /// <summary>
    /// Two nodes would each keep their own copy of an account and of a pool's exposure: the append's version check held a
    /// single customer, not a pool (a sweep took a 25,000 pool to 44,369). A second node is refused at start, and the one
    /// that serves decides every race on the customer.
    /// </summary>
    [Fact]
    public async Task A_second_node_is_refused_and_the_one_serving_never_exceeds_a_limit()
    {
        var database = await app.NewDatabase("twonodes");
        await using var first = await AppFixture.StartHost(database, app.Clock);
        var refused = await Should.ThrowAsync<Exception>(() => AppFixture.StartHost(database, app.Clock));
        refused.ToString().ShouldContain("Another CreditLedger API or a rebuild is using this database");

        var clerk = new ApiClient(first, app.Token("clerk-1", "clerk"));
        (await new ApiClient(first, app.Token("controller-1", "controller")).Put("/api/customers/twin", new { name = "Twin", creditLimit = 1000 }))
            .Status.ShouldBe(201);
        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            Task.Run(() => clerk.Post("/api/customers/twin/invoices", new { invoiceId = $"T-{i}", amount = 100 }))));

        results.ShouldAllBe(r => r.Status == 201 || (r.Status == 409 && r.Code == "CREDIT_REFUSED"), string.Join("\n", results.Where(r => r.Status >= 500)));
        results.Count(r => r.Status == 201).ShouldBe(10);
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        await using var stored = new NpgsqlCommand(
            "select count(*) from credit.mt_events where stream_id = 'twin' and type = 'invoice_issued'", db);
        await using (var reader = await stored.ExecuteReaderAsync())
        {
            reader.Read();
            reader.GetInt64(0).ShouldBe(10);
        }
        var verified = await new ApiClient(first, app.Token("auditor-1", "auditor")).Get("/api/customers/twin/history/verify");
        verified.Body.GetProperty("valid").GetBoolean().ShouldBeTrue(verified.Text);
    }

    [Fact]
    public async Task Racing_decisions_while_the_cache_lets_accounts_go_never_exceed_a_limit_or_a_pool()
    {
        // Room for two accounts: every request on another customer makes the cache let some go, so decisions keep
        // meeting accounts evicted under them (taken again from the store through a new entry and gate).
        var database = await app.NewDatabase("evict");
        await using var host = await AppFixture.StartHost(database, app.Clock, ("Credit:Accounts:InMemory", "2"));
        var controller = new ApiClient(host, app.Token("controller-1", "controller"));
        var clerk = new ApiClient(host, app.Token("clerk-1", "clerk"));
        (await controller.Put("/api/customers/solo", new { name = "Solo", creditLimit = 1000 })).Status.ShouldBe(201);
        (await controller.Put("/api/groups/pool", new { name = "Pool", sharedCreditLimit = 1500 })).Status.ShouldBe(201);
        (await controller.Put("/api/customers/a", new { name = "A", groupId = "pool" })).Status.ShouldBe(201);
        (await controller.Put("/api/customers/b", new { name = "B", groupId = "pool" })).Status.ShouldBe(201);
        for (var n = 0; n < 10; n++)
            (await controller.Put($"/api/customers/other-{n}", new { name = $"Other {n}" })).Status.ShouldBe(201);

        var decisions = Enumerable.Range(0, 60).Select(i => Task.Run(() => clerk.Post("/api/customers/solo/invoices", new { invoiceId = $"S-{i}", amount = 100 })))
            .Concat(Enumerable.Range(0, 60).Select(i => Task.Run(() => clerk.Post($"/api/customers/{(i % 2 == 0 ? "a" : "b")}/invoices",
                new { invoiceId = $"P-{i}", amount = 100 }))))
            .ToArray();
        var churn = Enumerable.Range(0, 120).Select(i => Task.Run(() => clerk.Get($"/api/customers/other-{i % 10}"))).ToArray();
        var results = await Task.WhenAll(decisions);
        (await Task.WhenAll(churn)).ShouldAllBe(r => r.Status == 200);

        results.ShouldAllBe(r => r.Status == 201 || (r.Status == 409 && r.Code == "CREDIT_REFUSED"), string.Join("\n", results.Where(r => r.Status >= 500)));
        results.Take(60).Count(r => r.Status == 201).ShouldBe(10);
        results.Skip(60).Count(r => r.Status == 201).ShouldBe(15);
        (await new ApiClient(host, app.Token("auditor-1", "auditor")).Get("/api/customers/solo/state")).Decimal("outstanding").ShouldBe(1000m);
        (await clerk.Get("/api/groups/pool")).Decimal("exposure").ShouldBe(1500m);

        // Thirteen customers were used; the cache holds about its capacity (trimmed past a tenth over it, plus one).
        // A trim skips accounts with a request in flight, so one more id asked for once all is quiet starts the last.
        (await clerk.Get("/api/customers/nobody")).Status.ShouldBe(404);
        var cache = host.Services.GetRequiredService<Credit.Api.Accounts.AccountCache>();
        for (var i = 0; i < 50 && cache.Count > 3; i++) await Task.Delay(20);
        cache.Count.ShouldBeLessThanOrEqualTo(3);
    }

    [Fact]
    public async Task Accounts_past_the_event_budget_are_let_go_and_decide_the_same_when_folded_again()
    {
        // Room for 40 events between all accounts held: five customers of 16 events each cannot all stay.
        var database = await app.NewDatabase("budget");
        await using var host = await AppFixture.StartHost(database, app.Clock, ("Credit:Accounts:InMemoryEvents", "40"));
        var clerk = new ApiClient(host, app.Token("clerk-1", "clerk"));
        var cache = host.Services.GetRequiredService<Credit.Api.Accounts.AccountCache>();
        for (var c = 0; c < 5; c++)
        {
            (await clerk.Put($"/api/customers/long-{c}", new { name = $"Long {c}", creditLimit = 1500 })).Status.ShouldBe(201);
            for (var i = 0; i < 14; i++)
                (await clerk.Post($"/api/customers/long-{c}/invoices", new { invoiceId = $"L-{i}", amount = 100 })).Status.ShouldBe(201);
        }
        for (var i = 0; i < 50 && cache.Events > 44; i++) await Task.Delay(20);
        cache.Events.ShouldBeLessThanOrEqualTo(44); // trimmed past a tenth over the budget
        cache.Count.ShouldBeLessThan(5);

        // Every account, held or let go, still knows its whole history: 1,400 of 1,500 used, so 100 fits and 200 does not.
        for (var c = 0; c < 5; c++)
        {
            (await clerk.Post($"/api/customers/long-{c}/invoices", new { invoiceId = "L-over", amount = 200 })).Code.ShouldBe("CREDIT_REFUSED");
            (await clerk.Post($"/api/customers/long-{c}/invoices", new { invoiceId = "L-0", amount = 100 })).Status.ShouldBe(200); // a repeat
            (await clerk.Post($"/api/customers/long-{c}/invoices", new { invoiceId = "L-last", amount = 100 })).Status.ShouldBe(201);
        }
        for (var i = 0; i < 50 && cache.Events > 44; i++) await Task.Delay(20);
        cache.Events.ShouldBeLessThanOrEqualTo(44);
    }

    [Fact]
    public async Task Racing_requests_on_accounts_a_restarted_node_has_not_loaded_yet_all_get_their_answer()
    {
        // The first requests after a start fold each account while others wait for it or arrive: every one gets its
        // answer and the balances add up. (Under load a decision once changed an account whose first loader was
        // still building its open position: a 500. That interleaving is too narrow for this test to hit reliably;
        // AccountCache.Load now marks an entry loaded only once it is complete.)
        var database = await app.NewDatabase("cold");
        var customers = new[] { "cold-1", "cold-2" };
        var unlimited = ("Credit:RateLimit:PerSecond", "0");
        await using (var first = await AppFixture.StartHost(database, app.Clock, unlimited))
        {
            var controller = new ApiClient(first, app.Token("controller-1", "controller"));
            foreach (var id in customers)
            {
                (await controller.Put($"/api/customers/{id}", new { name = id, unlimitedCredit = true })).Status.ShouldBe(201);
                await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
                {
                    for (var i = w; i < 400; i += 8)
                        (await controller.Post($"/api/customers/{id}/invoices", new { invoiceId = $"H-{i}", amount = 10 })).Status.ShouldBe(201);
                })));
            }
        }

        await using var second = await AppFixture.StartHost(database, app.Clock, unlimited);
        var clerk = new ApiClient(second, app.Token("clerk-1", "clerk"));
        var until = DateTime.UtcNow.AddSeconds(1);
        var sent = new int[customers.Length];
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(w => Task.Run(async () =>
        {
            var mine = new List<ApiResponse>();
            for (var i = 0; DateTime.UtcNow < until; i++)
            {
                var c = (w + i) % customers.Length;
                var n = Interlocked.Increment(ref sent[c]);
                mine.Add(await clerk.Post($"/api/customers/{customers[c]}/payments", new { paymentId = $"P-{n}", amount = 1 }));
            }
            return mine;
        })));

        var results = answers.SelectMany(a => a).ToList();
        results.ShouldAllBe(r => r.Status == 201, string.Join("\n", results.Where(r => r.Status != 201).Take(3)));
        var auditor = new ApiClient(second, app.Token("auditor-1", "auditor"));
        for (var c = 0; c < customers.Length; c++)
            (await auditor.Get($"/api/customers/{customers[c]}/state")).Decimal("outstanding").ShouldBe(400 * 10m - sent[c]);
    }
}
