using System.Diagnostics;
using System.Globalization;
using System.Net;
using Npgsql;

namespace CreditLedger.Bench;

public sealed record TimeTravelResult(
    string? NotAvailable,
    int Events,
    int ViaApi,
    TimeSpan BuildTime,
    double LastWritesMs,
    LatencyStats? ByVersion,
    LatencyStats? ByTimestamp,
    string? FirstFailure)
{
    /// <summary>The headline figure: the worse p95 of the two kinds of query.</summary>
    public double? P95 => ByVersion is null || ByTimestamp is null ? null : Math.Max(ByVersion.P95, ByTimestamp.P95);
}

/// <summary>
/// GET /api/customers/{id}/state?version=n and ?asOf=timestamp on one account with a long history.
/// The endpoint is probed first on a seeded customer; without it (404) nothing is built and the result says so.
/// </summary>
public static class TimeTravel
{
    public const string AccountId = "TT-1";
    private const int OpeningEvents = 3; // account opened, limit set, terms set

    public static async Task<TimeTravelResult> RunAsync(HttpClient http, NpgsqlDataSource db, string schema, Plan plan,
        Action<string> log, CancellationToken ct)
    {
        using (var probe = await http.GetAsync($"api/customers/{Workload.CustomerId(1)}/state?version=1", ct))
        {
            if (probe.StatusCode != HttpStatusCode.OK)
                return new TimeTravelResult($"n/a ({(int)probe.StatusCode})", 0, 0, TimeSpan.Zero, 0, null, null, null);
        }

        var clock = Stopwatch.StartNew();
        var (viaApi, lastWritesMs) = await BuildAccountAsync(http, Math.Min(plan.TimeTravelEvents, plan.TimeTravelViaApi), ct);
        var built = clock.Elapsed;
        log($"time travel: {viaApi} events on {AccountId} through the API in {built.TotalSeconds:F0} s (last writes {lastWritesMs:F0} ms each)");
        if (viaApi < plan.TimeTravelEvents)
        {
            await ExtendAsync(db, schema, viaApi, plan.TimeTravelEvents, ct);
            log($"time travel: extended to {plan.TimeTravelEvents} events in SQL; waiting for the projections");
            await WaitForProjectionsAsync(db, schema, TimeSpan.FromMinutes(2), ct);
        }

        var history = new List<DateTime>();
        await using (var cmd = db.CreateCommand($"select timestamp from {schema}.mt_events where stream_id = $1 order by version"))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = AccountId });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) history.Add(reader.GetDateTime(0));
        }

        var rng = new Random(42);
        string? failure = null;
        async Task<List<double>> Measure(Func<string> query)
        {
            var ms = new List<double>();
            for (var i = -3; i < plan.TimeTravelCalls; i++) // three unmeasured calls warm the endpoint
            {
                var url = $"api/customers/{AccountId}/state?{query()}";
                var sent = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(url, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                var elapsed = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.OK) failure ??= $"{url}: {(int)response.StatusCode}";
                else if (i >= 0) ms.Add(elapsed);
            }
            return ms;
        }

        var byVersion = await Measure(() => $"version={rng.Next(1, history.Count + 1)}");
        var byTime = await Measure(() =>
            "asOf=" + Uri.EscapeDataString(history[rng.Next(history.Count)].ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture)));
        return new TimeTravelResult(null, history.Count, viaApi, built, lastWritesMs, LatencyStats.Of(byVersion), LatencyStats.Of(byTime), failure);
    }

    /// <summary>
    /// One customer with a limit nobody reaches, then alternating invoices and payments (each payment settles
    /// the invoice before it), one at a time: a single stream, so parallel writers would only retry each other.
    /// Returns the events written and the mean latency of the last 50 writes.
    /// </summary>
    private static async Task<(int Events, double LastWritesMs)> BuildAccountAsync(HttpClient http, int target, CancellationToken ct)
    {
        using (var put = await http.PutAsync($"api/customers/{AccountId}",
            Workload.Json("""{"name":"Time travel","currency":"SAR","creditLimit":1000000000000,"paymentTerms":{"days":30}}"""), ct))
            await Expect(put, HttpStatusCode.Created, ct);
        var events = OpeningEvents;
        var today = Workload.Today;
        var recent = new Queue<double>();
        for (var n = 1; events < target; n++, events++)
        {
            var (path, body) = n % 2 == 1
                ? ("invoices", $$"""{"invoiceId":"TI{{n}}","amount":1000,"issuedOn":"{{today}}"}""")
                : ("payments", $$"""{"paymentId":"TP{{n}}","amount":1000,"receivedOn":"{{today}}"}""");
            var sent = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync($"api/customers/{AccountId}/{path}", Workload.Json(body), ct);
            await Expect(response, HttpStatusCode.Created, ct);
            recent.Enqueue(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            if (recent.Count > 50) recent.Dequeue();
        }
        return (events, recent.Count > 0 ? recent.Average() : 0);
    }

    /// <summary>
    /// The account's write path slows down as the account grows (the whole account is rewritten per event),
    /// so a 10,000-event history through HTTP would take most of an hour. The rest of the history is therefore
    /// appended in SQL: the API-written invoices and payments repeated in rounds, document ids prefixed per round
    /// ("TI7" → "R2TI7"), versions and sequence numbers continuing the stream, timestamps increasing. The inline
    /// CreditAccount row keeps the API-written version; ?version and ?asOf replay events, so they see it all.
    /// </summary>
    private static async Task ExtendAsync(NpgsqlDataSource db, string schema, int viaApi, int target, CancellationToken ct)
    {
        var columns = await Catalog.ColumnsAsync(db, schema, "mt_events", ["seq_id", "id", "stream_id", "version", "data", "timestamp"], ct);
        var others = string.Join(", ", columns.Select(c => $"\"{c}\""));
        var documents = viaApi - OpeningEvents;
        if (documents < 2) throw new InvalidOperationException("too few API-written events to extend the time-travel account");

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var round = 1;
        for (var version = viaApi; version < target; )
        {
            var take = Math.Min(documents, target - version);
            round++;
            // Sorted in a subquery first: nextval() and clock_timestamp() then follow the stream's version order.
            await Catalog.ExecAsync(tx, $"""
                insert into {schema}.mt_events (seq_id, id, stream_id, version, data, timestamp, {others})
                select nextval('{schema}.mt_events_sequence'), gen_random_uuid(), stream_id, {version - OpeningEvents} + version,
                       replace(replace(data::text, '"TI', '"R{round}TI'), '"TP', '"R{round}TP')::jsonb, clock_timestamp(), {others}
                from (select * from {schema}.mt_events
                      where stream_id = '{AccountId}' and version > {OpeningEvents} and version <= {OpeningEvents + take}
                      order by version offset 0) base
                """, ct);
            version += take;
        }
        await Catalog.ExecAsync(tx, $"update {schema}.mt_streams set version = {target}, timestamp = now() where id = '{AccountId}'", ct);
        await tx.CommitAsync(ct);
    }

    private static async Task WaitForProjectionsAsync(NpgsqlDataSource db, string schema, TimeSpan limit, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var behind = await Catalog.ScalarAsync<long>(db, $"""
                select count(*) from {schema}.mt_event_progression
                where name not like 'HighWater%' and last_seq_id < (select max(seq_id) from {schema}.mt_events)
                """, ct);
            if (behind == 0) return;
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"the async projections did not catch up with the extended account within {limit.TotalSeconds:F0} s");
    }

    private static async Task Expect(HttpResponseMessage response, HttpStatusCode expected, CancellationToken ct)
    {
        if (response.StatusCode != expected)
            throw new InvalidOperationException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
    }
}
