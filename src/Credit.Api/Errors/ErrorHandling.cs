using System.Globalization;
using System.Text.Json;
using Credit.Api.Localization;
using Microsoft.IdentityModel.Tokens;
using Credit.Api.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Diagnostics;

namespace Credit.Api.Errors;

/// <summary>Turns what escaped an endpoint into problem+json: bad bodies are the client's 4xx, never a 500.</summary>
public static class ErrorHandling
{
    public static void UseCreditErrors(this WebApplication app)
    {
        var handler = ((IApplicationBuilder)app).New();
        handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, code) = Classify(error);
            if (code == "READ_MODELS_REBUILDING") context.Response.Headers.RetryAfter = "5"; // expected, not logged
            else if (status == 503)
            {
                // The database is down or unreachable: the caller should retry, an operator is told once per request, briefly.
                app.Logger.LogWarning("Database unavailable on {Method} {Path}: {Error}", context.Request.Method, context.Request.Path,
                    error?.GetBaseException().Message);
                context.Response.Headers.RetryAfter = "5";
            }
            else if (status >= 500)
                app.Logger.LogError(error, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await Problems.Result(status, code).ExecuteAsync(context);
        });
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = handler.Build(),
            // The handler logs what it must, once and briefly: the middleware's own error line with the stack, for every 503
            // while the database is away (a 43 MB log in a minute) and every request during a rebuild, said nothing more.
            SuppressDiagnosticsCallback = _ => true,
        });

        app.UseStatusCodePages(async status =>
        {
            var http = status.HttpContext;
            if (http.Response.HasStarted || http.Response.ContentLength > 0 || http.Response.ContentType is not null) return;
            var code = http.Response.StatusCode switch
            {
                404 => "NOT_FOUND",
                405 => "METHOD_NOT_ALLOWED",
                413 => "PAYLOAD_TOO_LARGE",
                415 => "UNSUPPORTED_MEDIA_TYPE",
                401 => "UNAUTHENTICATED",
                403 => "FORBIDDEN",
                _ => "VALIDATION_FAILED",
            };
            await Problems.Result(http.Response.StatusCode, code).ExecuteAsync(http);
        });
    }

    public static (int Status, string Code) Classify(Exception? error) => error switch
    {
        Reporting.ReadModelsRebuildingException => (503, "READ_MODELS_REBUILDING"),
        BadHttpRequestException { StatusCode: 413 } => (413, "PAYLOAD_TOO_LARGE"),
        BadHttpRequestException { StatusCode: 415 } => (415, "UNSUPPORTED_MEDIA_TYPE"),
        BadHttpRequestException or JsonException or FormatException => (400, "MALFORMED_JSON"),
        { InnerException: JsonException } => (400, "MALFORMED_JSON"),
        { } e when AccountStore.IsConflict(e) => (409, "CONCURRENCY_CONFLICT"),
        { } e when Raised(e, Npgsql.PostgresErrorCodes.LockNotAvailable) => (409, "READ_MODELS_IN_USE"),
        { } e when DatabaseUnavailable(e) => (503, "DATABASE_UNAVAILABLE"),
        _ => (500, "INTERNAL_ERROR"),
    };

    /// <summary>Whether the first PostgreSQL error in the chain has this SQLSTATE.</summary>
    public static bool Raised(Exception error, string sqlState)
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is Npgsql.PostgresException pg) return pg.SqlState == sqlState;
        return false;
    }

    /// <summary>
    /// The database cannot be reached or will not serve: a connection that failed or broke (no server error came back),
    /// or the server ending the session (a FATAL error: shutting down, not accepting connections, too many of them) or
    /// refusing it (SQLSTATE class 08, 57P0x). Not a fault of the request: 503, to be retried.
    /// </summary>
    public static bool DatabaseUnavailable(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException pg)
                return pg.InvariantSeverity is "FATAL" or "PANIC" || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
                    || pg.SqlState.StartsWith("57P0", StringComparison.Ordinal) || pg.SqlState == "53300";
            if (e is Npgsql.NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException) return true;
        }
        return false;
    }
}

/// <summary>401 and 403 as problem+json instead of empty bodies.</summary>
[Wolverine.Attributes.WolverineIgnore] // an ASP.NET handler: its HandleAsync is not a message handler
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    /// <summary>Where the bearer handler leaves why a token that came was not accepted.</summary>
    public const string WhyKey = "credit.auth.why";

    /// <summary>RFC 6750's error_description: printable ASCII without '"' or '\\'.</summary>
    private static string HeaderText(string text) =>
        new(text.Select(c => c is '"' ? '\'' : c is '\\' or < ' ' or > '~' ? ' ' : c).ToArray());

    public static string Why(Exception failure) => failure switch
    {
        SecurityTokenExpiredException => "TOKEN_EXPIRED",
        SecurityTokenNotYetValidException => "TOKEN_NOT_YET_VALID",
        _ => "TOKEN_INVALID",
    };

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Challenged)
        {
            // Why, when a token came (RFC 6750): a POS refreshes an expired token but reports a bad one.
            var why = context.Items[WhyKey] as string;
            context.Response.Headers.WWWAuthenticate = why is null ? "Bearer"
                : $"Bearer error=\"invalid_token\", error_description=\"{HeaderText(Text.PhraseIn(CultureInfo.InvariantCulture, why))}\"";
            var body = Problems.Body(401, "UNAUTHENTICATED", why is null ? null : Text.Phrase(why));
            body["message"] = body["detail"]; // what a till shows: "the token has expired", not only "a valid token is required"
            await Problems.Json(401, body).ExecuteAsync(context);
            return;
        }
        if (result.Forbidden)
        {
            var roles = policy.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>()
                .SelectMany(r => r.AllowedRoles).Distinct().ToList();
            await Problems.Forbidden(roles).ExecuteAsync(context);
            return;
        }
        await _default.HandleAsync(next, context, policy, result);
    }
}
