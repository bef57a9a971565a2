using Microsoft.Extensions.Configuration;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Credit.Api.Hosting;

namespace Credit.Api.Tests.Hosting;

// Runs against the PostgreSQL binaries installed on the machine; each test owns a directory under /tmp.
public sealed class EmbeddedPostgresTests
{
    private static readonly bool IsRoot = Environment.IsPrivilegedProcess;
    private readonly List<string> _log = [];

    [Fact]
    public void FindBinDirectory_returns_a_folder_containing_pg_ctl()
    {
        var bin = EmbeddedPostgres.FindBinDirectory();

        bin.ShouldNotBeNull();
        File.Exists(Path.Combine(bin, "pg_ctl")).ShouldBeTrue();
    }

    [Fact]
    public async Task Throwaway_answers_on_loopback_until_stopped_and_its_directory_is_deleted()
    {
        var pg = await EmbeddedPostgres.StartThrowawayAsync(TestContext.Current.CancellationToken);
        var dir = pg.DataDirectory;
        try
        {
            dir.ShouldStartWith("/tmp/");
            File.Exists(Path.Combine(dir, "PG_VERSION")).ShouldBeTrue();
            pg.ConnectionString.ShouldBe($"Host=127.0.0.1;Port={pg.Port};Username=postgres;Database=credit");
            using (var tcp = new TcpClient())
                await tcp.ConnectAsync(IPAddress.Loopback, pg.Port, TestContext.Current.CancellationToken);
            (await IsReadyAsync(pg.Port)).ShouldBeTrue();
            (await PsqlAsync(pg.Port, "select 1")).ShouldBe("1");
            (await PsqlAsync(pg.Port, "show listen_addresses")).ShouldBe("127.0.0.1");
            (await PsqlAsync(pg.Port, "show fsync")).ShouldBe("off");

            await pg.StopAsync();

            (await IsReadyAsync(pg.Port)).ShouldBeFalse();
        }
        finally
        {
            await pg.DisposeAsync();
        }
        Directory.Exists(dir).ShouldBeFalse();
        await pg.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task Restarting_on_the_same_directory_keeps_the_data()
    {
        var dir = NewDirectory();
        try
        {
            await using (var first = await StartAsync(dir))
            {
                first.DataDirectory.ShouldBe(dir);
                await PsqlAsync(first.Port, "create table probe(x int); insert into probe values (42)");
            }
            File.Exists(Path.Combine(dir, "postmaster.pid")).ShouldBeFalse(); // clean shutdown

            await using var second = await StartAsync(dir);

            (await PsqlAsync(second.Port, "select x from probe")).ShouldBe("42");
        }
        finally { await CleanupAsync(dir); }
    }

    /// <summary>An Arabic directory name: its socket path is counted in bytes (two a letter) against the 107 PostgreSQL allows.</summary>
    [Fact]
    public async Task A_directory_named_in_arabic_starts_though_its_socket_path_would_be_too_long()
    {
        var root = NewDirectory();
        // 20 letters: 95 characters with the lock file's name (under the 100 the check allowed), 110 bytes for the socket.
        var dir = Path.Combine(root, "بياناتبياناتبياناتها");
        try
        {
            await using var pg = await StartAsync(dir);
            (await PsqlAsync(pg.Port, "select 1")).ShouldBe("1");
        }
        finally
        {
            await CleanupAsync(dir);
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_made_is_refused_with_its_reason()
    {
        var file = Path.GetTempFileName(); // a file where a directory should be made
        try
        {
            var refused = await Should.ThrowAsync<StartRefusedException>(() =>
                LocalInstance.StartAsync(new CreditHosting(true, Path.Combine(file, "data"), null), _ => { }, ct: TestContext.Current.CancellationToken));
            refused.Message.ShouldStartWith($"CREDIT_DATA_DIR cannot be used ({file}/data)");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Stale_pid_file_with_a_dead_pid_does_not_block_the_start()
    {
        var dir = NewDirectory();
        try
        {
            await (await StartAsync(dir)).StopAsync();
            await WriteFakePidFileAsync(dir, 999_999); // above this box's pid_max: certainly dead

            await using var pg = await StartAsync(dir);

            (await PsqlAsync(pg.Port, "select 1")).ShouldBe("1");
            _log.ShouldContain(m => m.Contains("stale"));
        }
        finally { await CleanupAsync(dir); }
    }

    [Fact]
    public async Task Stale_pid_file_naming_a_live_non_postgres_process_does_not_block_the_start()
    {
        // postgres itself refuses to start when the pid in the file is alive and signalable: the recycled-pid case.
        var dir = NewDirectory();
        using var sleeper = Process.Start(Psi(IsRoot ? "runuser" : "sh",
            IsRoot ? ["-u", "postgres", "--", "sh", "-c", "echo $$; exec sleep 300"] : ["-c", "echo $$; exec sleep 300"]))!;
        try
        {
            var sleeperPid = int.Parse((await sleeper.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken))!);
            await (await StartAsync(dir)).StopAsync();
            await WriteFakePidFileAsync(dir, sleeperPid);

            await using var pg = await StartAsync(dir);

            (await PsqlAsync(pg.Port, "select 1")).ShouldBe("1");
        }
        finally
        {
            sleeper.Kill(entireProcessTree: true);
            await CleanupAsync(dir);
        }
    }

    /// <summary>The API's watch starts its private server again, on the same port, when it dies under it.</summary>
    [Fact]
    public async Task A_server_killed_under_the_api_is_started_again_on_its_port_with_its_data()
    {
        var dir = NewDirectory();
        try
        {
            await using var pg = await StartAsync(dir);
            var port = pg.Port;
            await PsqlAsync(port, "create table survives(x int); insert into survives values (7)");
            var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Credit:LocalDatabaseCheckSeconds"] = "0.2" }).Build();
            var log = new Infrastructure.LogCapture();
            using var watch = new LocalPostgresWatch(pg, config, new Microsoft.Extensions.Logging.Logger<LocalPostgresWatch>(new Microsoft.Extensions.Logging.LoggerFactory([log])));
            await watch.StartAsync(TestContext.Current.CancellationToken);

            var pid = int.Parse(File.ReadLines(Path.Combine(dir, "postmaster.pid")).First());
            using (var postmaster = Process.GetProcessById(pid)) postmaster.Kill(); // SIGKILL
            for (var i = 0; i < 100 && IsLive(pid); i++) await Task.Delay(50, TestContext.Current.CancellationToken);

            var answer = "";
            for (var i = 0; i < 100 && answer != "7"; i++)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
                answer = (await RunAsync(Tool("psql"), "-h", "127.0.0.1", "-p", $"{port}", "-U", "postgres", "-d", "credit", "-w", "-XtA",
                    "-c", "select x from survives")).Output.Trim();
            }
            answer.ShouldBe("7", string.Join("\n", log.Lines));
            pg.Port.ShouldBe(port);
            for (var i = 0; i < 50 && pg.Died; i++) await Task.Delay(100, TestContext.Current.CancellationToken); // the revive's last steps
            pg.Died.ShouldBeFalse(string.Join("\n", log.Lines));
            await watch.StopAsync(TestContext.Current.CancellationToken);
        }
        finally { await CleanupAsync(dir); }
    }

    [Fact]
    public async Task Start_after_kill_9_of_the_postmaster_recovers_and_old_instance_does_not_stop_the_new_server()
    {
        var dir = NewDirectory();
        try
        {
            var first = await StartAsync(dir);
            await PsqlAsync(first.Port, "create table survives(x int); insert into survives values (7)");
            var pid = int.Parse(File.ReadLines(Path.Combine(dir, "postmaster.pid")).First());
            using (var postmaster = Process.GetProcessById(pid)) postmaster.Kill(); // SIGKILL
            for (var i = 0; i < 100 && IsLive(pid); i++) await Task.Delay(50, TestContext.Current.CancellationToken);

            await using var second = await StartAsync(dir);

            (await PsqlAsync(second.Port, "select x from survives")).ShouldBe("7");
            await first.DisposeAsync(); // its postmaster is gone; it must leave the new one alone
            (await IsReadyAsync(second.Port)).ShouldBeTrue();
        }
        finally { await CleanupAsync(dir); }
    }

    [Fact]
    public async Task Second_instance_on_a_running_cluster_reuses_it_and_leaves_it_running()
    {
        var dir = NewDirectory();
        try
        {
            await using var owner = await StartAsync(dir);
            await using (var guest = await StartAsync(dir))
            {
                guest.Port.ShouldBe(owner.Port);
                _log.ShouldContain(m => m.Contains("Reusing"));
            }
            (await IsReadyAsync(owner.Port)).ShouldBeTrue();

            await owner.StopAsync();

            (await IsReadyAsync(owner.Port)).ShouldBeFalse();
        }
        finally { await CleanupAsync(dir); }
    }

    [Fact]
    public async Task Server_that_cannot_start_fails_with_the_server_log_and_leaves_nothing_running()
    {
        var dir = NewDirectory();
        try
        {
            var options = new EmbeddedPostgresOptions(dir) { Settings = new Dictionary<string, string> { ["shared_buffers"] = "bogus" } };

            var ex = await Should.ThrowAsync<InvalidOperationException>(() => EmbeddedPostgres.StartAsync(options, TestContext.Current.CancellationToken));

            ex.Message.ShouldContain("invalid value for parameter \"shared_buffers\"");
            File.Exists(Path.Combine(dir, "postmaster.pid")).ShouldBeFalse();
        }
        finally { await CleanupAsync(dir); }
    }

    [Fact]
    public async Task Missing_binaries_fail_with_an_install_hint()
    {
        var options = new EmbeddedPostgresOptions(NewDirectory()) { BinDirectory = "/nonexistent/bin" };

        var ex = await Should.ThrowAsync<InvalidOperationException>(() => EmbeddedPostgres.StartAsync(options, TestContext.Current.CancellationToken));

        ex.Message.ShouldContain("install PostgreSQL");
        Directory.Exists(options.DataDirectory).ShouldBeFalse();
    }

    [Fact]
    public async Task Directory_the_postgres_user_cannot_reach_falls_back_to_var_lib_which_survives_a_reboot()
    {
        Assert.SkipUnless(IsRoot && (await RunAsync("runuser", "-u", "postgres", "--", "test", "-x", "/root")).Code != 0,
            "needs root and a /root closed to the postgres user");
        var requested = $"/root/credit-ledger-it-{Guid.NewGuid():N}/pg";
        string? actual = null;
        try
        {
            // Nothing there yet: asked for an existing cluster (the rebuild command), it refuses and makes none.
            await Should.ThrowAsync<StartRefusedException>(() => EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions(requested) { ExistingOnly = true }, TestContext.Current.CancellationToken));

            await using (var pg = await StartAsync(requested))
            {
                actual = pg.DataDirectory;
                actual.ShouldStartWith(EmbeddedPostgres.FallbackRoot + "/");
                Directory.Exists(Path.GetDirectoryName(requested)).ShouldBeFalse();
                (await PsqlAsync(pg.Port, "select 1")).ShouldBe("1");
            }

            // Made once, it is found again in the fallback place when only an existing cluster will do.
            await using var again = await EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions(requested) { ExistingOnly = true, Log = _log.Add }, TestContext.Current.CancellationToken);
            again.DataDirectory.ShouldBe(actual);
        }
        finally
        {
            if (actual is not null) await CleanupAsync(actual);
            if (Directory.Exists(EmbeddedPostgres.FallbackRoot) && !Directory.EnumerateFileSystemEntries(EmbeddedPostgres.FallbackRoot).Any())
                Directory.Delete(EmbeddedPostgres.FallbackRoot);
        }
    }

    private Task<EmbeddedPostgres> StartAsync(string dir) =>
        EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions(dir) { Log = _log.Add, StartTimeout = TimeSpan.FromSeconds(30) },
            TestContext.Current.CancellationToken);

    private static string NewDirectory() => $"/tmp/credit-ledger-it-{Guid.NewGuid():N}";

    private static async Task WriteFakePidFileAsync(string dir, int pid)
    {
        var file = Path.Combine(dir, "postmaster.pid");
        await File.WriteAllTextAsync(file, $"{pid}\n{dir}\n1700000000\n5432\n{dir}\n127.0.0.1\n  5432001         0\nready   \n",
            TestContext.Current.CancellationToken);
        if (IsRoot) (await RunAsync("chown", "postgres:postgres", file)).Code.ShouldBe(0);
    }

    private static bool IsLive(int pid)
    {
        try { return !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z'); }
        catch (IOException) { return false; }
    }

    // Last resort if a test failed midway: stop whatever still runs there, then remove the directory.
    private static async Task CleanupAsync(string dir)
    {
        if (File.Exists(Path.Combine(dir, "postmaster.pid")))
        {
            var pgCtl = Path.Combine(EmbeddedPostgres.FindBinDirectory()!, "pg_ctl");
            await (IsRoot ? RunAsync("runuser", "-u", "postgres", "--", pgCtl, "-D", dir, "-m", "immediate", "stop")
                : RunAsync(pgCtl, "-D", dir, "-m", "immediate", "stop"));
        }
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private static async Task<bool> IsReadyAsync(int port) =>
        (await RunAsync(Tool("pg_isready"), "-h", "127.0.0.1", "-p", $"{port}", "-t", "2")).Code == 0;

    private static async Task<string> PsqlAsync(int port, string sql)
    {
        var (code, output) = await RunAsync(Tool("psql"), "-h", "127.0.0.1", "-p", $"{port}", "-U", "postgres", "-d", "credit", "-w", "-XtA",
            "-v", "ON_ERROR_STOP=1", "-c", sql);
        code.ShouldBe(0, output);
        return output.Trim();
    }

    private static string Tool(string name) => Path.Combine(EmbeddedPostgres.FindBinDirectory()!, name);

    private static ProcessStartInfo Psi(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList()) psi.Environment.Remove(key);
        return psi;
    }

    private static async Task<(int Code, string Output)> RunAsync(string exe, params string[] args)
    {
        using var p = Process.Start(Psi(exe, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, await stdout + await stderr);
    }
}
