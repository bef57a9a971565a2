using Marten;
using Wolverine.Http;
using Coordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;

namespace Credit.Api.Health;

public sealed record HealthView(string Status, bool Database, bool Projections);

public static class HealthEndpoint
{
    /// <summary>200 when PostgreSQL answers and the projection daemon runs, 503 otherwise. No auth.</summary>
    [WolverineGet("/health")]
    public static async Task<IResult> Get(IDocumentStore store, Coordinator coordinator, CancellationToken ct)
    {
        var database = false;
        try
        {
            await using var session = store.QuerySession();
            database = (await session.QueryAsync<int>("select 1", ct)).SingleOrDefault() == 1;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Any failure to reach the database is what this endpoint reports.
        }
        var daemon = coordinator.DaemonForMainDatabase();
        var projections = daemon.IsRunning && !daemon.HasAnyPaused();
        var healthy = database && projections;
        return Results.Json(new HealthView(healthy ? "healthy" : "unhealthy", database, projections), statusCode: healthy ? 200 : 503);
    }
}
