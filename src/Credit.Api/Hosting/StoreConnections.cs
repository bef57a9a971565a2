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
}
