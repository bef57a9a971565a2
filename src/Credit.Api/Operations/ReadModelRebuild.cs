using System.Diagnostics;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;

namespace Credit.Api.Operations;

public sealed record RebuiltProjection(string Name, long Events, double Seconds);

/// <summary>
/// Rebuilds every asynchronous read model from the events; Marten empties the credit_reporting tables first (the
/// projection's registered teardown). Used by `projections rebuild` and POST /api/projections/rebuild.
/// </summary>
public static class ReadModelRebuild
{
    public static IReadOnlyList<string> AsyncProjections(IDocumentStore store) =>
        ((DocumentStore)store).Options.Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Async).Select(p => p.Name).ToList();

    public static async Task<IReadOnlyList<RebuiltProjection>> RebuildAll(IDocumentStore store, IProjectionDaemon daemon, CancellationToken ct)
    {
        var events = (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventCount;
        var results = new List<RebuiltProjection>();
        foreach (var name in AsyncProjections(store))
        {
            var clock = Stopwatch.StartNew();
            // Marten stops the shard, empties its tables (registered teardown) and replays every event.
            await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), ct);
            results.Add(new RebuiltProjection(name, events, clock.Elapsed.TotalSeconds));
        }
        return results;
    }
}
