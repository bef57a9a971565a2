using System.Globalization;
using Npgsql;

namespace CreditLedger.Bench;

/// <summary>
/// PostgreSQL's cost of the append alone, against its floor, at the commit size the load reached at 16 clients: pgbench
/// commits that many decisions per transaction (one event each, the body of a real invoice) in three ways:
/// <list type="bullet">
/// <item>floor: one plain statement into bare copies of Marten's event and stream tables (same columns, indexes and
/// foreign key; no function, no hash chain): moves the streams' versions and inserts the rows;</item>
/// <item>product: the product's own <c>append_decisions</c> over the product's tables, hash chain included;</item>
/// <item>product without chain: the same with the chain trigger switched off for the run.</item>
/// </list>
/// Runs last, with the API stopped: the events it appends are real rows of the product's database.
/// </summary>
public static class AppendCost
{
    public sealed record Variant(string Name, double Tps, int PerCommit, CpuSplit Cpu)
    {
        public double Decisions => Tps * PerCommit;
        public double PgMs => CpuSplit.Ms(Cpu.Postgres, Decisions);
    }

    public sealed record Result(int Clients, int PerCommit, Variant Floor, Variant Product, Variant ProductWithoutChain);

    public static async Task<Result> RunAsync(Postgres pg, NpgsqlDataSource db, string database, string schema, int clients, double? perCommit,
        Plan plan, CpuMeter cpu, Func<string, Func<Task<Variant>>, Task<Variant>> measured, string work, CancellationToken ct)
    {
        var k = (int)Math.Clamp(Math.Round(perCommit ?? 8), 1, 16);
        await PrepareAsync(db, schema, clients * k, k, ct);
        await using (var check = db.CreateCommand("select (select count(*) from bench_append.sample) * (select count(*) from bench_append.slots)"))
            if ((long)(await check.ExecuteScalarAsync(ct))! != clients * k)
                throw new InvalidOperationException($"needs {clients * k} customer streams and one invoice event in the product's database");
        var floor = await Script(work, "append-floor.sql", $"""
            with s as (update bench_append.streams t set version = t.version + 1, timestamp = now()
                       from bench_append.slots l where l.client = :client_id and t.id = l.id returning t.id, t.version)
            insert into bench_append.events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, is_archived, user_name)
            select nextval('bench_append.seq'), gen_random_uuid(), s.id, s.version, x.data, x.type, now(), x.mt_dotnet_type, false, 'bench'
            from s cross join bench_append.sample x;
            """, ct);
        // The product receives its arrays as parameters; pgbench cannot bind arrays, so they are prepared per client
        // beforehand, and only what changes per call (versions, ids, stamps) is read or made in the statement.
        var product = await Script(work, "append-product.sql", $"""
            select {schema}.append_decisions(c.ids, v.expected, c.counts, v.ids, c.ids, v.next, c.types, c.dotnet, c.bodies, v.stamps, c.users, c.corrs)
            from bench_append.calls c cross join lateral (
                select array_agg(s.version order by s.id) as expected, array_agg(s.version + 1 order by s.id) as next,
                       array_agg(gen_random_uuid()) as ids, array_agg(now()) as stamps
                from {schema}.mt_streams s where s.id = any(c.ids)) v
            where c.client = :client_id;
            """, ct);

        Task<Variant> Run(string name, string script) => measured($"append {name}", async () =>
        {
            var (tps, split) = await Ceiling.MeasureAsync(pg, database, script, clients, plan, cpu, ct);
            return new Variant(name, tps, k, split);
        });

        var floorRun = await Run("floor", floor);
        var productRun = await Run("product", product);
        await Execute(db, $"alter table {schema}.mt_events disable trigger chain_events", ct);
        try
        {
            var unchained = await Run("product without chain", product);
            return new Result(clients, k, floorRun, productRun, unchained);
        }
        finally
        {
            await Execute(db, $"alter table {schema}.mt_events enable trigger chain_events", CancellationToken.None);
        }
    }

    /// <summary>Bare copies of Marten's tables, the streams each pgbench client appends to, and one real invoice's event.</summary>
    private static Task PrepareAsync(NpgsqlDataSource db, string schema, int streams, int perClient, CancellationToken ct) => Execute(db, string.Create(CultureInfo.InvariantCulture, $"""
        drop schema if exists bench_append cascade;
        create schema bench_append;
        create table bench_append.streams (like {schema}.mt_streams including all);
        create table bench_append.events (like {schema}.mt_events including all);
        alter table bench_append.events add foreign key (stream_id) references bench_append.streams (id) on delete cascade;
        create sequence bench_append.seq;
        create table bench_append.sample as
            select data, type, mt_dotnet_type from {schema}.mt_events where type = 'invoice_issued' order by seq_id desc limit 1;
        create table bench_append.slots as
            select ((row_number() over (order by id) - 1) / {perClient})::int as client, id
            from {schema}.mt_streams where id like 'C%' and not is_archived order by id limit {streams};
        insert into bench_append.streams (id, type, version) select id, 'credit_account', 1 from bench_append.slots;
        create table bench_append.calls as
            select l.client, array_agg(l.id order by l.id)::varchar[] as ids, array_agg(1 order by l.id) as counts,
                   array_agg(x.type order by l.id)::varchar[] as types, array_agg(x.mt_dotnet_type order by l.id)::varchar[] as dotnet,
                   array_agg(x.data order by l.id) as bodies, array_agg('bench'::varchar order by l.id) as users,
                   array_agg(null::varchar order by l.id) as corrs
            from bench_append.slots l cross join bench_append.sample x group by l.client;
        create unique index on bench_append.calls (client);
        analyze bench_append.streams; analyze bench_append.slots; analyze bench_append.calls;
        """), ct);

    private static async Task<string> Script(string work, string name, string sql, CancellationToken ct)
    {
        var path = Path.Combine(work, name);
        await File.WriteAllTextAsync(path, string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) + "\n", ct);
        return path;
    }

    private static async Task Execute(NpgsqlDataSource db, string sql, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
