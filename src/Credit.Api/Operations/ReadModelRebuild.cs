using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Credit.Api.Hosting;
using Credit.Projections.Reporting;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Operations;

public sealed record RebuiltProjection(string Name, long Events, double Seconds);

/// <summary>
/// Rebuilds every asynchronous read model from the events. Used by `projections rebuild` and POST /api/projections/rebuild.
/// <para>
/// The reporting tables are replayed by several writers at once: everything the projection writes or reads back is
/// keyed by customer, so each customer's events go, in their order, to one writer, giving exactly the rows a replay
/// in global order gives. Marten's own rebuild works one page of the whole log at a time on one connection, which
/// left a core idle (measured at 5-7k events/s).
/// Events committed after the replay's head are left to the running projection, which resumes from that head.
/// </para>
/// </summary>
public static class ReadModelRebuild
{
    private const string S = MartenSetup.Schema;
    private const int ReadPage = 5000;
    private const int WritePage = 5000;

    public static IReadOnlyList<string> AsyncProjections(IDocumentStore store) =>
        ((DocumentStore)store).Options.Projections.All.Where(p => p.Lifecycle == ProjectionLifecycle.Async).Select(p => p.Name).ToList();

    public static async Task<IReadOnlyList<RebuiltProjection>> RebuildAll(
        IDocumentStore store, IProjectionDaemon daemon, TimeZoneInfo zone, CancellationToken ct)
    {
        var results = new List<RebuiltProjection>();
        foreach (var name in AsyncProjections(store))
        {
            var clock = Stopwatch.StartNew();
            long events;
            if (name == ReportingProjection.ProjectionName)
            {
                events = await ReplayReporting(store, daemon, new ReportingProjection(zone), Math.Max(2, Environment.ProcessorCount), ct);
            }
            else
            {
                // Anything else: Marten stops the shard, empties its tables (registered teardown) and replays every event.
                events = (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventCount;
                await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), ct);
            }
            results.Add(new RebuiltProjection(name, events, clock.Elapsed.TotalSeconds));
        }
        return results;
    }

    private static async Task<long> ReplayReporting(
        IDocumentStore store, IProjectionDaemon daemon, ReportingProjection projection, int workers, CancellationToken ct)
    {
        var shard = $"{ReportingProjection.ProjectionName}:All";
        var running = daemon.CurrentAgents().Any(a => a.Name.Identity == shard);
        if (running) await daemon.StopAgentAsync(shard);
        try
        {
            await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
            // With the API running, replay only up to the daemon's high-water mark: an event below the newest
            // sequence may still be uncommitted. Stopped (the command), every stored event is committed.
            var head = await conn.Scalar<long>(running
                ? $"select coalesce((select last_seq_id from {S}.mt_event_progression where name = 'HighWaterMark'), 0)"
                : $"select coalesce(max(seq_id), 0) from {S}.mt_events", ct);
            await conn.Execute($"truncate {string.Join(", ", ReportingTables.Tables.Select(t => $"{ReportingTables.Schema}.{t}"))}", ct);

            var replayed = await Replay(store, projection, head, workers, ct);

            await conn.Execute($"""
                insert into {S}.mt_event_progression (name, last_seq_id, last_updated) values ('{shard}', {head}, now())
                on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated
                """, ct);
            return replayed;
        }
        finally
        {
            if (running) await daemon.StartAgentAsync(shard, CancellationToken.None);
        }
    }

    /// <summary>
    /// The log is read in sequence ranges (dense pages, each read once; a few at a time, handed on in order); each
    /// customer's events go to one worker, chosen by the customer's id, so they arrive in order; workers write on
    /// their own connections.
    /// </summary>
    private static async Task<long> Replay(IDocumentStore store, ReportingProjection projection, long head, int workers, CancellationToken ct)
    {
        var queues = Enumerable.Range(0, workers)
            .Select(_ => Channel.CreateBounded<IReadOnlyList<IEvent>>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true }))
            .ToArray();
        var writers = queues.Select(q => Task.Run(() => Write(store, projection, q.Reader, ct), ct)).ToArray();

        var read = 0L;
        // Pages are ranges of the sequence, so several can be read (and deserialized) at once; they are handed on in order.
        var reading = new Queue<Task<IReadOnlyList<IEvent>>>();
        var next = 0L;
        try
        {
            while (true)
            {
                while (reading.Count < workers && next < head)
                {
                    var (from, to) = (next, Math.Min(next + ReadPage, head));
                    reading.Enqueue(Task.Run(() => Read((DocumentStore)store, from, to, ct), ct));
                    next = to;
                }
                if (reading.Count == 0) break;
                var page = await reading.Dequeue();
                read += page.Count;

                var parts = new List<IEvent>[workers];
                foreach (var e in page)
                {
                    var w = (int)((uint)StringComparer.Ordinal.GetHashCode(e.StreamKey ?? "") % (uint)workers);
                    (parts[w] ??= new List<IEvent>(page.Count / workers + 16)).Add(e);
                }
                for (var w = 0; w < workers; w++)
                    if (parts[w] is { } part) await queues[w].Writer.WriteAsync(part, ct);
            }
        }
        finally
        {
            foreach (var q in queues) q.Writer.TryComplete();
        }
        await Task.WhenAll(writers);
        return read;
    }

    /// <summary>
    /// One range of the log, read straight from the event table and deserialized from the row's buffer with Marten's
    /// serializer: Marten's own event query deserializes each body through an async stream, which made the rebuild
    /// .NET-bound (73 µs an event, mostly copying and GC, profiled). Marten's mapping wraps each body as an event.
    /// </summary>
    private static async Task<IReadOnlyList<IEvent>> Read(DocumentStore store, long after, long upTo, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        var events = new List<IEvent>((int)Math.Min(upTo - after, 10_000));
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new NpgsqlCommand($"""
            select seq_id, id, stream_id, version, mt_dotnet_type, data, timestamp, user_name, correlation_id, causation_id, tenant_id
            from {S}.mt_events where seq_id > @after and seq_id <= @upTo and is_archived = false order by seq_id
            """, conn);
        cmd.Parameters.AddWithValue("after", after);
        cmd.Parameters.AddWithValue("upTo", upTo);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var dotnetType = reader.GetString(4);
            var type = EventTypes.GetOrAdd(dotnetType, name => Type.GetType(name)
                ?? throw new InvalidOperationException($"Event type {name} is not known to this build"));
            var e = store.Events.EventMappingFor(type).Wrap(serializer.FromJson(type, reader, 5));
            e.Sequence = reader.GetInt64(0);
            e.Id = reader.GetGuid(1);
            e.StreamKey = reader.GetString(2);
            e.Version = reader.GetInt64(3);
            e.Timestamp = reader.GetFieldValue<DateTimeOffset>(6);
            e.UserName = reader.IsDBNull(7) ? null : reader.GetString(7);
            e.CorrelationId = reader.IsDBNull(8) ? null : reader.GetString(8);
            e.CausationId = reader.IsDBNull(9) ? null : reader.GetString(9);
            e.TenantId = reader.IsDBNull(10) ? null! : reader.GetString(10);
            events.Add(e);
        }
        return events;
    }

    private static readonly ConcurrentDictionary<string, Type> EventTypes = new(StringComparer.Ordinal);

    /// <summary>Applies a worker's events a few thousand at a time, each batch in one transaction.</summary>
    private static async Task Write(IDocumentStore store, ReportingProjection projection, ChannelReader<IReadOnlyList<IEvent>> queue, CancellationToken ct)
    {
        var batch = new List<IEvent>(WritePage + ReadPage);
        while (await queue.WaitToReadAsync(ct))
        {
            while (batch.Count < WritePage && queue.TryRead(out var part)) batch.AddRange(part);
            if (batch.Count < WritePage && !queue.Completion.IsCompleted) continue;
            await Apply(store, projection, batch, ct);
            batch.Clear();
        }
        if (batch.Count > 0) await Apply(store, projection, batch, ct);
    }

    private static async Task Apply(IDocumentStore store, ReportingProjection projection, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        // A crash mid-rebuild means running it again, so its commits need not wait for the disk.
        session.QueueSqlCommand("set local synchronous_commit = off");
        await projection.ApplyAsync(session, events, ct);
        await session.SaveChangesAsync(ct);
    }
}
