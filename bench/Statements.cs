using Npgsql;

namespace CreditLedger.Bench;

public sealed record StatementCost(long Calls, double TotalMs, double MeanMs, double Share, string Query);

/// <summary>
/// Where PostgreSQL's time goes during the load: pg_stat_statements (preloaded by bench/run) over the product's
/// database, reset before the first level. Execution time, so lock waits and COMMIT's WAL flush are in it.
/// </summary>
public static class Statements
{
    public static async Task<string?> ResetAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        try
        {
            await using (var create = db.CreateCommand("create extension if not exists pg_stat_statements"))
                await create.ExecuteNonQueryAsync(ct);
            await using var reset = db.CreateCommand("select pg_stat_statements_reset()");
            await reset.ExecuteNonQueryAsync(ct);
            return null;
        }
        catch (PostgresException ex) { return $"pg_stat_statements unavailable: {ex.MessageText}"; }
    }

    public static async Task<List<StatementCost>> TopAsync(NpgsqlDataSource db, int count, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("""
            select calls, total_exec_time, mean_exec_time, total_exec_time / nullif(sum(total_exec_time) over (), 0), query
            from pg_stat_statements
            where dbid = (select oid from pg_database where datname = current_database())
            order by total_exec_time desc
            limit $1
            """);
        cmd.Parameters.Add(new NpgsqlParameter { Value = count });
        var top = new List<StatementCost>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var query = string.Join(' ', reader.GetString(4).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            top.Add(new StatementCost(reader.GetInt64(0), reader.GetDouble(1), reader.GetDouble(2),
                reader.IsDBNull(3) ? 0 : reader.GetDouble(3), query.Length <= 160 ? query : query[..160] + "…"));
        }
        return top;
    }

    /// <summary>Calls of the group commit's batch append so far: one per committed batch of decisions. Null without pg_stat_statements.</summary>
    public static async Task<long?> BatchesAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        try
        {
            await using var cmd = db.CreateCommand("""
                select coalesce(sum(calls), 0)::bigint from pg_stat_statements
                where dbid = (select oid from pg_database where datname = current_database()) and query like '%append_decisions(%'
                """);
            return (long?)await cmd.ExecuteScalarAsync(ct);
        }
        catch (PostgresException) { return null; }
    }
}
