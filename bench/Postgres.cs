using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace CreditLedger.Bench;

/// <summary>The bench's private cluster (started by bench/run): trust auth on 127.0.0.1.</summary>
public sealed class Postgres(int port, string binDirectory, string dataDirectory)
{
    public int Port => port;
    public string BinDirectory => binDirectory;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={port};Username=postgres;Database={database};Pooling=true";

    // Bulk steps (cloning 200,000 events through the hash-chain trigger) run longer than the default 30 s.
    public NpgsqlDataSource Open(string database) => NpgsqlDataSource.Create(ConnectionString(database) + ";Command Timeout=600");

    /// <summary>The postmaster's pid (first line of postmaster.pid); its children are the backends.</summary>
    public int PostmasterPid() =>
        int.Parse(File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).First(), CultureInfo.InvariantCulture);

    public async Task CreateDatabaseAsync(string name, CancellationToken ct)
    {
        await using var admin = Open("postgres");
        await using var drop = admin.CreateCommand($"drop database if exists \"{name}\" with (force)");
        await drop.ExecuteNonQueryAsync(ct);
        await using var create = admin.CreateCommand($"create database \"{name}\"");
        await create.ExecuteNonQueryAsync(ct);
    }

    public async Task<string> VersionAsync(CancellationToken ct)
    {
        await using var db = Open("postgres");
        await using var cmd = db.CreateCommand("show server_version");
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>Small SQL conveniences shared by the phases that touch the product's tables directly.</summary>
public static class Catalog
{
    /// <summary>A table's columns in order, minus some: clones copy whatever columns the schema has today.</summary>
    public static async Task<List<string>> ColumnsAsync(NpgsqlDataSource db, string schema, string table, string[] except, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "select column_name from information_schema.columns where table_schema = $1 and table_name = $2 order by ordinal_position");
        cmd.Parameters.Add(new NpgsqlParameter { Value = schema });
        cmd.Parameters.Add(new NpgsqlParameter { Value = table });
        var columns = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) columns.Add(reader.GetString(0));
        return columns.Except(except).ToList();
    }

    public static string Join(List<string> columns, string prefix = "") => string.Join(", ", columns.Select(c => $"{prefix}\"{c}\""));

    public static async Task<int> ExecAsync(NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, tx.Connection, tx);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>
/// The physical ceiling: pgbench committing one single-row durable INSERT per transaction on the same
/// cluster the product uses, so both pay the same fsync per commit.
/// </summary>
public static partial class Ceiling
{
    private const string Database = "ceiling";

    // Roughly the shape of an event row: a key, a timestamp and a small jsonb body.
    private const string Script = """
        \set amount random(1, 100000)
        insert into ledger (body) values (jsonb_build_object('amount', :amount::int, 'kind', 'invoice_issued'));
        """;

    public sealed record Level(int Clients, double Tps, CpuSplit Cpu);

    /// <summary>A fresh database with the one table; returns the pgbench script's path.</summary>
    public static async Task<string> PrepareAsync(Postgres pg, string workDirectory, CancellationToken ct)
    {
        await pg.CreateDatabaseAsync(Database, ct);
        await using (var db = pg.Open(Database))
        await using (var create = db.CreateCommand(
            "create table ledger (id bigserial primary key, at timestamptz not null default now(), body jsonb not null)"))
            await create.ExecuteNonQueryAsync(ct);
        var script = Path.Combine(workDirectory, "insert.sql");
        await File.WriteAllTextAsync(script, Script + "\n", ct);
        return script;
    }

    public static async Task<Level> RunLevelAsync(Postgres pg, string script, int clients, Plan plan, CpuMeter cpu, CancellationToken ct)
    {
        var (tps, split) = await MeasureAsync(pg, Database, script, clients, plan, cpu, ct);
        return new Level(clients, tps, split);
    }

    /// <summary>A pgbench script run once to warm up, then measured: its TPS and the CPU split of the measured run.</summary>
    public static async Task<(double Tps, CpuSplit Cpu)> MeasureAsync(Postgres pg, string database, string script, int clients, Plan plan,
        CpuMeter cpu, CancellationToken ct)
    {
        await PgbenchAsync(pg, database, script, clients, plan.PgbenchWarmup, ct); // warm-up, discarded
        var before = cpu.Take();
        var tps = await PgbenchAsync(pg, database, script, clients, plan.PgbenchMeasure, ct);
        await Task.Delay(200, ct); // lets the postmaster reap the backends, so their CPU is in its cutime
        return (tps, CpuMeter.Between(before, cpu.Take()));
    }

    /// <summary>Runs a pgbench script (prepared statements, one thread per core) and returns its TPS.</summary>
    private static async Task<double> PgbenchAsync(Postgres pg, string database, string script, int clients, TimeSpan duration, CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        var run = await ChildProcess.RunAsync(Path.Combine(pg.BinDirectory, "pgbench"),
            ["-n", "-M", "prepared", "-h", "127.0.0.1", "-p", pg.Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres",
             "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
             "-T", seconds.ToString(CultureInfo.InvariantCulture), "-f", script, database],
            timeout: duration + TimeSpan.FromSeconds(60), ct: ct);
        var tps = TpsLine().Match(run.Output);
        if (!run.Ok || !tps.Success)
            throw new InvalidOperationException($"pgbench failed (exit {run.ExitCode}):\n{run.Tail()}");
        return double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();
}
