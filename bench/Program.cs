// CreditLedger benchmark (issue 8): the product against the physical ceiling of its own PostgreSQL.
// Started by bench/run, which owns the PostgreSQL cluster; see bench/README.md for every metric's definition.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using CreditLedger.Bench;

var options = Options.Parse(args);
var plan = options.Quick ? Plan.QuickRun : Plan.Full;
const string Schema = "credit"; // the product's Marten schema
const string ProductDatabase = "credit_bench";

using var cancel = new CancellationTokenSource();
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cancel.Cancel(); });
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
var ct = cancel.Token;

var clock = Stopwatch.StartNew();
void Log(string message) => Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");

var results = new RunResults(plan);
var pg = new Postgres(options.PgPort, options.PgBin, options.PgData);
ApiProcess? api = null;
var cpu = new CpuMeter(() => File.Exists(Path.Combine(options.PgData, "postmaster.pid")) ? pg.PostmasterPid() : null, () => api?.Pid);
var exitCode = 0;

// This machine may be shared: a level starts once other processes calm down (bounded wait), and a level
// during which they still took more than Plan.OtherCpuLimit is measured again, up to Plan.Attempts times.
async Task<T> Measured<T>(string what, Func<Task<T>> measure, Func<T, CpuSplit> cpuOf)
{
    for (var attempt = 1; ; attempt++)
    {
        var waited = await cpu.WaitForQuietAsync(Plan.OtherCpuLimit, plan.QuietWait, ct);
        if (waited > TimeSpan.FromSeconds(2)) Log($"{what}: waited {waited.TotalSeconds:F0} s for other processes to calm down");
        var result = await measure();
        var split = cpuOf(result);
        if (split.Other <= Plan.OtherCpuLimit || attempt >= plan.Attempts) return result;
        Log(string.Create(CultureInfo.InvariantCulture, $"{what}: other processes took {split.Other:F0} % ({split.TopOthers}); measuring again"));
    }
}

try
{
    results.Machine.AddRange(await Machine.DescribeAsync(pg, options.PgData, ct));
    var quiet = cpu.Take();
    await Task.Delay(TimeSpan.FromSeconds(2), ct);
    var background = CpuMeter.Between(quiet, cpu.Take());
    results.Machine.Add(string.Create(CultureInfo.InvariantCulture, $"CPU in use by other processes just before the run: {background.Other:F0} % of the machine"));
    if (background.Other > Plan.OtherCpuLimit) Log($"warning: the machine is busy ({background}; {background.TopOthers})");

    Log($"ceiling: pgbench at {string.Join('/', plan.Clients)} clients");
    try
    {
        var script = await Ceiling.PrepareAsync(pg, options.Work, ct);
        foreach (var clients in plan.Clients)
        {
            var level = await Measured($"pgbench {clients}", () => Ceiling.RunLevelAsync(pg, script, clients, plan, cpu, ct), l => l.Cpu);
            results.Ceiling.Add(level);
            Log(string.Create(CultureInfo.InvariantCulture, $"pgbench {clients,2} clients: {level.Tps,9:F0} TPS   (cpu {level.Cpu})"));
        }
    }
    catch (Exception ex) when (!ct.IsCancellationRequested) { results.Errors.Add($"pgbench: {ex.Message}"); Log($"pgbench failed: {ex.Message}"); }

    await pg.CreateDatabaseAsync(ProductDatabase, ct);
    var env = new Dictionary<string, string>
    {
        ["ConnectionStrings__Credit"] = pg.ConnectionString(ProductDatabase),
        ["Auth__SigningKey"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)),
        // The load is one trusted integration account; the per-user throttle guards against abuse, not capacity.
        ["Credit__RateLimit__PerSecond"] = "0",
    };
    api = ApiProcess.Start(options.ApiDll, options.ApiPort, env, Path.Combine(options.Work, "api.log"), Path.Combine(options.Work, "api.pid"));
    results.ApiStartup = await api.WaitHealthyAsync(TimeSpan.FromSeconds(120), ct);
    Log($"API healthy on {api.BaseUrl} after {results.ApiStartup.TotalSeconds:F1} s (pid {api.Pid})");

    var token = await ChildProcess.RunAsync("dotnet", [options.ApiDll, "token", "--user", "bench", "--role", "admin"], env, TimeSpan.FromSeconds(60), ct);
    var jwt = token.Output.Split('\n', StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("eyJ", StringComparison.Ordinal))
        ?? throw new InvalidOperationException($"token command printed no JWT (exit {token.ExitCode}):\n{token.Tail()}");
    using var http = Workload.Client(api.BaseUrl, jwt);
    var workload = new Workload(http, plan.Customers);

    var seeding = Stopwatch.StartNew();
    await workload.SeedAsync(parallel: 16, ct);
    results.SeedTime = seeding.Elapsed;
    Log($"seeded {plan.Customers} customers in {results.SeedTime.TotalSeconds:F1} s");

    await using var productDb = pg.Open(ProductDatabase);
    results.StatementsNote = await Statements.ResetAsync(productDb, ct);
    await using (var lag = new LagSampler(productDb, Schema))
    {
        lag.Start();
        foreach (var clients in plan.Clients)
        {
            var level = await Measured($"load {clients}", () => workload.RunLevelAsync(clients, plan.LoadWarmup, plan.LoadMeasure, cpu,
                token => Statements.BatchesAsync(productDb, token), ct), l => l.Cpu);
            results.Levels.Add(level);
            var lags = LatencyStats.Of(lag.LagsBetween(level.WindowStart, level.WindowEnd));
            results.LagByLevel[clients] = lags;
            results.HeadByLevel[clients] = lag.HeadAt(level.WindowStart);
            Log(string.Create(CultureInfo.InvariantCulture,
                $"load {clients,2} clients: {level.DecisionsPerSecond,7:F0} decisions/s  p50 {level.Latency.P50:F1} p95 {level.Latency.P95:F1} p99 {level.Latency.P99:F1} ms  " +
                $"failures {level.Failures}  lag p99 {lags.P99:F2} s  (cpu {level.Cpu})"));
            if (level.FirstFailure is not null) Log($"  first failure: {level.FirstFailure}");
        }
        results.Lag = LatencyStats.Of(results.Levels.SelectMany(l => lag.LagsBetween(l.WindowStart, l.WindowEnd)).ToList());
        results.CatchUp = await lag.CatchUpAfterAsync(results.Levels[^1].WindowEnd, TimeSpan.FromSeconds(60), ct);
        if (lag.Error is not null) results.Errors.Add($"lag sampler: {lag.Error}");
    }
    if (results.StatementsNote is null) results.Statements.AddRange(await Statements.TopAsync(productDb, 8, ct));

    // The floor under any request, after the levels (and their lag) so it changes none of them.
    try
    {
        var floorClients = plan.RatioClients;
        results.ReadFloor = await Measured($"reads {floorClients}", () => workload.RunLevelAsync(floorClients, plan.LoadWarmup / 2, plan.LoadMeasure / 2, cpu,
            _ => Task.FromResult<long?>(null), ct, reads: true), l => l.Cpu);
        Log(string.Create(CultureInfo.InvariantCulture, $"reads {floorClients} clients: {results.ReadFloor.DecisionsPerSecond,7:F0} GETs/s from memory  (cpu {results.ReadFloor.Cpu})"));
    }
    catch (Exception ex) when (!ct.IsCancellationRequested) { results.Errors.Add($"read floor: {ex.Message}"); }

    try
    {
        results.TimeTravel = await TimeTravel.RunAsync(http, productDb, Schema, plan, Log, ct);
        Log($"time travel: {results.TimeTravel.NotAvailable ?? $"p95 {results.TimeTravel.P95:F1} ms"}");
    }
    catch (Exception ex) when (!ct.IsCancellationRequested) { results.Errors.Add($"time travel: {ex.Message}"); Log($"time travel failed: {ex.Message}"); }

    results.RssMb = api.PeakRssMb();
    Log($"API peak RSS {results.RssMb:F0} MB; stopping the API for the rebuild");
    await api.StopAsync();

    try
    {
        results.Rebuild = await Rebuild.RunAsync(productDb, Schema, options.ApiDll, env, options.RebuildCommand, plan,
            plan.Quick ? TimeSpan.FromSeconds(90) : TimeSpan.FromMinutes(15), cpu, Log, ct);
        Log(results.Rebuild.Error is null
            ? $"rebuild: {results.Rebuild.Events} events in {results.Rebuild.Wall.TotalSeconds:F1} s = {results.Rebuild.EventsPerSecond:F0} events/s"
            : $"rebuild failed: {results.Rebuild.Error}");
    }
    catch (Exception ex) when (!ct.IsCancellationRequested) { results.Errors.Add($"rebuild: {ex.Message}"); Log($"rebuild failed: {ex.Message}"); }

    // Last: it appends to the product's own tables (the API is stopped), so it changes nothing measured before it.
    try
    {
        var perCommit = results.Levels.FirstOrDefault(l => l.Clients == plan.RatioClients)?.DecisionsPerBatch;
        results.Appends = await AppendCost.RunAsync(pg, productDb, ProductDatabase, Schema, plan.RatioClients, perCommit, plan, cpu,
            (what, run) => Measured(what, run, v => v.Cpu), options.Work, ct);
        foreach (var v in new[] { results.Appends.Floor, results.Appends.Product, results.Appends.ProductWithoutChain })
            Log(string.Create(CultureInfo.InvariantCulture, $"append {v.Name}: {v.Tps:F0} commits/s of {v.PerCommit} = {v.Decisions:F0} decisions/s, pg {v.PgMs:F3} ms per decision  (cpu {v.Cpu})"));
    }
    catch (Exception ex) when (!ct.IsCancellationRequested) { results.Errors.Add($"append cost: {ex.Message}"); Log($"append cost failed: {ex.Message}"); }
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Log("interrupted");
    exitCode = 130;
}
catch (Exception ex)
{
    results.Errors.Add(ex.ToString());
    Log($"failed: {ex.Message}");
    exitCode = 1;
}
finally
{
    if (api is not null) await api.DisposeAsync();
}

results.Elapsed = clock.Elapsed;
if (exitCode == 130) return exitCode; // an interrupted run has no results worth printing

var markdown = Report.Markdown(results);
Console.WriteLine(markdown);
if (options.Results is { } file)
{
    Directory.CreateDirectory(Path.GetDirectoryName(file)!);
    await File.WriteAllTextAsync(file, markdown, CancellationToken.None);
    Log($"results written to {file}");
}
Console.WriteLine(Report.FinalLine(results));
return exitCode;

/// <summary>Command line as passed by bench/run.</summary>
internal sealed record Options(bool Quick, int PgPort, string PgBin, string PgData, string ApiDll, int ApiPort, string Work, string? Results, string[] RebuildCommand)
{
    public static Options Parse(string[] args)
    {
        var map = new Dictionary<string, string>();
        var quick = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--quick") quick = true;
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length) map[args[i][2..]] = args[++i];
            else throw new ArgumentException($"unknown argument {args[i]}");
        }
        string Need(string key) => map.TryGetValue(key, out var v) ? v : throw new ArgumentException($"--{key} is required");
        return new Options(quick,
            int.Parse(Need("pg-port"), CultureInfo.InvariantCulture), Need("pg-bin"), Need("pg-data"), Path.GetFullPath(Need("api-dll")),
            int.Parse(Need("api-port"), CultureInfo.InvariantCulture), Need("work"), map.GetValueOrDefault("results"),
            map.GetValueOrDefault("rebuild", "projections rebuild").Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}

/// <summary>What the numbers ran on.</summary>
internal static class Machine
{
    public static async Task<List<string>> DescribeAsync(Postgres pg, string dataDirectory, CancellationToken ct)
    {
        var meminfo = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var memMb = long.Parse(meminfo.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        var cpuModel = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        await using var db = pg.Open("postgres");
        var settings = new List<string>();
        foreach (var name in new[] { "fsync", "synchronous_commit", "wal_sync_method", "shared_buffers", "max_connections" })
        {
            await using var cmd = db.CreateCommand($"show {name}");
            settings.Add($"{name}={await cmd.ExecuteScalarAsync(ct)}");
        }
        return
        [
            $"nproc: {Environment.ProcessorCount} ({cpuModel})",
            $"memory: {memMb} MB",
            $"kernel: {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}",
            $"PostgreSQL: {await pg.VersionAsync(ct)} ({string.Join(", ", settings)}), data on {FileSystemOf(dataDirectory)}",
            $".NET: {RuntimeInformation.FrameworkDescription}",
            "the load generator, the API and PostgreSQL share these cores",
        ];
    }

    /// <summary>Type and device of the mount holding the directory (fsync cost depends on it).</summary>
    private static string FileSystemOf(string path) =>
        File.ReadLines("/proc/mounts").Select(l => l.Split(' ')).Where(f => f.Length > 2 && path.StartsWith(f[1], StringComparison.Ordinal))
            .OrderByDescending(f => f[1].Length).Select(f => $"{f[2]} ({f[0]} at {f[1]})").FirstOrDefault() ?? "unknown";
}
