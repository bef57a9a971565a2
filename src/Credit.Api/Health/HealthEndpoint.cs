using Marten;
using Wolverine.Http;
using Coordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace Credit.Api.Health;

public sealed record HealthView([property: OneOf("healthy", "unhealthy")] string Status, bool Database, bool Projections);

public static class HealthEndpoint
{
    /// <summary>How long the database may take to answer: a hung server is unhealthy within a probe's usual timeout.</summary>
    private static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(3);

    /// <summary>200 when PostgreSQL answers (within 3 s) and the projection daemon runs, 503 otherwise. No auth.</summary>
    [WolverineGet("/health")]
    [Responds(typeof(HealthView), 200)]
    [Responds(typeof(HealthView), 503)]
    public static async Task<IResult> Get(IDocumentStore store, Coordinator coordinator, Operations.RebuildGate rebuild, CancellationToken ct)
    {
        var database = false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(DatabaseTimeout);
        var ping = Ping(store, timeout.Token);
        try
        {
            // Waited for at most the timeout whatever the ping does: opening a connection to a server that accepts but
            // never answers ignores the token until the connection timeout (15 s), and the probe saw no answer at all.
            database = await ping.WaitAsync(DatabaseTimeout, ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Any failure to reach the database (or a timeout) is what this endpoint reports, not an error of its own.
            // A ping left behind ends by itself; its failure is observed here, not reported as unobserved.
            _ = ping.ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
        }
        var projections = false;
        try
        {
            var daemon = coordinator.DaemonForMainDatabase();
            projections = rebuild.Rebuilding || (daemon.IsRunning && !daemon.HasAnyPaused());
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A daemon that cannot say (its database gone) is not running for this purpose.
        }
        var healthy = database && projections;
        return Results.Json(new HealthView(healthy ? "healthy" : "unhealthy", database, projections), statusCode: healthy ? 200 : 503);
    }

    private static async Task<bool> Ping(IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.QueryAsync<int>("select 1", ct)).SingleOrDefault() == 1;
    }
}
