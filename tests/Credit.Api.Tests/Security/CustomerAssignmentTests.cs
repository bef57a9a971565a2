using System.Collections.Concurrent;
using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Security;

/// <summary>Read targets, one assigned to alice and carol and one unassigned, each with an order, an invoice and a payment.</summary>
public sealed class AssignmentFixture(AppFixture app) : IAsyncLifetime
{
    public AppFixture App => app;
    public string Assigned { get; private set; } = "";
    public string Unassigned { get; private set; } = "";
    public ConcurrentDictionary<string, Task<string>> DeniedTargets { get; } = new();

    public async ValueTask InitializeAsync()
    {
        Assigned = await CustomerAssignmentTests.Arrange(app, ["alice", "carol"]);
        Unassigned = await CustomerAssignmentTests.Arrange(app, []);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// A clerk acts on unassigned customers and on those whose assignedTo holds its token subject; on any other
/// customer every customer-scoped endpoint answers 403 CUSTOMER_NOT_ASSIGNED and writes nothing, even when its token
/// also carries a role that reads every customer. Controllers see every customer. Lists (holds, notifications) show a clerk only its customers.
/// </summary>
public class CustomerAssignmentTests(AssignmentFixture fx) : IClassFixture<AssignmentFixture>
{
    /// <summary>A customer with an approved order O1, an invoice I1, a payment P1 and a credit note CN0, by a controller.</summary>
    public static async Task<string> Arrange(AppFixture app, string[] assignedTo)
    {
        var id = await app.Customer(new { name = "عميل مخصص", assignedTo, unlimitedCredit = true }, "asg");
        var controller = app.As("assignment-arranger", Roles.Controller);
        (await controller.Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 50 })).Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 100, issuedOn = "2026-11-01", dueOn = "2026-12-31" }))
            .Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{id}/payments", new { paymentId = "P1", amount = 10, receivedOn = "2026-11-20" })).Status.ShouldBe(201);
        (await controller.Post($"/api/customers/{id}/credit-notes", new { creditNoteId = "CN0", amount = 5, reason = "damaged" })).Status.ShouldBe(201);
        return id;
    }

    private sealed record Spec(string Name, bool Writes, Func<string, (HttpMethod Method, string Url, object? Body)> Call);

    private static readonly Spec[] Specs =
    [
        new("GET customer", false, id => (HttpMethod.Get, $"/api/customers/{id}", null)),
        // The body is set per actor: a profile update repeats the customer's assignment.
        new("PUT customer (profile)", true, id => (HttpMethod.Put, $"/api/customers/{id}", null)),
        new("POST credit-check", false, id => (HttpMethod.Post, $"/api/customers/{id}/credit-check", new { amount = 10, kind = "order" })),
        new("POST orders", true, id => (HttpMethod.Post, $"/api/customers/{id}/orders", new { orderId = "O2", amount = 10 })),
        new("GET order", false, id => (HttpMethod.Get, $"/api/customers/{id}/orders/O1", null)),
        new("GET orders", false, id => (HttpMethod.Get, $"/api/customers/{id}/orders", null)),
        new("POST order cancel", true, id => (HttpMethod.Post, $"/api/customers/{id}/orders/O1/cancel", new { reason = "customer changed mind" })),
        new("POST invoices", true, id => (HttpMethod.Post, $"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 10 })),
        new("GET invoice", false, id => (HttpMethod.Get, $"/api/customers/{id}/invoices/I1", null)),
        new("POST credit-notes", true, id => (HttpMethod.Post, $"/api/customers/{id}/credit-notes", new { creditNoteId = "CN1", amount = 5, reason = "damaged" })),
        new("POST payments", true, id => (HttpMethod.Post, $"/api/customers/{id}/payments", new { paymentId = "P2", amount = 5 })),
        new("GET payment", false, id => (HttpMethod.Get, $"/api/customers/{id}/payments/P1", null)),
        new("GET payments", false, id => (HttpMethod.Get, $"/api/customers/{id}/payments", null)),
        new("GET credit note", false, id => (HttpMethod.Get, $"/api/customers/{id}/credit-notes/CN0", null)),
        new("GET credit notes", false, id => (HttpMethod.Get, $"/api/customers/{id}/credit-notes", null)),
        new("POST payment reverse", true, id => (HttpMethod.Post, $"/api/customers/{id}/payments/P1/reverse", new { reason = "bounced" })),
        new("GET balance", false, id => (HttpMethod.Get, $"/api/customers/{id}/balance", null)),
        new("GET statement", false, id => (HttpMethod.Get, $"/api/customers/{id}/statement?from=2026-11-01&to=2026-11-23", null)),
        new("GET statistics", false, id => (HttpMethod.Get, $"/api/customers/{id}/statistics?asOf=2026-11-23", null)),
    ];

    /// <summary>Who calls, on which customer, and whether it may read it and change it.</summary>
    private sealed record Actor(string Name, string User, string[] Roles, bool OnAssigned, bool MayRead, bool MayWrite);

    private static readonly Actor[] Actors =
    [
        new("assigned clerk", "alice", [Roles.Clerk], true, true, true),
        new("second assigned clerk", "carol", [Roles.Clerk], true, true, true),
        new("other clerk", "bob", [Roles.Clerk], true, false, false),
        new("clerk whose name differs only in case", "ALICE", [Roles.Clerk], true, false, false),
        new("controller not in assignedTo", "victor", [Roles.Controller], true, true, true),
        new("other clerk on an unassigned customer", "bob", [Roles.Clerk], false, true, true),
        // Reading everything as an auditor or a reporter does not let a clerk change other clerks' customers.
        new("other clerk who is also an auditor", "bob", [Roles.Clerk, Roles.Auditor], true, true, false),
        new("other clerk who is also a reporter", "bob", [Roles.Clerk, Roles.Reporter], true, true, false),
    ];

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var spec in Specs)
        foreach (var actor in Actors)
            rows.Add(spec.Name, actor.Name);
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Clerks_act_only_on_their_customers(string endpoint, string actorName)
    {
        var spec = Specs.Single(s => s.Name == endpoint);
        var actor = Actors.Single(a => a.Name == actorName);
        var allowed = spec.Writes ? actor.MayWrite : actor.MayRead;
        string target;
        if (!spec.Writes) target = actor.OnAssigned ? fx.Assigned : fx.Unassigned;
        else if (allowed) target = await Arrange(fx.App, actor.OnAssigned ? ["alice", "carol"] : []);
        else target = await fx.DeniedTargets.GetOrAdd(endpoint, _ => Arrange(fx.App, ["alice", "carol"]));

        var (method, url, body) = spec.Call(target);
        if (method == HttpMethod.Put)
            body = new { name = "Renamed", assignedTo = actor.OnAssigned ? new[] { "alice", "carol" } : [], unlimitedCredit = true };
        var before = await Streams.Version(fx.App.ConnectionString, target);
        var r = await fx.App.As(actor.User, actor.Roles).Send(method, url, body);
        var context = $"{endpoint} by {actorName}";

        if (allowed)
        {
            r.IsSuccess().ShouldBeTrue($"{context}: expected 2xx, got {ProblemAssertions.Shorten(r)}");
            return;
        }
        r.ShouldBeProblem(403, "CUSTOMER_NOT_ASSIGNED", context);
        (await Streams.Version(fx.App.ConnectionString, target)).ShouldBe(before, $"{context} wrote an event");
    }

    /// <summary>The holds queue: alice sees her customer's and the unassigned customer's held orders, never bob's; a controller sees all.</summary>
    [Fact]
    public async Task The_holds_queue_shows_a_clerk_only_its_customers()
    {
        var controller = fx.App.As("assignment-arranger", Roles.Controller);
        async Task<string> WithHeldOrder(string[] assignedTo)
        {
            var id = await fx.App.Customer(new { name = "Held", assignedTo, creditLimit = 0 }, "asg-h");
            var placed = await controller.Post($"/api/customers/{id}/orders", new { orderId = "H1", amount = 100 });
            placed.String("status").ShouldBe("held", placed.ToString());
            return id;
        }
        var alices = await WithHeldOrder(["alice"]);
        var bobs = await WithHeldOrder(["bob"]);
        var nobodys = await WithHeldOrder([]);

        static HashSet<string> Customers(ApiResponse r) =>
            r.Body.EnumerateArray().Select(h => h.GetProperty("customerId").GetString()!).ToHashSet();

        var all = await Scenario.Eventually(() => controller.Get("/api/holds"),
            r => r.Status == 200 && Customers(r).IsSupersetOf([alices, bobs, nobodys]));
        all.Status.ShouldBe(200);

        var alice = await fx.App.As("alice", Roles.Clerk).Get("/api/holds");
        alice.Status.ShouldBe(200, alice.ToString());
        Customers(alice).ShouldContain(alices);
        Customers(alice).ShouldContain(nobodys);
        Customers(alice).ShouldNotContain(bobs);

        var bob = await fx.App.As("bob", Roles.Clerk).Get("/api/holds");
        Customers(bob).ShouldContain(bobs);
        Customers(bob).ShouldNotContain(alices);

        // One customer's queue: its holds only; another clerk's customer is 403, an unknown one 404.
        Customers(await fx.App.As("alice", Roles.Clerk).Get($"/api/holds?customerId={alices}")).ShouldBe([alices]);
        (await fx.App.As("alice", Roles.Clerk).Get($"/api/holds?customerId={bobs}")).ShouldBeProblem(403, "CUSTOMER_NOT_ASSIGNED");
        (await controller.Get($"/api/holds?customerId={AppFixture.NewId("nobody")}")).ShouldBeProblem(404);
    }

    /// <summary>Reminders: a clerk never sees those of a customer assigned to someone else, filtered or not.</summary>
    [Fact]
    public async Task Notifications_show_a_clerk_only_its_customers()
    {
        async Task<string> WithOverdueInvoice(string[] assignedTo)
        {
            var id = await fx.App.Customer(new { name = "Reminded", assignedTo }, "asg-n");
            (await fx.App.Controller.Post($"/api/customers/{id}/invoices", new { invoiceId = "OLD", amount = 100, issuedOn = "2026-10-01", dueOn = "2026-10-31" }))
                .Status.ShouldBe(201);
            return id;
        }
        var alices = await WithOverdueInvoice(["alice"]);
        var bobs = await WithOverdueInvoice(["bob"]);
        var nobodys = await WithOverdueInvoice([]);

        // Wait until every reminder exists (as the controller, who sees all).
        foreach (var id in new[] { alices, bobs, nobodys })
            await Scenario.Eventually(() => fx.App.Controller.Get($"/api/notifications?customerId={id}"), r => r.Status == 200 && r.Body.GetArrayLength() > 0);

        var alice = fx.App.As("alice", Roles.Clerk);
        (await alice.Get($"/api/notifications?customerId={alices}")).Body.GetArrayLength().ShouldBeGreaterThan(0);
        (await alice.Get($"/api/notifications?customerId={nobodys}")).Body.GetArrayLength().ShouldBeGreaterThan(0);

        // Asking for bob's customer by id: 403, as its balance would be; an empty list would read as "no reminders".
        (await alice.Get($"/api/notifications?customerId={bobs}")).ShouldBeProblem(403, "CUSTOMER_NOT_ASSIGNED");
        // A customer that does not exist is 404, not an empty list that reads as "no reminders".
        (await alice.Get($"/api/notifications?customerId={AppFixture.NewId("nobody")}")).ShouldBeProblem(404);
        // A clerk who is also a reporter reads them all.
        (await fx.App.As("alice", Roles.Clerk, Roles.Reporter).Get($"/api/notifications?customerId={bobs}")).Body.GetArrayLength().ShouldBeGreaterThan(0);

        var everything = await alice.Get("/api/notifications?limit=1000");
        everything.Status.ShouldBe(200, everything.ToString());
        everything.Body.EnumerateArray().Select(n => n.GetProperty("customerId").GetString()).ShouldNotContain(bobs);
        everything.Text.ShouldNotContain(bobs);
    }

    /// <summary>A clerk cannot lift a customer out of someone else's hands by reassigning it, nor read it by guessing its id.</summary>
    [Fact]
    public async Task A_clerk_cannot_reassign_a_customer_to_itself()
    {
        var id = await fx.App.Customer(new { name = "Alice's", assignedTo = new[] { "alice" } }, "asg-t");
        var before = await Streams.Version(fx.App.ConnectionString, id);
        var bob = fx.App.As("bob", Roles.Clerk);
        (await bob.Put($"/api/customers/{id}", new { name = "Bob's now", assignedTo = new[] { "bob" } })).ShouldBeProblem(403, "CUSTOMER_NOT_ASSIGNED");
        (await bob.Put($"/api/customers/{id}", new { name = "Nobody's", assignedTo = Array.Empty<string>() })).ShouldBeProblem(403, "CUSTOMER_NOT_ASSIGNED");
        (await Streams.Version(fx.App.ConnectionString, id)).ShouldBe(before);
        var still = await fx.App.Controller.Get($"/api/customers/{id}");
        still.Body.GetProperty("assignedTo").EnumerateArray().Select(x => x.GetString()).ShouldBe(["alice"]);
        still.Body.GetProperty("name").GetString().ShouldBe("Alice's");
    }

    /// <summary>The assignment is a set: a clerk resending it in another order changes nothing and needs no controller.</summary>
    [Fact]
    public async Task The_same_assignees_in_another_order_are_no_change()
    {
        var id = await fx.App.Customer(new { name = "Shared", assignedTo = new[] { "bob", "alice" } }, "asg-o");
        var before = await Streams.Version(fx.App.ConnectionString, id);
        var alice = fx.App.As("alice", Roles.Clerk);
        (await alice.Put($"/api/customers/{id}", new { name = "Shared", assignedTo = new[] { "alice", "bob" } })).Status.ShouldBe(200);
        (await Streams.Version(fx.App.ConnectionString, id)).ShouldBe(before);
        (await alice.Put($"/api/customers/{id}", new { name = "Shared", assignedTo = new[] { "alice" } })).ShouldBeProblem(403, "CONTROLLER_REQUIRED");
    }

    /// <summary>Any user a token may name can be assigned: an Arabic name, an e-mail, a name with a space.</summary>
    [Theory]
    [InlineData("محمد العتيبي")]
    [InlineData("a.b+c@x.sa")]
    [InlineData("Abu Ali")]
    public async Task A_clerk_named_as_its_token_names_it_can_be_assigned(string clerk)
    {
        var id = await fx.App.Customer(new { name = "Named clerk", assignedTo = new[] { clerk, clerk }, creditLimit = 1000 }, "asg-u");
        (await fx.App.Controller.Get($"/api/customers/{id}")).Body.GetProperty("assignedTo").EnumerateArray().Select(a => a.GetString())
            .ShouldBe([clerk]); // named twice, kept once
        (await fx.App.As(clerk, Roles.Clerk).Post($"/api/customers/{id}/orders", new { orderId = "O1", amount = 10 })).Status.ShouldBe(201);
        (await fx.App.As("someone-else", Roles.Clerk).Post($"/api/customers/{id}/orders", new { orderId = "O2", amount = 10 }))
            .ShouldBeProblem(403, "CUSTOMER_NOT_ASSIGNED");
    }
}
