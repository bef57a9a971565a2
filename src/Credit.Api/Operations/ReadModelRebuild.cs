using System.Diagnostics;
using System.Threading.Channels;
using Credit.Api.Hosting;
using Credit.Projections.Reporting;
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
/// in global order gives. Each writer folds its customers in memory (<see cref="ReportingReplay"/>) and copies the
/// rows into tables emptied and stripped of their secondary indexes, built once at the end. Marten's own rebuild
/// (one page of the log at a time, one connection) ran at 5-7k events/s; the projection's own statements replayed
/// in parallel at 15-18k, PostgreSQL's index upkeep and conflict checks taking most of it (measured).
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

    /// <summary>Every async read model from the events; <c>coordinator</c> is the running API's (null for the command,
    /// whose daemon runs no agents).</summary>
    public static async Task<IReadOnlyList<RebuiltProjection>> RebuildAll(
        IDocumentStore store, IProjectionDaemon daemon, IProjectionCoordinator? coordinator, TimeZoneInfo zone, CancellationToken ct)
    {
        var results = new List<RebuiltProjection>();
        foreach (var name in AsyncProjections(store))
        {
            var clock = Stopwatch.StartNew();
            long events;
            if (name == ReportingProjection.ProjectionName)
            {
                events = await ReplayReporting(store, coordinator, zone, Math.Max(2, Environment.ProcessorCount), ct);
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

    private static async Task<long> ReplayReporting(IDocumentStore store, IProjectionCoordinator? coordinator, TimeZoneInfo zone, int workers,
        CancellationToken ct)
    {
        const string shard = ReportingShard;
        // The running API's coordinator starts again, within seconds, any agent it finds missing: a shard stopped on its
        // own came back under the replay (replaying from zero beside its writers: duplicate keys). Paused whole instead.
        var running = coordinator is not null;
        if (coordinator is not null) await coordinator.PauseAsync();
        try
        {
            await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
            // With the API running, replay only up to the daemon's high-water mark: an event below the newest
            // sequence may still be uncommitted. Stopped (the command), every stored event is committed.
            var head = await conn.Scalar<long>(running
                ? $"select coalesce((select last_seq_id from {S}.mt_event_progression where name = 'HighWaterMark'), 0)"
                : $"select coalesce(max(seq_id), 0) from {S}.mt_events", ct);
            // Emptying the tables waits for every reader; behind it, the API's own reads wait too. A BI session holding a
            // transaction open would stall them all until the command timed out (answered as "database unavailable"):
            // give up after a few seconds instead, as "in use". Only here: the connection goes back to the pool after.
            await conn.Execute("set lock_timeout = '5s'", ct);
            List<(string Name, string Definition)> indexes;
            try
            {
                await Reset(conn, ct);
                // Indexes are built once at the end (sorted) instead of row by row; keys stay, they are cheap (ascending).
                indexes = await SecondaryIndexes(conn, ct);
                foreach (var (name, _) in indexes) await conn.Execute($"drop index {name}", ct);
            }
            finally
            {
                // After a timeout the emptying transaction is aborted: ended here, so the reset (and the pool) find none.
                await conn.Execute("rollback; reset lock_timeout", CancellationToken.None);
            }

            long replayed;
            try
            {
                replayed = await Replay(store, zone, head, workers, ct);
            }
            finally
            {
                // Also after a failed replay: the daemon's replay from zero (and readers) need them. Two at a time.
                await Task.WhenAll(indexes.Chunk(Math.Max(1, (indexes.Count + 1) / 2)).Select(chunk => Task.Run(async () =>
                {
                    await using var c = await store.OpenConnection(ConnectionUsage.ReadWrite, CancellationToken.None);
                    foreach (var (_, definition) in chunk) await c.Execute(definition, CancellationToken.None);
                })));
            }
            // No analyze: autovacuum analyzes tables this freshly filled within its next round; the old statistics hold meanwhile.
            await conn.Execute($"""
                begin;
                insert into {S}.mt_event_progression (name, last_seq_id, last_updated) values ('{shard}', {head}, now())
                on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated;
                delete from {Rebuilds};
                commit;
                """, ct);
            return replayed;
        }
        finally
        {
            if (coordinator is not null) await coordinator.ResumeAsync();
        }
    }

    /// <summary>
    /// Empties the reporting tables and forgets the projection's progress, in one transaction: a rebuild that dies after
    /// this leaves the daemon to replay from the start, never a gap (dropped indexes come back at the next start). The
    /// progress row is deleted, not set to 0: the daemon takes a 0 for "no row yet", and its insert then failed on the
    /// row's key at every start, the read models stuck empty.
    /// </summary>
    public static async Task Reset(NpgsqlConnection conn, CancellationToken ct) => await conn.Execute($"""
        begin;
        {ReportingTables.TruncateAll()};
        delete from {S}.mt_event_progression where name = '{ReportingShard}';
        delete from {Rebuilds};
        insert into {Rebuilds} (started_at) values (now());
        commit;
        """, ct);

    private const string Rebuilds = $"{ReportingTables.Schema}.{ReportingTables.RebuildsTable}";

    /// <summary>The reporting projection's one shard: its row in mt_event_progression.</summary>
    public const string ReportingShard = $"{ReportingProjection.ProjectionName}:All";

    /// <summary>A rebuild begun (<see cref="Reset"/>) and not finished: the tables hold part of the history.</summary>
    public static async Task<bool> CutShort(NpgsqlConnection conn, CancellationToken ct) =>
        await conn.Scalar<bool>($"select exists (select 1 from {Rebuilds})", ct);

    /// <summary>The reporting tables' indexes that back no constraint (name, definition).</summary>
    private static async Task<List<(string Name, string Definition)>> SecondaryIndexes(NpgsqlConnection conn, CancellationToken ct)
    {
        var found = new List<(string, string)>();
        await using var cmd = new NpgsqlCommand("""
            select format('%I.%I', i.schemaname, i.indexname), i.indexdef from pg_indexes i
            where i.schemaname = @schema and i.tablename = any(@tables)
              and not exists (select 1 from pg_constraint c where c.conname = i.indexname and c.connamespace = i.schemaname::regnamespace)
            """, conn);
        cmd.Parameters.AddWithValue("schema", ReportingTables.Schema);
        cmd.Parameters.AddWithValue("tables", ReportingTables.Tables);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) found.Add((reader.GetString(0), reader.GetString(1)));
        return found;
    }

    /// <summary>
    /// The log is read in sequence ranges (dense pages, each read once; a few at a time, handed on in order); each
    /// customer's events go to one worker, chosen by the customer's id, so they arrive in order; each worker folds
    /// its customers in memory (<see cref="ReportingReplay"/>) and copies the rows in on its own connection.
    /// </summary>
    private static async Task<long> Replay(IDocumentStore store, TimeZoneInfo zone, long head, int workers, CancellationToken ct)
    {
        var queues = Enumerable.Range(0, workers)
            .Select(_ => Channel.CreateBounded<List<ReplayedEvent>>(new BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true }))
            .ToArray();
        var writers = queues.Select(q => Task.Run(() => Write(store, new ReportingReplay(zone), q.Reader, ct), ct)).ToArray();

        var read = 0L;
        // Pages are ranges of the sequence, so several can be read (and deserialized) at once; they are handed on in order.
        var reading = new Queue<Task<List<ReplayedEvent>>>();
        var next = 0L;
        try
        {
            while (true)
            {
                while (reading.Count < workers && next < head)
                {
                    var (from, to) = (next, Math.Min(next + ReadPage, head));
                    reading.Enqueue(Task.Run(() => Read(store, from, to, ct), ct));
                    next = to;
                }
                if (reading.Count == 0) break;
                var page = await reading.Dequeue();
                read += page.Count;

                var parts = new List<ReplayedEvent>[workers];
                foreach (var e in page)
                {
                    var w = (int)((uint)StringComparer.Ordinal.GetHashCode(e.Customer) % (uint)workers);
                    (parts[w] ??= new List<ReplayedEvent>(page.Count / workers + 16)).Add(e);
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
    /// One range of the log, read straight from the event table (<see cref="StoredEvents"/>: Marten's own event query
    /// made the rebuild .NET-bound, 73 µs an event, mostly copying and GC, profiled), only the columns the replay uses.
    /// </summary>
    private static async Task<List<ReplayedEvent>> Read(IDocumentStore store, long after, long upTo, CancellationToken ct)
    {
        var events = new List<ReplayedEvent>((int)Math.Min(upTo - after, 10_000));
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new NpgsqlCommand($"""
            select seq_id, stream_id, mt_dotnet_type, data, timestamp, user_name
            from {S}.mt_events where seq_id > @after and seq_id <= @upTo and is_archived = false order by seq_id
            """, conn);
        cmd.Parameters.AddWithValue("after", after);
        cmd.Parameters.AddWithValue("upTo", upTo);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            events.Add(new ReplayedEvent(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), StoredEvents.Body(store, reader, 2, 3)));
        return events;
    }

    /// <summary>Folds a worker's customers, copying the finished rows in every few thousand; customers and orders last.</summary>
    private static async Task Write(IDocumentStore store, ReportingReplay replay, ChannelReader<List<ReplayedEvent>> queue, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        // A crash mid-rebuild means running it again, so its commits need not wait for the disk.
        await conn.Execute("set synchronous_commit = off", ct);
        await foreach (var part in queue.ReadAllAsync(ct))
        {
            foreach (var e in part) replay.Apply(e);
            if (replay.PendingRows >= WritePage) await ReportingBulkLoad.WriteRows(conn, replay, ct);
        }
        await ReportingBulkLoad.WriteFinal(conn, replay, ct);
    }
}
