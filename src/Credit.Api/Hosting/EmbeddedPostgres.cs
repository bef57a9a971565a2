using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Credit.Api.Hosting;

/// <summary>Options for <see cref="EmbeddedPostgres.StartAsync"/>.</summary>
/// <param name="DataDirectory">Cluster directory; initialised on first use, reused afterwards.</param>
public sealed record EmbeddedPostgresOptions(string DataDirectory)
{
    /// <summary>Folder holding pg_ctl/initdb; found with <see cref="EmbeddedPostgres.FindBinDirectory"/> when null.</summary>
    public string? BinDirectory { get; init; }
    /// <summary>TCP port on 127.0.0.1; a free one is picked when null.</summary>
    public int? Port { get; init; }
    public string Database { get; init; } = "credit";
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Extra server settings passed as <c>-c name=value</c>; they override the defaults.</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }
    public Action<string>? Log { get; init; }
    /// <summary>A server found running on the directory is this instance's to stop (the caller knows nobody else uses it).</summary>
    public bool AdoptRunning { get; init; }
    /// <summary>Open a cluster made before, never initialise one: <see cref="StartRefusedException"/> when there is none.</summary>
    public bool ExistingOnly { get; init; }
}

/// <summary>
/// Runs a local PostgreSQL cluster from the installed server binaries (dev box / tests), trust auth on 127.0.0.1 only.
/// When the process is root, initdb/pg_ctl run as the <c>postgres</c> OS user (initdb refuses root).
/// If a live postmaster already serves the data directory it is reused on its own port (<see cref="EmbeddedPostgresOptions.Port"/>
/// is then ignored) and <see cref="StopAsync"/> leaves it running, unless <see cref="EmbeddedPostgresOptions.AdoptRunning"/>
/// makes it this instance's: otherwise only a server this instance started is stopped.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private const string OsUser = "postgres";
    /// <summary>Where a cluster goes when the postgres user cannot reach the requested directory (only when root).</summary>
    public const string FallbackRoot = "/var/lib/credit-ledger";
    private static readonly bool IsRoot = Environment.IsPrivilegedProcess; // geteuid() == 0 on Unix

    private readonly EmbeddedPostgresOptions _options;
    private readonly bool _deleteOnStop;
    private readonly Action<string> _log;
    private int? _startedPid; // postmaster we launched; null when we reused someone else's
    private int? _revivedPort; // the port a revived server must take again: the connection strings in use name it
    private readonly Lock _stopGate = new();
    private Task? _stopping;

    private EmbeddedPostgres(EmbeddedPostgresOptions options, string bin, string dataDir, bool deleteOnStop) =>
        (_options, BinDirectory, DataDirectory, _deleteOnStop, _log) = (options, bin, dataDir, deleteOnStop, options.Log ?? (_ => { }));

    public int Port { get; private set; }
    /// <summary>Directory actually used; differs from the requested one when the postgres user could not reach it.</summary>
    public string DataDirectory { get; }
    public string BinDirectory { get; }
    public string Database => _options.Database;
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={Database}";

    /// <summary><c>pg_config --bindir</c> if it has pg_ctl, else the newest /usr/lib/postgresql/*/bin with pg_ctl, else null.</summary>
    public static string? FindBinDirectory()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true });
            var dir = p?.StandardOutput.ReadToEnd().Trim();
            p?.WaitForExit();
            if (p?.ExitCode == 0 && HasPgCtl(dir)) return dir;
        }
        catch (System.ComponentModel.Win32Exception) { } // pg_config not installed
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => (Version: Version.TryParse(Path.GetFileName(d) is var n && n.Contains('.') ? n : n + ".0", out var v) ? v : new Version(0, 0), Bin: Path.Combine(d, "bin")))
            .Where(x => HasPgCtl(x.Bin)).OrderByDescending(x => x.Version).Select(x => x.Bin).FirstOrDefault();
    }

    /// <summary>initdb if needed, reuse a live server or clear a stale postmaster.pid, start, wait for pg_isready, create the database.</summary>
    /// <exception cref="InvalidOperationException">No binaries, or a tool/server failed (message carries its output or the server.log tail).</exception>
    public static Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, CancellationToken ct = default) =>
        StartCoreAsync(options ?? throw new ArgumentNullException(nameof(options)), deleteOnStop: false, ct);

    /// <summary>Fresh cluster in /tmp tuned for speed (no durability); stopping or disposing it deletes the directory.</summary>
    public static Task<EmbeddedPostgres> StartThrowawayAsync(CancellationToken ct = default) =>
        StartCoreAsync(new EmbeddedPostgresOptions($"/tmp/credit-ledger-test-{Guid.NewGuid():N}")
        {
            Settings = new Dictionary<string, string> { ["fsync"] = "off", ["synchronous_commit"] = "off", ["full_page_writes"] = "off" },
        }, deleteOnStop: true, ct);

    private static async Task<EmbeddedPostgres> StartCoreAsync(EmbeddedPostgresOptions options, bool deleteOnStop, CancellationToken ct)
    {
        var bin = options.BinDirectory ?? FindBinDirectory();
        if (!HasPgCtl(bin))
            throw new InvalidOperationException("PostgreSQL server binaries (pg_ctl, initdb) not found: install PostgreSQL " +
                "(e.g. `apt-get install postgresql`) or set EmbeddedPostgresOptions.BinDirectory.");
        var dataDir = await ResolveDataDirectoryAsync(Path.GetFullPath(options.DataDirectory), options.Log, ct);
        var pg = new EmbeddedPostgres(options, bin!, dataDir, deleteOnStop);
        try { await pg.StartServerAsync(ct); return pg; }
        catch { await pg.StopAsync(); throw; } // don't leak a half-started server (or a throwaway directory)
    }

    // The postgres user needs search permission on every ancestor (a clone under /root, mode 700, has none).
    private static async Task<string> ResolveDataDirectoryAsync(string requested, Action<string>? log, CancellationToken ct)
    {
        if (!IsRoot) return requested;
        var probe = Path.GetDirectoryName(requested) ?? "/";
        while (!Directory.Exists(probe)) probe = Path.GetDirectoryName(probe) ?? "/";
        if ((await RunAsync("test", ["-x", probe], asOsUser: true, check: false, ct: ct)).Code == 0) return requested;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(requested)))[..16];
        // Stable, so the same request reuses the same cluster; under /var/lib, which survives a reboot (/tmp is emptied
        // at boot on Debian: the ledger would have gone with it).
        var fallback = $"{FallbackRoot}/{hash}";
        var earlier = $"/tmp/credit-ledger-pg/{hash}"; // where versions before this one put it
        if (!File.Exists(Path.Combine(fallback, "PG_VERSION")) && File.Exists(Path.Combine(earlier, "PG_VERSION")))
        {
            log?.Invoke($"Data directory {requested} is not reachable by the '{OsUser}' user; using the cluster an earlier version made in " +
                $"{earlier} (emptied at reboot: stop the API and move it to {fallback} to keep it).");
            return earlier;
        }
        log?.Invoke($"Data directory {requested} is not reachable by the '{OsUser}' user; using {fallback} instead.");
        return fallback;
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["fsync"] = "on", ["max_connections"] = "200", ["shared_buffers"] = "128MB",
        };
        foreach (var (k, v) in _options.Settings ?? new Dictionary<string, string>()) settings[k] = v;

        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            // Checked here, on the directory actually used (the fallback for a data directory postgres cannot reach).
            if (_options.ExistingOnly)
                throw new StartRefusedException($"No database in {_options.DataDirectory}" +
                    (DataDirectory == Path.GetFullPath(_options.DataDirectory) ? "" : $" (kept in {DataDirectory})") + ": is it the API's data directory?");
            await InitDbAsync(noSync: settings["fsync"] == "off", ct);
        }

        if (ReadPidFile() is { } live && IsPostmasterOf(live.Pid))
        {
            Port = live.Port; // a server already on our data dir: reuse it rather than fight over it
            if (_options.AdoptRunning) _startedPid = live.Pid;
            _log(_options.AdoptRunning
                ? $"Adopting PostgreSQL (pid {live.Pid}) left running on {DataDirectory}, port {Port}: it stops with this process."
                : $"Reusing PostgreSQL (pid {live.Pid}) already running on {DataDirectory}, port {Port}.");
        }
        else
        {
            if (File.Exists(PidFile))
            {
                _log($"Removing stale {PidFile} (pid {ReadPidFile()?.Pid} is not a postmaster of this cluster).");
                File.Delete(PidFile);
            }
            await WaitForOrphansAsync(ct);
            for (var attempt = 1; ; attempt++)
            {
                Port = _revivedPort ?? _options.Port ?? FreePort();
                try { await PgCtlStartAsync(settings, deadline, ct); break; }
                catch (InvalidOperationException ex) when (_options.Port is null && _revivedPort is null && attempt < 3
                                                           && ex.Message.Contains("Address already in use"))
                {
                    _log($"Port {Port} was taken meanwhile; retrying with another one.");
                }
            }
            _startedPid = ReadPidFile()?.Pid;
            _log($"Started PostgreSQL (pid {_startedPid}) on 127.0.0.1:{Port}, data {DataDirectory}.");
        }
        await WaitUntilReadyAsync(deadline, ct);
        await EnsureDatabaseAsync(ct);
    }

    private async Task InitDbAsync(bool noSync, CancellationToken ct)
    {
        Directory.CreateDirectory(DataDirectory);
        if (IsRoot) await RunAsync("chown", ["-R", $"{OsUser}:{OsUser}", DataDirectory], ct: ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(DataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); // initdb/postgres insist on 0700
        // C.UTF-8 gives UTF-8 ctype without depending on generated locales; it ships with glibc >= 2.35 (Debian 12).
        var locale = Directory.Exists("/usr/lib/locale/C.utf8") ? "--locale=C.UTF-8" : "--no-locale";
        List<string> args = ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", locale];
        if (noSync) args.Add("--no-sync");
        _log($"Initialising PostgreSQL cluster in {DataDirectory}.");
        await RunAsync(Path.Combine(BinDirectory, "initdb"), args, asOsUser: true, ct: ct);
    }

    private async Task PgCtlStartAsync(Dictionary<string, string> settings, DateTime deadline, CancellationToken ct)
    {
        // Unix socket inside the data dir (writable by postgres); disabled when the path would exceed sun_path (107 bytes:
        // counted in bytes, an Arabic letter is two).
        var socketDir = System.Text.Encoding.UTF8.GetByteCount(DataDirectory + "/.s.PGSQL.65535.lock") < 100 ? DataDirectory : "";
        var opts = new StringBuilder($"-p {Port} -c listen_addresses=127.0.0.1 -c {Sh($"unix_socket_directories={socketDir}")}");
        foreach (var (k, v) in settings) opts.Append(" -c ").Append(Sh($"{k}={v}")); // pg_ctl hands -o to /bin/sh
        var seconds = Math.Max(1, (int)Math.Ceiling((deadline - DateTime.UtcNow).TotalSeconds));
        try
        {
            await RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
                ["-D", DataDirectory, "-l", LogFile, "-o", opts.ToString(), "-w", "-t", seconds.ToString(), "start"], asOsUser: true, ct: ct);
        }
        catch (InvalidOperationException ex)
        {
            _startedPid = ReadPidFile()?.Pid; // pg_ctl may give up waiting while the server lives on: let StopAsync end it
            throw new InvalidOperationException($"{ex.Message}\n--- tail of {LogFile} ---\n{LogTail()}", ex);
        }
    }

    private async Task WaitUntilReadyAsync(DateTime deadline, CancellationToken ct)
    {
        while ((await RunAsync(Tool("pg_isready"), ["-h", "127.0.0.1", "-p", $"{Port}", "-U", "postgres", "-d", "postgres", "-t", "2"], check: false, ct: ct)).Code != 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"PostgreSQL on 127.0.0.1:{Port} did not accept connections within {_options.StartTimeout}.\n--- tail of {LogFile} ---\n{LogTail()}");
            await Task.Delay(200, ct);
        }
    }

    private async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        string[] conn = ["-h", "127.0.0.1", "-p", $"{Port}", "-U", "postgres", "-w"];
        var sql = $"select 1 from pg_database where datname = '{Database.Replace("'", "''")}'";
        if ((await RunAsync(Tool("psql"), [.. conn, "-d", "postgres", "-XtAc", sql], ct: ct)).Out.Trim() == "1") return;
        var (code, _, err) = await RunAsync(Tool("createdb"), [.. conn, Database], check: false, ct: ct);
        if (code != 0 && !err.Contains("already exists")) // a concurrent starter may have won the race
            throw new InvalidOperationException($"createdb {Database} failed ({code}): {err}");
        _log($"Created database {Database}.");
    }

    /// <summary>Whether the server this instance started or adopted has died (never for one it only reused).</summary>
    public bool Died => _startedPid is { } pid && !IsPostmasterOf(pid);

    /// <summary>
    /// Starts the server again, on the same port, after it died under this process (killed, crashed, out of memory): the
    /// API's connection strings name that port, and only this process would bring it back. It recovers from its WAL.
    /// Nothing once stopping.
    /// </summary>
    public async Task ReviveAsync(CancellationToken ct)
    {
        lock (_stopGate)
            if (_stopping is not null) return;
        _revivedPort = Port;
        // The dead server's socket lock names its pid, which a zombie (a parent that never reaps it) keeps "alive" to
        // PostgreSQL: the same port would be refused. It is ours, and its server gone.
        var socketLock = Path.Combine(DataDirectory, $".s.PGSQL.{Port}.lock");
        if (File.Exists(socketLock))
        {
            if (IsRoot) await RunAsync("rm", ["-f", socketLock], asOsUser: true, ct: ct);
            else File.Delete(socketLock);
        }
        await StartServerAsync(ct);
    }

    /// <summary>Stops the server this instance started (<c>pg_ctl stop -m fast</c>); a reused server keeps running. Idempotent.</summary>
    public Task StopAsync()
    {
        lock (_stopGate) return _stopping ??= StopCoreAsync();
    }

    private async Task StopCoreAsync()
    {
        // Compare pids so a stale instance never stops a newer server started on the same directory.
        if (_startedPid is { } pid && ReadPidFile()?.Pid == pid && IsPostmasterOf(pid))
        {
            await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], asOsUser: true);
            _log($"Stopped PostgreSQL (pid {pid}).");
        }
        if (_deleteOnStop && Directory.Exists(DataDirectory)) Directory.Delete(DataDirectory, recursive: true);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private string PidFile => Path.Combine(DataDirectory, "postmaster.pid");
    private string LogFile => Path.Combine(DataDirectory, "server.log");

    // postmaster.pid: line 1 pid, line 4 port.
    private (int Pid, int Port)? ReadPidFile()
    {
        try { return File.ReadAllLines(PidFile) is [var pid, _, _, var port, ..] && int.TryParse(pid, out var p) && int.TryParse(port, out var q) ? (p, q) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    // A pid counts only if it is a live (non-zombie) postgres process working in this data dir; pids get recycled.
    private bool IsPostmasterOf(int pid) => PostgresProcessesIn(DataDirectory).Contains(pid);

    private static List<int> PostgresProcessesIn(string dataDir)
    {
        var found = new List<int>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid)) continue;
            try
            {
                if (File.ReadAllText($"{proc}/comm").Trim() is not ("postgres" or "postmaster")) continue;
                if (File.ReadAllText($"{proc}/stat").Split(") ").ElementAtOrDefault(1)?.StartsWith('Z') != false) continue;
                if (new DirectoryInfo($"{proc}/cwd").LinkTarget?.TrimEnd('/') == dataDir.TrimEnd('/')) found.Add(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // exited meanwhile / not ours
        }
        return found;
    }

    // After kill -9 of a postmaster its children exit on their own within moments; starting before they do fails on the
    // "pre-existing shared memory block is still in use" check, so give them time (postgres reports it if they linger).
    private async Task WaitForOrphansAsync(CancellationToken ct)
    {
        for (var i = 0; i < 50 && PostgresProcessesIn(DataDirectory).Count > 0; i++) await Task.Delay(200, ct);
    }

    private string LogTail()
    {
        try { return string.Join('\n', File.ReadLines(LogFile).TakeLast(30)); }
        catch (IOException) { return "(no server log)"; }
    }

    private string Tool(string name) => File.Exists(Path.Combine(BinDirectory, name)) ? Path.Combine(BinDirectory, name) : name;
    private static bool HasPgCtl(string? dir) => !string.IsNullOrEmpty(dir) && File.Exists(Path.Combine(dir, "pg_ctl"));
    private static string Sh(string s) => "'" + s.Replace("'", "'\\''") + "'";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // the kernel picks a free port; postgres binds it right after (a lost race is retried)
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(
        string exe, IEnumerable<string> args, bool asOsUser = false, bool check = true, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = "/", // the postgres user may not be able to enter our cwd
        };
        var argv = new List<string>(args);
        if (asOsUser && IsRoot)
        {
            psi.FileName = File.Exists("/usr/sbin/runuser") ? "/usr/sbin/runuser" : "runuser";
            argv.InsertRange(0, ["-u", OsUser, "--", exe]);
        }
        else psi.FileName = exe;
        argv.ForEach(psi.ArgumentList.Add);
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key); // PGHOST, PGPORT, PGDATA... of the caller must not redirect our tools

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {exe}.");
        p.StandardInput.Close(); // nothing may prompt us
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        try { await p.WaitForExitAsync(ct); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw; }
        var (o, e) = (await stdout, await stderr);
        if (check && p.ExitCode != 0)
            throw new InvalidOperationException($"`{psi.FileName} {string.Join(' ', argv)}` exited with code {p.ExitCode}:\n{e}{o}".TrimEnd());
        return (p.ExitCode, o, e);
    }
}
