using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Marten;
using Marten.Events.Daemon.Coordination;
using Marten.Storage;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Operations;

public sealed record ProjectionStatus(string Name, long Position, long LagEvents, double LagSeconds, DateTimeOffset? UpdatedAt);

public sealed record ProjectionsView(long HeadSequence, IReadOnlyList<ProjectionStatus> Projections);

public static class ProjectionsEndpoint
{
    /// <summary>Each read model's position in the event log and how far behind it is, in events and seconds.</summary>
    [WolverineGet("/api/projections")]
    [Authorize(Roles = Roles.Reporting)]
    public static async Task<ProjectionsView> Get(IDocumentStore store, RebuildGate rebuild, CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        var head = await conn.Scalar<long>($"select coalesce(max(seq_id), 0) from {MartenSetup.Schema}.mt_events", ct);

        var list = new List<ProjectionStatus>();
        foreach (var name in ReadModelRebuild.AsyncProjections(store))
        {
            var shard = progress.FirstOrDefault(p => p.ShardName == $"{name}:All");
            // While a rebuild refills the tables they stand at nothing, whatever the paused daemon wrote before it.
            var position = rebuild.Rebuilding ? 0 : shard?.Sequence ?? 0;
            var lagEvents = await conn.Scalar<long>($"select count(*) from {MartenSetup.Schema}.mt_events where seq_id > @p", ct, ("p", position));
            // Age of the oldest event it has not applied yet, by the database's clock (the one that stamped it).
            var lagSeconds = lagEvents == 0 ? 0 : await conn.Scalar<double>(
                $"select extract(epoch from now() - timestamp)::float8 from {MartenSetup.Schema}.mt_events where seq_id > @p order by seq_id limit 1", ct, ("p", position));
            list.Add(new ProjectionStatus(name, position, lagEvents, Math.Round(Math.Max(lagSeconds, 0), 3), shard?.Timestamp));
        }
        return new ProjectionsView(head, list);
    }

    /// <summary>
    /// Rebuilds every read model from the events on the running daemon (admin; figures lag meanwhile, reads may wait a
    /// few seconds while the tables are emptied). 409 READ_MODELS_IN_USE, changing nothing, when a reporting session
    /// (a BI tool's open transaction) holds the tables for more than 5 s; 409 REBUILD_RUNNING while another rebuild runs.
    /// </summary>
    [WolverinePost("/api/projections/rebuild")]
    [Authorize(Roles = Roles.Admin)]
    [Responds(typeof(RebuiltProjection[]), 200)]
    [Responds(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), 409)]
    public static async Task<IResult> Rebuild(
        IDocumentStore store, IProjectionCoordinator coordinator, BusinessCalendar calendar, RebuildGate gate, IHostApplicationLifetime lifetime)
    {
        // Once asked, the rebuild is the server's to finish: a client or gateway timing out cancelled it, silently, and
        // left the daemon a replay from zero. Only the API stopping cancels it.
        var ct = lifetime.ApplicationStopping;
        // Two at once would each stop the shard, and the first to finish would start it again under the second's replay:
        // the daemon replaying from zero beside its writers (duplicate keys, a 500, read models half empty).
        if (!await gate.WaitAsync(TimeSpan.Zero, ct)) return Problems.Result(409, "REBUILD_RUNNING");
        try
        {
            return Results.Ok(await ReadModelRebuild.RebuildAll(store, coordinator.DaemonForMainDatabase(), coordinator, calendar.Zone, ct));
        }
        catch (Exception ex) when (ErrorHandling.Raised(ex, Npgsql.PostgresErrorCodes.LockNotAvailable))
        {
            return Problems.Result(409, "READ_MODELS_IN_USE"); // expected, not a fault: no stack trace in the log
        }
        finally
        {
            gate.Release();
        }
    }
}

/// <summary>One rebuild at a time through this API.</summary>
public sealed class RebuildGate() : SemaphoreSlim(1, 1)
{
    /// <summary>A rebuild holds the projection daemon paused: not a fault for the health check.</summary>
    public bool Rebuilding => CurrentCount == 0;
}
