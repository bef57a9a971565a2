using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Auth;

/// <summary>AurPOS "assign contacts to users": a clerk acts only on unassigned customers and its own.</summary>
public class AssignmentTests(AppFixture app)
{
    [Fact]
    public async Task A_clerk_cannot_touch_a_customer_assigned_to_someone_else()
    {
        var id = await app.Customer(new { name = "Assigned", assignedTo = new[] { "alice" } });
        var alice = app.As("alice", Roles.Clerk);
        var bob = app.As("bob", Roles.Clerk);

        (await alice.Post($"/api/customers/{id}/invoices", new { invoiceId = "I1", amount = 10 })).Status.ShouldBe(201);
        foreach (var denied in new[]
                 {
                     await bob.Post($"/api/customers/{id}/invoices", new { invoiceId = "I2", amount = 10 }),
                     await bob.Put($"/api/customers/{id}", new { name = "Taken over", assignedTo = new[] { "bob" } }),
                     await bob.Get($"/api/customers/{id}"),
                     await bob.Get($"/api/customers/{id}/balance"),
                 })
        {
            denied.Status.ShouldBe(403, denied.ToString());
            denied.Code.ShouldBe("CUSTOMER_NOT_ASSIGNED");
        }
        (await app.Controller.Get($"/api/customers/{id}")).String("name").ShouldBe("Assigned");
    }
}
