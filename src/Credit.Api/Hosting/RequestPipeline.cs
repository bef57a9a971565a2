using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Validation;

namespace Credit.Api.Hosting;

public static class RequestPipeline
{
    /// <summary>Takes X-Correlation-Id from the caller (or makes one) and echoes it; events record it.</summary>
    public static void UseCorrelationIds(this WebApplication app) => app.Use(async (context, next) =>
    {
        var given = context.Request.Headers[Caller.CorrelationHeader].ToString();
        var id = given.Length is > 0 and <= 128 && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':')
            ? given : Guid.NewGuid().ToString("N");
        context.Items[Caller.CorrelationHeader] = id;
        context.Response.Headers[Caller.CorrelationHeader] = id;
        await next();
    });

    /// <summary>Every business id in a route ({customerId}, {invoiceId}...) follows the contract's id rule.</summary>
    public static void UseRouteIdValidation(this WebApplication app) => app.Use(async (context, next) =>
    {
        var bad = context.Request.RouteValues
            .Where(kv => kv.Key.EndsWith("Id", StringComparison.Ordinal) && !Rules.IsValidId(kv.Value as string))
            .Select(kv => (kv.Key, "INVALID_ID")).ToList();
        if (bad.Count > 0)
        {
            await Problems.Validation(bad).ExecuteAsync(context);
            return;
        }
        await next();
    });
}
