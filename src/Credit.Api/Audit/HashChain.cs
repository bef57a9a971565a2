using Credit.Api.Hosting;
using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Audit;

/// <summary>
/// Tamper evidence. A trigger on the event table chains every event to its stream's previous one with
/// SHA-256 over (previous hash, type, data as canonical jsonb text, timestamp in UTC to the microsecond,
/// user), in the same transaction as the append, so no code path can write an event without its link.
/// Verifying recomputes each link from the stored events: editing, deleting or inserting a stored event
/// breaks the chain at that version. Rewriting every later hash as well, or removing the newest events with
/// their hashes, is detectable only against a head kept elsewhere: auditors record <c>events</c> and <c>headHash</c>
/// with each review and pass them to the next verification (<see cref="Verify"/>'s <c>known</c>).
/// </summary>
public sealed class HashChain(IDocumentStore store, ILogger<HashChain> log) : IHostedService
{
    private const string S = MartenSetup.Schema;
    /// <summary>Marten's stream of tombstones (declared before <see cref="Install"/>, which reads it).</summary>
    private static readonly string TombstoneStream = JasperFx.StorageConstants.TombstoneStreamKey;

    // chr(31) (unit separator) keeps the fields from running into each other.
    private static readonly string Install = $"""
        create table if not exists {S}.event_hashes (
            seq_id    bigint primary key,
            stream_id varchar not null,
            version   bigint  not null,
            hash      bytea   not null,
            unique (stream_id, version));

        create or replace function {S}.event_hash(prev bytea, type text, data jsonb, ts timestamptz, usr text) returns bytea
        language sql stable as $$
            select sha256(coalesce(prev, ''::bytea) || convert_to(
                type || chr(31) || data::text || chr(31) ||
                to_char(ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || chr(31) || coalesce(usr, ''), 'UTF8'))
        $$;

        -- Links one event to its stream's previous one. plpgsql, not sql: a non-inlined SQL function is planned
        -- again on every call, which cost more than the append itself (0.85 of 1.55 ms per event, measured).
        create or replace function {S}.link_event(e {S}.mt_events) returns void language plpgsql as $$
        begin
            insert into {S}.event_hashes (seq_id, stream_id, version, hash)
            values (e.seq_id, e.stream_id, e.version, {S}.event_hash(
                (select h.hash from {S}.event_hashes h where h.stream_id = e.stream_id and h.version = e.version - 1),
                e.type, e.data, e.timestamp, e.user_name));
        end $$;

        -- Once per statement, over all its rows in stream and version order: a batch append links hundreds of events
        -- in one call, carrying the previous hash from row to row (a row trigger cost ~59 µs an event, this ~20, measured).
        create or replace function {S}.chain_events() returns trigger language plpgsql as $$
        declare
            r record;
            prev bytea;
            last_stream varchar;
            last_version bigint;
            seqs bigint[] := array[]::bigint[];
            streams varchar[] := array[]::varchar[];
            versions bigint[] := array[]::bigint[];
            hashes bytea[] := array[]::bytea[];
        begin
            -- Not Marten's tombstones: fillers for the sequence numbers of a failed append, no part of any history (with
            -- no hash they failed the insert, the gap stayed open and the projection daemon stalled at it).
            for r in select n.seq_id, n.stream_id, n.version, n.type, n.data, n.timestamp, n.user_name
                     from new_events n where n.stream_id <> '{TombstoneStream}' order by n.stream_id, n.version loop
                if last_stream is distinct from r.stream_id or r.version <> last_version + 1 then
                    prev := (select h.hash from {S}.event_hashes h where h.stream_id = r.stream_id and h.version = r.version - 1);
                end if;
                prev := {S}.event_hash(prev, r.type, r.data, r.timestamp, r.user_name);
                seqs := seqs || r.seq_id;
                streams := streams || r.stream_id;
                versions := versions || r.version;
                hashes := hashes || prev;
                last_stream := r.stream_id;
                last_version := r.version;
            end loop;
            insert into {S}.event_hashes (seq_id, stream_id, version, hash) select * from unnest(seqs, streams, versions, hashes);
            return null;
        end $$;

        drop trigger if exists chain_event on {S}.mt_events; -- the row trigger of earlier versions
        drop function if exists {S}.chain_event();
        create or replace trigger chain_events after insert on {S}.mt_events
            referencing new table as new_events for each statement execute function {S}.chain_events();

        -- Events written before the chain existed (an upgrade) are linked once, stream by stream, in order.
        do $$
        declare r {S}.mt_events;
        begin
            for r in select e.* from {S}.mt_events e
                     where e.stream_id <> '{TombstoneStream}' and not exists (select 1 from {S}.event_hashes h where h.seq_id = e.seq_id)
                     order by e.stream_id, e.version loop
                perform {S}.link_event(r);
            end loop;
        end $$;
        """;

    public async Task StartAsync(CancellationToken ct)
    {
        await store.InstallOverEvents(Install, ct);
        log.LogInformation("Event hash chain installed");
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    public sealed record Link(long Version, long Sequence, string Hash);

    /// <summary>ProblemCode: stable (CHAIN_…); Problem: its message in the request's language.</summary>
    public sealed record Verification(bool Valid, int Events, string? HeadHash, long? FirstBadVersion, string? Problem, string? ProblemCode);

    /// <summary>An earlier review's head: the stream had <paramref name="Events"/> events, the last hashed <paramref name="HeadHash"/>.</summary>
    public sealed record KnownHead(long Events, string HeadHash);

    /// <summary>
    /// Recomputes every link of one stream from the stored events and their stored predecessors; with <paramref name="known"/>,
    /// also that the history an auditor recorded is still there, unchanged (the chain alone cannot tell a stream cut short
    /// together with its hashes, or rewritten from some version on, from one that never went further).
    /// </summary>
    public async Task<Verification> Verify(string streamId, CancellationToken ct, KnownHead? known = null)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        // One snapshot for both statements: an event appended between them read as "a version is missing" (under load,
        // an auditor's verify reported a sound history broken).
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var cmd = new NpgsqlCommand($"""
            select e.version, h.hash, {S}.event_hash(p.hash, e.type, e.data, e.timestamp, e.user_name), e.is_archived, e.type, e.mt_dotnet_type
            from {S}.mt_events e
            left join {S}.event_hashes h on h.seq_id = e.seq_id and h.stream_id = e.stream_id and h.version = e.version
            left join {S}.event_hashes p on p.stream_id = e.stream_id and p.version = e.version - 1
            where e.stream_id = @id order by e.version;
            select coalesce(max(version), 0), (select s.version from {S}.mt_streams s where s.id = @id)
            from {S}.event_hashes where stream_id = @id;
            """, conn, tx);
        cmd.Parameters.AddWithValue("id", streamId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);

        var count = 0;
        byte[]? head = null, atKnown = null, last = null;
        Verification? bad = null;
        while (await reader.ReadAsync(ct))
        {
            var version = reader.GetInt64(0);
            var stored = reader.IsDBNull(1) ? null : (byte[])reader[1];
            var computed = (byte[])reader[2];
            count++;
            last = stored;
            if (version == known?.Events) atKnown = stored;
            if (bad is not null) continue;
            if (version != count) bad = Broken(count, "CHAIN_MISSING_EVENT");
            else if (stored is null) bad = Broken(version, "CHAIN_EVENT_UNHASHED");
            else if (!stored.AsSpan().SequenceEqual(computed)) bad = Broken(version, "CHAIN_HASH_MISMATCH");
            // Outside the hash but read back: an archived event is left out of history and the account (which never
            // archives), and the .NET type decides how the event is read (the hashed type alias is not read back).
            else if (reader.GetBoolean(3)) bad = Broken(version, "CHAIN_EVENT_HIDDEN");
            else if (AliasOf(reader.IsDBNull(5) ? null : reader.GetString(5)) != reader.GetString(4)) bad = Broken(version, "CHAIN_TYPE_CHANGED");
            else head = stored;
        }
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        var lastHashed = reader.GetInt64(0);
        var streamVersion = reader.IsDBNull(1) ? 0 : reader.GetInt64(1);
        if (bad is null && lastHashed > count) bad = Broken(count + 1, "CHAIN_MISSING_EVENT");
        // The stream's version is what every append is checked against: events added or removed behind it differ from it.
        if (bad is null && streamVersion != count) bad = Broken(Math.Min(streamVersion, count) + 1, "CHAIN_STREAM_VERSION");
        if (bad is null && known is not null)
        {
            if (count < known.Events) bad = Broken(count + 1, "CHAIN_HEAD_MISSING");
            else if (!string.Equals(Hex(atKnown), known.HeadHash, StringComparison.OrdinalIgnoreCase))
                bad = Broken(known.Events, "CHAIN_HEAD_CHANGED");
        }
        // Broken or not, events and headHash describe the stream as stored (its count, its last event's stored hash);
        // firstBadVersion says where it stops being trustworthy.
        return bad is null ? new Verification(true, count, Hex(head), null, null, null) : bad with { Events = count, HeadHash = Hex(last) };
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> _aliases = new();

    /// <summary>The event type alias Marten stores for a stored .NET type name (null: not one of our events).</summary>
    private string? AliasOf(string? dotnetType) => dotnetType is null ? null : _aliases.GetOrAdd(dotnetType, name =>
        Type.GetType(name) is { } type ? store.EventTypeName(type) : null);

    private static Verification Broken(long version, string code) => new(false, 0, null, version, Localization.Text.Of(code), code);

    public static string? Hex(byte[]? hash) => hash is null ? null : Convert.ToHexStringLower(hash);

    /// <summary>The stored hashes of a range of one stream's events, by version.</summary>
    public async Task<Dictionary<long, string>> Hashes(string streamId, long fromVersion, long toVersion, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new NpgsqlCommand(
            $"select version, hash from {S}.event_hashes where stream_id = @id and version between @from and @to", conn);
        cmd.Parameters.AddWithValue("id", streamId);
        cmd.Parameters.AddWithValue("from", fromVersion);
        cmd.Parameters.AddWithValue("to", toVersion);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var hashes = new Dictionary<long, string>();
        while (await reader.ReadAsync(ct)) hashes[reader.GetInt64(0)] = Hex((byte[])reader[1])!;
        return hashes;
    }
}
