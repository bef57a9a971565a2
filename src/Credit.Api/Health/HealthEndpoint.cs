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
        try
        {
            await using var session = store.QuerySession();
            database = (await session.QueryAsync<int>("select 1", timeout.Token)).SingleOrDefault() == 1;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Any failure to reach the database (or a timeout) is what this endpoint reports, not an error of its own.
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
}
