using System.Diagnostics;
using Credit.Api.Reporting;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace Credit.Api.Operations;

public sealed record RebuiltProjection(string Name, long Events, double Seconds);

/// <summary>
/// Rebuilds every asynchronous read model from the events: the documents (Marten tears them down) and the
/// credit_reporting tables (emptied here first). Used by `projections rebuild` and POST /api/projections/rebuild.
/// </summary>
public static class ReadModelRebuild
{
    public static IReadOnlyList<string> AsyncProjections(IDocumentStore store) =>
        ((DocumentStore)store).Options.Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Async).Select(p => p.Name).ToList();

    /// <param name="live">The daemon is the running host's: its shards are working and must be stopped first.</param>
    public static async Task<IReadOnlyList<RebuiltProjection>> RebuildAll(IDocumentStore store, IProjectionDaemon daemon, bool live, CancellationToken ct)
    {
        var events = (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventCount;
        var results = new List<RebuiltProjection>();
        foreach (var name in AsyncProjections(store))
        {
            var clock = Stopwatch.StartNew();
            if (name == Credit.Projections.Reporting.ReportingProjection.ProjectionName)
            {
                // Stop the live shard first so nothing writes between the truncate and the replay.
                if (live) await daemon.StopAgentAsync($"{name}:All");
                await ReportingSchema.Truncate(store, ct);
            }
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), ct);
            results.Add(new RebuiltProjection(name, events, clock.Elapsed.TotalSeconds));
        }
        return results;
    }
}
