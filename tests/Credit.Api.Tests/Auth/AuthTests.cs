using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;
using Credit.Api.Tests.Security;
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
    public async Task A_401_says_why_when_a_token_came()
    {
        var expired = await new ApiClient(app.Host, BadTokens.Expired("old", Roles.Admin)).Get("/api/customers/x");
        expired.ShouldBeProblem(401, "UNAUTHENTICATED");
        expired.String("detail")!.ShouldContain("expired");
        expired.String("message").ShouldBe(expired.String("detail")); // the text a client shows says why
        expired.Headers["WWW-Authenticate"].ShouldStartWith("Bearer error=\"invalid_token\"");
        var early = await new ApiClient(app.Host, BadTokens.NotYetValid("early", Roles.Admin), "ar").Get("/api/customers/x");
        early.String("detail")!.ShouldContain("لم يبدأ سريانه");
        var forged = await new ApiClient(app.Host, BadTokens.SignedWithAnotherKey("mallory", Roles.Admin)).Get("/api/customers/x");
        forged.String("detail")!.ShouldContain("not one this system issued");
        // No token: just the scheme, and the general message.
        var none = await app.Anonymous.Get("/api/customers/x");
        none.Headers["WWW-Authenticate"].ShouldBe("Bearer");
        none.String("detail").ShouldBe(none.String("message"));
    }

    /// <summary>A token signed with our key whose subject is given as is (or left out).</summary>
    private static string WithSubject(string? subject, string role)
    {
        var claims = new List<System.Security.Claims.Claim> { new("role", role) };
        if (subject is not null) claims.Add(new("sub", subject));
        var token = new System.IdentityModel.Tokens.Jwt.JwtSecurityToken(SigningKey.Issuer, SigningKey.Audience, claims,
            DateTime.UtcNow.AddSeconds(-1), DateTime.UtcNow.AddHours(1), new SigningCredentials(AppFixture.Key, SecurityAlgorithms.HmacSha256));
        return new System.IdentityModel.Tokens.Jwt.JwtSecurityTokenHandler().WriteToken(token);
    }

    /// <summary>Every write records the subject as its user: none, a blank one, one that forges lines or direction in the
    /// audit trail, or the name automatic releases carry, is refused before anything is written.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\u200B")]
    [InlineData(" alice")]
    [InlineData("system")]
    [InlineData("System")]
    [InlineData("ｓｙｓｔｅｍ")]
    [InlineData("syſtem")]
    [InlineData("eve\u202E\nadmin")]
    [InlineData("eve\tadmin")]
    [InlineData("LONG")]
    public async Task A_token_without_a_usable_subject_is_401_and_writes_nothing(string? subject)
    {
        if (subject == "LONG") subject = new string('a', Caller.MaxUserLength + 1);
        var id = AppFixture.NewId("sub");
        var r = await new ApiClient(app.Host, WithSubject(subject, Roles.Clerk)).Put($"/api/customers/{id}", new { name = "x" });
        r.ShouldBeProblem(401, "UNAUTHENTICATED");
        r.String("detail")!.ShouldContain("subject");
        // A quoted-string as RFC 6750 has it: no quote or backslash inside the description.
        r.Headers["WWW-Authenticate"].ShouldMatch("""^Bearer error="invalid_token", error_description="[ !#-\[\]-~]*"$""");
        (await Streams.Exists(app.ConnectionString, id)).ShouldBeFalse();
    }

    [Fact]
    public async Task A_subject_of_128_visible_characters_in_any_script_is_a_user()
    {
        var name = "محاسب " + new string('س', Caller.MaxUserLength - 6);
        var id = AppFixture.NewId("sub");
        (await new ApiClient(app.Host, WithSubject(name, Roles.Clerk)).Put($"/api/customers/{id}", new { name = "x" })).Status.ShouldBe(201);
        var history = await app.As("auditor-1", Roles.Auditor).Get($"/api/customers/{id}/history");
        history.Body.EnumerateArray().First().GetProperty("user").GetString().ShouldBe(name);
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
