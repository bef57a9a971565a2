using Credit.Api.Hosting;
using Credit.Domain.Accounts;
using Marten;
using Marten.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Credit.Api.Accounts;

/// <summary>
/// The account as it stood after every <see cref="Interval"/>th event, for cold loads and time travel, which then
/// fold at most that many events. Kept as an <see cref="AccountImage"/> in a table of their own: a 10,000-event
/// account is 2.6 MB as JSON (as a jsonb document ~40 ms for PostgreSQL alone to hand out), ~50 KB as an image.
/// Each is sealed (<see cref="Audit.Seals"/>); one whose seal does not hold is passed over.
/// </summary>
public sealed class Checkpoints(IDocumentStore store, Audit.Seals seals, ILogger<Checkpoints> log) : IHostedService
{
    public const int Interval = 500;
    private const string Table = MartenSetup.Schema + ".account_checkpoints";

    public async Task StartAsync(CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        await using var cmd = new NpgsqlCommand($"""
            create table if not exists {Table} (
                customer_id varchar not null, version bigint not null, event_timestamp timestamptz not null, state bytea not null,
                primary key (customer_id, version));
            alter table {Table} add column if not exists seal bytea;
            """, conn);
        await cmd.ExecuteNonQueryAsync(ct);
        // Checkpoints are a cache of the events: those of an older image layout are dropped, not converted.
        await using var stale = new NpgsqlCommand($"delete from {Table} where substring(state from 1 for @n) <> @magic", conn);
        stale.Parameters.AddWithValue("n", AccountImage.Magic.Length);
        stale.Parameters.AddWithValue("magic", AccountImage.Magic);
        await stale.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Stores the account's image at its version, stamped with that event's timestamp (for time travel by moment)
    /// and sealed to the chain's link at that version.</summary>
    public async Task Save(string customerId, long version, byte[] state, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        await using var link = new NpgsqlCommand(
            $"select hash from {MartenSetup.Schema}.event_hashes where stream_id = @id and version = @version", conn);
        link.Parameters.AddWithValue("id", customerId);
        link.Parameters.AddWithValue("version", version);
        if (await link.ExecuteScalarAsync(ct) is not byte[] chainLink) return; // not committed after all: nothing to keep
        await using var cmd = new NpgsqlCommand($"""
            insert into {Table} (customer_id, version, event_timestamp, state, seal)
            select @id, @version, e.timestamp, @state, @seal from {MartenSetup.Schema}.mt_events e where e.stream_id = @id and e.version = @version
            on conflict (customer_id, version) do update set event_timestamp = excluded.event_timestamp, state = excluded.state, seal = excluded.seal
            """, conn);
        cmd.Parameters.AddWithValue("id", customerId);
        cmd.Parameters.AddWithValue("version", version);
        cmd.Parameters.AddWithValue("state", state);
        cmd.Parameters.AddWithValue("seal", seals.Checkpoint(customerId, version, chainLink, state));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The version of the newest checkpoint at or before a version and/or a moment; null when none.</summary>
    public async Task<long?> Find(string customerId, long? atMostVersion, DateTimeOffset? atMostMoment, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new NpgsqlCommand($"""
            select max(version) from {Table}
            where customer_id = @id and (@v::bigint is null or version <= @v) and (@at::timestamptz is null or event_timestamp <= @at)
            """, conn);
        cmd.Parameters.AddWithValue("id", customerId);
        cmd.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Bigint) { Value = (object?)atMostVersion ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = (object?)atMostMoment ?? DBNull.Value });
        return await cmd.ExecuteScalarAsync(ct) as long?;
    }

    /// <summary>
    /// The account at a version and/or a moment (now when neither): the newest checkpoint at or before that point,
    /// taken through <paramref name="start"/> (which may keep or copy it), plus the events after it.
    /// </summary>
    public async Task<CreditAccount?> Fold(string customerId, long? version, DateTimeOffset? at,
        Func<long, Task<CreditAccount?>> start, CancellationToken ct)
    {
        var found = await Find(customerId, version, at, ct);
        var state = found is { } checkpoint ? await start(checkpoint) : null;
        if (found is { } passedOver && state is null)
        {
            // Unsealed (from before seals) or broken: folded from the events up to it and written again, sealed, so the
            // next question starts from it instead of from the first event.
            state = await FoldEvents(customerId, null, passedOver, null, ct);
            if (state?.Version == passedOver) await Save(customerId, passedOver, AccountImage.Write(state), ct);
        }
        if (state is not null && state.Version == version) return state;
        return await FoldEvents(customerId, state, version, at, ct);
    }

    /// <summary>The events after <paramref name="state"/> (all of them from null) up to a version and/or a moment,
    /// folded with the domain's own fold, the one behind Marten's projection.</summary>
    private async Task<CreditAccount?> FoldEvents(string customerId, CreditAccount? state, long? version, DateTimeOffset? at, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new NpgsqlCommand($"""
            select mt_dotnet_type, data from {MartenSetup.Schema}.mt_events
            where stream_id = @id and version > @from and is_archived = false
                and (@v::bigint is null or version <= @v) and (@at::timestamptz is null or timestamp <= @at)
            order by version
            """, conn);
        cmd.Parameters.AddWithValue("id", customerId);
        cmd.Parameters.AddWithValue("from", state?.Version ?? 0L);
        cmd.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Bigint) { Value = (object?)version ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = (object?)at ?? DBNull.Value });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) state = CreditAccount.Fold(state, StoredEvents.Body(store, reader, 0, 1));
        return state;
    }

    public async Task<CreditAccount?> Load(string customerId, long version, CancellationToken ct) =>
        await LoadImage(customerId, version, ct) is { } image ? AccountImage.Read(image) : null;

    /// <summary>The image at that version, or null when there is none or its seal does not hold (then the caller folds events).</summary>
    public async Task<byte[]?> LoadImage(string customerId, long version, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        await using var cmd = new NpgsqlCommand($"""
            select c.state, c.seal, h.hash from {Table} c
            left join {MartenSetup.Schema}.event_hashes h on h.stream_id = c.customer_id and h.version = c.version
            where c.customer_id = @id and c.version = @version
            """, conn);
        cmd.Parameters.AddWithValue("id", customerId);
        cmd.Parameters.AddWithValue("version", version);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var state = (byte[])reader[0];
        var (stored, link) = (reader.IsDBNull(1) ? null : (byte[])reader[1], reader.IsDBNull(2) ? null : (byte[])reader[2]);
        if (seals.CheckpointHolds(customerId, version, link, state, stored)) return state;
        if (stored is null)
            log.LogInformation("Checkpoint of {Customer} at version {Version} is from before seals: folding the events and sealing it", customerId, version);
        else
            log.LogWarning("Checkpoint of {Customer} at version {Version} does not match its seal (edited, or written under another key): folding the events instead",
                customerId, version);
        return null;
    }

}
