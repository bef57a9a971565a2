using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Hosting;

public static class StoreConnections
{
    /// <summary>An open connection from Marten's data source, for the SQL Marten does not write for us
    /// (hash chain, checkpoints, reporting reads, start-up scripts).</summary>
    public static async Task<NpgsqlConnection> OpenConnection(this IDocumentStore store, ConnectionUsage usage, CancellationToken ct)
    {
        var conn = store.Storage.Database.CreateConnection(usage);
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>Runs a start-up script that builds on Marten's event table (triggers, functions), creating Marten's
    /// schema first if this host's own start-up has not got to it yet.</summary>
    public static async Task InstallOverEvents(this IDocumentStore store, string script, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        if (!await conn.Scalar<bool>($"select to_regclass('{MartenSetup.Schema}.mt_events') is not null", ct))
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await conn.Execute(script, ct);
    }

    /// <summary>The name Marten stores in mt_events.type for an event type, for SQL over the event table.</summary>
    public static string EventTypeName(this IDocumentStore store, Type eventType) =>
        ((DocumentStore)store).Events.EventMappingFor(eventType).EventTypeName;

    /// <summary>The first column of the first row (default when none or null).</summary>
    public static async Task<T> Scalar<T>(this NpgsqlConnection conn, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        var result = await cmd.ExecuteScalarAsync(ct);
        return result is null or DBNull ? default! : (T)result;
    }

    public static async Task Execute(this NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
