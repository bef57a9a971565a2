using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;
using Marten;
using Microsoft.IdentityModel.Tokens;

namespace Credit.Api.Tests.Auth;

public class AuthTests(AppFixture app)
{
    [Fact]
    public async Task No_token_is_401_problem()
    {
        var r = await app.Anonymous.Put($"/api/customers/{AppFixture.NewId("a")}", new { name = "x" });
        r.Status.ShouldBe(401);
        r.ContentType.ShouldBe("application/problem+json");
        r.Code.ShouldBe("UNAUTHENTICATED");
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_401()
    {
        var other = new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes("another-key-another-key-another-key-0000"));
        var token = TokenIssuer.Issue(other, "mallory", [Roles.Admin], TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        var r = await new ApiClient(app.Host, token).Get("/api/customers/x");
        r.Status.ShouldBe(401);
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var token = TokenIssuer.Issue(AppFixture.Key, "old", [Roles.Admin], TimeSpan.FromMinutes(1), DateTimeOffset.UtcNow.AddHours(-2));
        (await new ApiClient(app.Host, token).Get("/api/customers/x")).Status.ShouldBe(401);
    }

    [Fact]
    public async Task Garbage_token_is_401()
    {
        (await new ApiClient(app.Host, "not.a.jwt").Get("/api/customers/x")).Status.ShouldBe(401);
    }

    [Fact]
    public async Task A_reporter_cannot_write_403_problem()
    {
        var r = await app.As("rita", Roles.Reporter).Put($"/api/customers/{AppFixture.NewId("r")}", new { name = "x" });
        r.Status.ShouldBe(403);
        r.Code.ShouldBe("FORBIDDEN");
    }

    [Fact]
    public async Task The_token_subject_is_the_user_recorded_on_events()
    {
        var id = AppFixture.NewId("who");
        await app.As("alice", Roles.Clerk).Put($"/api/customers/{id}", new { name = "Who" });
        await using var session = app.Host.DocumentStore().QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        events.ShouldNotBeEmpty();
        events.ShouldAllBe(e => e.UserName == "alice");
    }
}
