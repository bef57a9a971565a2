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

    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>Bodies over 1 MB are refused with 413 before anything reads them (Kestrel enforces it for chunked bodies too).</summary>
    public static void UseBodyLimit(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            await Problems.Result(413, "PAYLOAD_TOO_LARGE").ExecuteAsync(context);
            return;
        }
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = MaxBodyBytes;
        await next();
    });

    /// <summary>
    /// HEAD wherever GET answers (RFC 9110: the same headers, no body), as monitors and link checkers use it; the
    /// endpoints are GET only, so HEAD was 405. Served as the GET; Kestrel sends no body for a HEAD request.
    /// </summary>
    public static void UseHeadAsGet(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsHead(context.Request.Method)) context.Request.Method = HttpMethods.Get;
        await next();
    });

    /// <summary>
    /// Media types are case-insensitive (RFC 9110): "Application/JSON" is JSON, but the body reader compares exactly
    /// and answered 415. The type is lower-cased (its parameters, such as a charset, kept as sent).
    /// </summary>
    public static void UseCaseInsensitiveMediaTypes(this WebApplication app) => app.Use(async (context, next) =>
    {
        var type = context.Request.ContentType;
        if (type is not null)
        {
            var end = type.IndexOf(';');
            var media = end < 0 ? type : type[..end];
            if (media.AsSpan().IndexOfAnyInRange('A', 'Z') >= 0)
                context.Request.ContentType = media.ToLowerInvariant() + (end < 0 ? "" : type[end..]);
        }
        await next();
    });

    /// <summary>
    /// The API reference answers at /docs itself (the contract's address), not with a redirect to /docs/: the same page,
    /// with a base address so its relative scripts and document still resolve under /docs/.
    /// </summary>
    public static void UseDocsAtTheirAddress(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path.Value != "/docs")
        {
            await next();
            return;
        }
        context.Request.Path = "/docs/";
        var original = context.Response.Body;
        using var page = new MemoryStream();
        context.Response.Body = page;
        try
        {
            await next();
        }
        finally
        {
            context.Response.Body = original;
        }
        var html = System.Text.Encoding.UTF8.GetString(page.ToArray());
        if (context.Response.StatusCode == 200 && html.Contains("<head>", StringComparison.Ordinal))
            html = html.Replace("<head>", "<head>\n    <base href=\"/docs/\" />", StringComparison.Ordinal);
        var bytes = System.Text.Encoding.UTF8.GetBytes(html);
        context.Response.ContentLength = bytes.Length;
        await original.WriteAsync(bytes, context.RequestAborted);
    });

    /// <summary>
    /// Headers that keep browsers from sniffing, framing or caching API answers. The API reference (/docs) needs
    /// its scripts and styles, so it gets a looser content policy than the JSON endpoints.
    /// </summary>
    public static void UseSecurityHeaders(this WebApplication app) => app.Use(async (context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            var docs = context.Request.Path.StartsWithSegments("/docs");
            headers.ContentSecurityPolicy = docs
                ? "default-src 'self' https://cdn.jsdelivr.net; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data:; frame-ancestors 'none'"
                : "default-src 'none'; frame-ancestors 'none'";
            if (!docs && context.Request.Path.StartsWithSegments("/api")) headers.CacheControl = "no-store";
            if (context.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
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
