using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace CreditLedger.Bench;

public sealed record RebuildResult(
    long Events,
    TimeSpan Wall,
    TimeSpan? Reported,
    string? Error,
    string Command,
    string Checks,
    CpuSplit Cpu)
{
    /// <summary>Events per second of wall time, process start included (the conservative figure).</summary>
    public double? EventsPerSecond => Error is null ? Events / Wall.TotalSeconds : null;
}

/// <summary>
/// Rebuild of every read model through the API host's own `projections` command (JasperFx/Marten), with
/// the API stopped. The command line is a parameter (--rebuild) so a new rebuild command can be swapped in.
/// </summary>
public static partial class Rebuild
{
    public static async Task<RebuildResult> RunAsync(NpgsqlDataSource db, string schema, string apiDll,
        IReadOnlyDictionary<string, string> env, string[] command, Plan plan, TimeSpan timeout, CpuMeter cpu, Action<string> log, CancellationToken ct)
    {
        var events = await TopUpAsync(db, schema, plan.RebuildEvents, log, ct);
        log($"rebuild: {events} events, running `{string.Join(' ', command)}`");

        await cpu.WaitForQuietAsync(Plan.OtherCpuLimit, plan.QuietWait, ct);
        var before = cpu.Take();
        var run = await ChildProcess.RunAsync("dotnet", [apiDll, .. command], env, timeout, ct);
        var split = CpuMeter.Between(before, cpu.Take()); // the command is the bench's child: its CPU counts as bench
        var reported = ReportedTime().Match(run.Output) is { Success: true } m
            ? TimeSpan.FromMilliseconds(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
            : CommandSummary().Match(run.Output) is { Success: true } c
                ? TimeSpan.FromSeconds(double.Parse(c.Groups[1].Value, CultureInfo.InvariantCulture)) : (TimeSpan?)null;
        var line = string.Join(' ', command);

        // Exit code 0 is not enough: a failed rebuild may still exit cleanly, so the read models are checked too.
        string? error = run.TimedOut ? $"timed out after {timeout.TotalSeconds:F0} s:\n{run.Tail()}"
            : run.ExitCode != 0 ? $"exit code {run.ExitCode}:\n{run.Tail()}"
            : null;
        var checks = await CheckAsync(db, schema, ct);
        if (error is null && checks.Behind.Count > 0)
            error = $"projections not at the head ({checks.Head}) after the rebuild: {string.Join(", ", checks.Behind)}\n{run.Tail()}";
        return new RebuildResult(events, run.Elapsed, reported, error, line, checks.Summary, split);
    }

    /// <summary>
    /// Brings the event store up to the target size by cloning whole streams of the load (same event bodies,
    /// types and metadata, new stream ids "id~k"), so the rebuild reads realistic events without minutes of HTTP.
    /// The time-travel account (an outlier) and Marten's mt_tombstone stream are not cloned. Columns are read
    /// from the catalog, not hard-coded.
    /// </summary>
    private static async Task<long> TopUpAsync(NpgsqlDataSource db, string schema, long target, Action<string> log, CancellationToken ct)
    {
        var count = await Catalog.ScalarAsync<long>(db, $"select count(*) from {schema}.mt_events", ct);
        if (count >= target) return count;
        var streamColumns = await Catalog.ColumnsAsync(db, schema, "mt_streams", ["id"], ct);
        var eventColumns = await Catalog.ColumnsAsync(db, schema, "mt_events", ["seq_id", "id", "stream_id"], ct);

        for (var round = 1; count < target; round++)
        {
            var suffix = $"~{round}";
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await Catalog.ExecAsync(tx, $"""
                create temp table picked on commit drop as
                select stream_id from (
                    select stream_id, sum(count(*)) over (order by stream_id) - count(*) as before
                    from {schema}.mt_events
                    where stream_id not like '%~%' and stream_id not in ('{TimeTravel.AccountId}', 'mt_tombstone')
                    group by stream_id) s
                where before < {target - count}
                """, ct);
            await Catalog.ExecAsync(tx, $"""
                insert into {schema}.mt_streams (id, {Catalog.Join(streamColumns)})
                select s.id || '{suffix}', {Catalog.Join(streamColumns, "s.")}
                from {schema}.mt_streams s join picked p on p.stream_id = s.id
                """, ct);
            // Sorted in a subquery first, so nextval() follows the original order and versions stay in sequence order.
            var added = await Catalog.ExecAsync(tx, $"""
                insert into {schema}.mt_events (seq_id, id, stream_id, {Catalog.Join(eventColumns)})
                select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), stream_id || '{suffix}', {Catalog.Join(eventColumns)}
                from (select e.* from {schema}.mt_events e join picked p on p.stream_id = e.stream_id order by e.seq_id offset 0) original
                """, ct);
            await tx.CommitAsync(ct);
            if (added == 0) throw new InvalidOperationException("no events to clone for the rebuild set");
            count += added;
            log($"rebuild: cloned {added} events (round {round}), {count} in the store");
        }
        return count;
    }

    private sealed record Checks(long Head, List<string> Behind, string Summary);

    private static async Task<Checks> CheckAsync(NpgsqlDataSource db, string schema, CancellationToken ct)
    {
        var head = await Catalog.ScalarAsync<long>(db, $"select coalesce(max(seq_id), 0) from {schema}.mt_events", ct);
        var behind = new List<string>();
        var positions = new List<string>();
        await using (var cmd = db.CreateCommand($"select name, coalesce(last_seq_id, 0) from {schema}.mt_event_progression where name not like 'HighWater%' order by name"))
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var (name, seq) = (reader.GetString(0), reader.GetInt64(1));
                positions.Add($"{name}={seq}");
                if (seq < head) behind.Add($"{name} at {seq}");
            }
        }
        var streams = await Catalog.ScalarAsync<long>(db, $"select count(*) from {schema}.mt_streams", ct);
        var customers = await Catalog.ScalarAsync<long>(db, "select count(*) from credit_reporting.customers", ct);
        var ledger = await Catalog.ScalarAsync<long>(db, "select count(*) from credit_reporting.ledger_entries", ct);
        return new Checks(head, behind,
            $"head {head}; {string.Join(", ", positions)}; streams {streams}, reporting customers {customers}, ledger rows {ledger}");
    }

    // JasperFx's summary line, e.g. "[purple]Finished rebuild in 911 ms[/]".
    [GeneratedRegex(@"Finished rebuild in ([0-9.]+) ms")]
    private static partial Regex ReportedTime();

    // The API's `projections rebuild` summary, e.g. "all read models: 200034 events in 27.41 s" (replay only, no start-up).
    [GeneratedRegex(@"all read models: \d+ events in ([0-9.]+) s")]
    private static partial Regex CommandSummary();
}
