using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace CreditLedger.Bench;

public sealed record LatencyStats(int Count, double P50, double P95, double P99, double Max)
{
    public static LatencyStats Of(List<double> ms)
    {
        if (ms.Count == 0) return new LatencyStats(0, double.NaN, double.NaN, double.NaN, double.NaN);
        ms.Sort();
        return new LatencyStats(ms.Count, Percentile(ms, 50), Percentile(ms, 95), Percentile(ms, 99), ms[^1]);
    }

    /// <summary>Nearest-rank percentile of a sorted list.</summary>
    public static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

public sealed record LevelResult(
    int Clients,
    TimeSpan Window,
    long Decisions,
    long Refused,
    long ServerErrors,
    long TransportErrors,
    long Unexpected,
    string? FirstFailure,
    LatencyStats Latency,
    CpuSplit Cpu,
    long WindowStart,
    long WindowEnd,
    long? Batches = null)
{
    public double DecisionsPerSecond => Decisions / Window.TotalSeconds;
    public long Failures => ServerErrors + TransportErrors + Unexpected;
    public double? DecisionsPerBatch => Batches is > 0 ? (double)Decisions / Batches : null;
}

/// <summary>
/// The HTTP side: seeds customers, then drives closed-loop clients with the realistic mix: 60 % invoices
/// (credit-checked; 201 or 409 CREDIT_REFUSED are both decisions), 25 % payments, 15 % orders, spread
/// uniformly over the customers.
/// </summary>
public sealed class Workload(HttpClient http, int customers)
{
    private long _nextId;

    public static HttpClient Client(Uri baseUrl, string token)
    {
        // Keep-alive connections, enough for every client of the largest level at once.
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The business date the API uses (Asia/Riyadh, UTC+3), so documents are dated "today".</summary>
    public static string Today => DateTime.UtcNow.AddHours(3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string CustomerId(int n) => $"C{n:D5}";

    public async Task SeedAsync(int parallel, CancellationToken ct)
    {
        var failures = 0;
        string? first = null;
        await Parallel.ForAsync(1, customers + 1, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (n, token) =>
        {
            var body = $$$"""{"name":"Bench customer {{{n}}}","currency":"SAR","creditLimit":100000000,"paymentTerms":{"days":30}}""";
            using var response = await http.PutAsync($"api/customers/{CustomerId(n)}", Json(body), token);
            if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK))
            {
                Interlocked.Increment(ref failures);
                first ??= $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}";
            }
        });
        if (failures > 0) throw new InvalidOperationException($"seeding: {failures} customers failed; first: {first}");
    }

    /// <param name="batches">Reads how many group-commit batches the product has written so far (null: unknown).</param>
    /// <param name="reads">Instead of the mix, authenticated <c>GET api/customers/{id}</c> (answered from memory, no
    /// PostgreSQL): the floor under any request. Its 200s are counted where decisions are.</param>
    public async Task<LevelResult> RunLevelAsync(int clients, TimeSpan warmup, TimeSpan measure, CpuMeter cpu,
        Func<CancellationToken, Task<long?>> batches, CancellationToken ct, bool reads = false)
    {
        var start = Stopwatch.GetTimestamp();
        var windowStart = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(measure.TotalSeconds * Stopwatch.Frequency);
        var tallies = Enumerable.Range(0, clients).Select(_ => new Tally()).ToArray();

        CpuMeter.Snapshot? cpuBefore = null;
        long? batchesBefore = null;
        var cpuTimer = Task.Run(async () =>
        {
            await Task.Delay(Stopwatch.GetElapsedTime(start, windowStart), ct);
            cpuBefore = cpu.Take();
            batchesBefore = await batches(ct);
        }, ct);

        var today = Today;
        await Task.WhenAll(tallies.Select((tally, i) => Task.Run(() => ClientLoopAsync(tally, new Random(clients * 1000 + i), today, windowStart, windowEnd, reads, ct), ct)));
        await cpuTimer;
        var split = CpuMeter.Between(cpuBefore!, cpu.Take());
        var batchesAfter = await batches(ct);

        var latencies = tallies.SelectMany(t => t.LatenciesMs).ToList();
        return new LevelResult(clients, measure,
            tallies.Sum(t => t.Decisions), tallies.Sum(t => t.Refused), tallies.Sum(t => t.ServerErrors),
            tallies.Sum(t => t.TransportErrors), tallies.Sum(t => t.Unexpected),
            tallies.Select(t => t.FirstFailure).FirstOrDefault(f => f is not null),
            LatencyStats.Of(latencies), split, windowStart, windowEnd, batchesAfter - batchesBefore);
    }

    private sealed class Tally
    {
        public readonly List<double> LatenciesMs = new(4096);
        public long Decisions, Refused, ServerErrors, TransportErrors, Unexpected;
        public string? FirstFailure;
    }

    private enum Kind { Invoice, Payment, Order, Read }

    private async Task ClientLoopAsync(Tally tally, Random rng, string today, long windowStart, long windowEnd, bool reads, CancellationToken ct)
    {
        // Counted: requests that complete inside the window (throughput), with their latency.
        while (Stopwatch.GetTimestamp() < windowEnd)
        {
            var (kind, path, body) = reads ? (Kind.Read, $"api/customers/{CustomerId(rng.Next(1, customers + 1))}", null) : NextRequest(rng, today);
            var sent = Stopwatch.GetTimestamp();
            HttpStatusCode? status = null;
            string? text = null;
            string? transport = null;
            try
            {
                using var response = body is null ? await http.GetAsync(path, ct) : await http.PostAsync(path, Json(body), ct);
                text = await response.Content.ReadAsStringAsync(ct);
                status = response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                transport = $"{ex.GetType().Name}: {ex.Message}";
            }
            var done = Stopwatch.GetTimestamp();
            if (done < windowStart || done > windowEnd) continue;

            if (transport is not null)
            {
                tally.TransportErrors++;
                tally.FirstFailure ??= $"{kind} {path}: {transport}";
                continue;
            }
            var code = (int)status!.Value;
            if (code == 201 || (kind == Kind.Read && code == 200))
                tally.Decisions++;
            else if (kind == Kind.Invoice && code == 409 && text!.Contains("CREDIT_REFUSED", StringComparison.Ordinal))
            {
                tally.Decisions++;
                tally.Refused++;
            }
            else
            {
                if (code >= 500) tally.ServerErrors++;
                else tally.Unexpected++;
                tally.FirstFailure ??= $"{kind} {path}: {code} {Truncate(text!, 300)}";
                continue;
            }
            tally.LatenciesMs.Add(Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds);
        }
    }

    private (Kind, string, string?) NextRequest(Random rng, string today)
    {
        var customer = CustomerId(rng.Next(1, customers + 1));
        var id = Interlocked.Increment(ref _nextId);
        var roll = rng.Next(100);
        if (roll < 60)
            return (Kind.Invoice, $"api/customers/{customer}/invoices",
                $$"""{"invoiceId":"BI{{id}}","amount":{{rng.Next(100, 5_000)}},"issuedOn":"{{today}}"}""");
        if (roll < 85)
            return (Kind.Payment, $"api/customers/{customer}/payments",
                $$"""{"paymentId":"BP{{id}}","amount":{{rng.Next(50, 2_500)}},"receivedOn":"{{today}}"}""");
        return (Kind.Order, $"api/customers/{customer}/orders",
            $$"""{"orderId":"BO{{id}}","amount":{{rng.Next(100, 5_000)}}}""");
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
