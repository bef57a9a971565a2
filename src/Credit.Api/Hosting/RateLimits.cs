using System.Globalization;
using System.Threading.RateLimiting;
using Credit.Api.Errors;
using Microsoft.AspNetCore.RateLimiting;

namespace Credit.Api.Hosting;

/// <summary>
/// Per-user rate limiting (the token's subject; the client address without a token): a token bucket of
/// <c>Credit:RateLimit:Burst</c> requests refilled at <c>Credit:RateLimit:PerSecond</c>. Over it: 429
/// problem+json with Retry-After. PerSecond 0 turns it off. /health is never limited.
/// </summary>
public static class RateLimits
{
    public static IServiceCollection AddCreditRateLimits(this IServiceCollection services, IConfiguration config)
    {
        var perSecond = config.GetValue("Credit:RateLimit:PerSecond", 200);
        var burst = config.GetValue("Credit:RateLimit:Burst", 400);
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (perSecond <= 0 || context.Request.Path.StartsWithSegments("/health"))
                    return RateLimitPartition.GetNoLimiter("unlimited");
                var who = context.User.FindFirst("sub")?.Value is { } user ? "user:" + user
                    : "address:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(who, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = burst,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.OnRejected = async (rejected, ct) =>
            {
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.Result(429, "RATE_LIMITED").ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }
}
