using System.Text;
using System.Text.Json;
using Alba;
using Credit.Api.Auth;
using Credit.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Credit.Api.Tests.Security;

/// <summary>Straight-from-PostgreSQL facts about event streams: did a request write anything?</summary>
public static class Streams
{
    /// <summary>The stream's current version (0 when it has no events), read from credit.mt_events.</summary>
    public static async Task<long> Version(string connectionString, string streamId)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("select coalesce(max(version), 0) from credit.mt_events where stream_id = @id", conn);
        cmd.Parameters.AddWithValue("id", streamId);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    /// <summary>True when the stream has a row in mt_streams or any event in mt_events.</summary>
    public static async Task<bool> Exists(string connectionString, string streamId)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select (select count(*) from credit.mt_streams where id = @id) + (select count(*) from credit.mt_events where stream_id = @id)", conn);
        cmd.Parameters.AddWithValue("id", streamId);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync()) > 0;
    }
}

/// <summary>Tokens a client should never get past the door with.</summary>
public static class BadTokens
{
    public static readonly SymmetricSecurityKey OtherKey =
        new(Encoding.UTF8.GetBytes("some-other-signing-key-that-is-not-the-api-key-0123456789"));

    public const string Garbage = "this-is.not-a.jwt";

    /// <summary>Well formed, right issuer and audience, admin role: only the signature is wrong.</summary>
    public static string SignedWithAnotherKey(string user, params string[] roles) =>
        TokenIssuer.Issue(OtherKey, user, roles, TimeSpan.FromHours(1), DateTimeOffset.UtcNow);

    /// <summary>Signed with the API's key, but it expired 55 minutes ago: far beyond the 30 s clock skew.</summary>
    public static string Expired(string user, params string[] roles) =>
        TokenIssuer.Issue(AppFixture.Key, user, roles, TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddHours(-1));

    /// <summary>Not valid until an hour from now.</summary>
    public static string NotYetValid(string user, params string[] roles) =>
        TokenIssuer.Issue(AppFixture.Key, user, roles, TimeSpan.FromHours(2), DateTimeOffset.UtcNow.AddHours(1));

    /// <summary>The classic forgery: "alg": "none" and no signature at all.</summary>
    public static string Unsigned(string user, params string[] roles)
    {
        static string B64(string json) => Base64UrlEncoder.Encode(json);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["sub"] = user, ["name"] = user, ["role"] = roles, ["iss"] = SigningKey.Issuer, ["aud"] = SigningKey.Audience,
            ["nbf"] = now - 1, ["iat"] = now - 1, ["exp"] = now + 3600,
        });
        return $"{B64("""{"alg":"none","typ":"JWT"}""")}.{B64(payload)}.";
    }

    /// <summary>Signed with the API's key, but issued by / for someone else.</summary>
    public static string ForeignIssuerOrAudience(string user, string issuer, string audience, params string[] roles)
    {
        var claims = new List<System.Security.Claims.Claim> { new("sub", user), new("name", user) };
        claims.AddRange(roles.Select(r => new System.Security.Claims.Claim("role", r)));
        var token = new System.IdentityModel.Tokens.Jwt.JwtSecurityToken(issuer, audience, claims,
            DateTime.UtcNow.AddSeconds(-1), DateTime.UtcNow.AddHours(1), new SigningCredentials(AppFixture.Key, SecurityAlgorithms.HmacSha256));
        return new System.IdentityModel.Tokens.Jwt.JwtSecurityTokenHandler().WriteToken(token);
    }
}

public static class ProblemAssertions
{
    /// <summary>RFC 9457 problem+json with the given status and a non-empty stable code (and that code, when given).</summary>
    public static void ShouldBeProblem(this ApiResponse r, int status, string? code = null, string? context = null)
    {
        var what = $"{context}{(context is null ? "" : ": ")}{Shorten(r)}";
        r.Status.ShouldBe(status, what);
        r.ContentType.ShouldBe("application/problem+json", what);
        r.Code.ShouldNotBeNullOrWhiteSpace(what);
        if (code is not null) r.Code.ShouldBe(code, what);
        // One shape whoever wrote it (the framework's own problems pointed their type at httpstatuses.com).
        r.Body.GetProperty("type").GetString().ShouldBe($"https://creditledger.dev/problems/{r.Code!.ToLowerInvariant().Replace('_', '-')}", what);
        r.Body.GetProperty("status").GetInt32().ShouldBe(status, what);
        r.Body.GetProperty("message").GetString().ShouldNotBeNullOrWhiteSpace(what);
    }

    /// <summary>The response for an assertion message, without megabytes of echoed body.</summary>
    public static string Shorten(ApiResponse r) =>
        $"{r.Status} {r.ContentType} {(r.Text.Length > 600 ? r.Text[..600] + "…" : r.Text)}";

    public static bool IsSuccess(this ApiResponse r) => r.Status is >= 200 and < 300;
}

/// <summary>
/// A host of its own over a fresh database, for calls whose effects are global: PUT /api/policy changes every
/// customer's decisions and POST /api/projections/rebuild truncates the shared read models under other tests.
/// </summary>
public sealed class IsolatedHost(AppFixture app) : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var database = await app.NewDatabase("security");
        Host = await AppFixture.StartHost(database, new TestClock(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero)));
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
