using Credit.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Credit.Api.Tests.Hosting;

/// <summary>One API serves a database, also after the database restarted under it (which ends the session holding the lock).</summary>
public class DatabaseLockTests(AppFixture app)
{
    private const long Key = 0x4372656469744C64;

    private async Task<List<int>> LockHolders(string database)
    {
        var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database!;
        await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("""
            select l.pid from pg_locks l join pg_database d on d.oid = l.database
            where l.locktype = 'advisory' and l.granted and d.datname = @name and ((l.classid::bigint << 32) | l.objid::bigint) = @key
            """, conn);
        cmd.Parameters.AddWithValue("name", name);
        cmd.Parameters.AddWithValue("key", Key);
        var pids = new List<int>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        return pids;
    }

    /// <summary>Every session on the database cut, as a restart or failover does.</summary>
    private async Task CutSessions(string database)
    {
        var name = new Npgsql.NpgsqlConnectionStringBuilder(database).Database!;
        await using var conn = new Npgsql.NpgsqlConnection(app.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand($"select pg_terminate_backend(pid) from pg_stat_activity where datname = '{name}'", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_lock_is_taken_again_when_the_session_holding_it_ends()
    {
        var database = await app.NewDatabase("relock");
        await using var host = await AppFixture.StartHost(database, app.Clock, ("Credit:LockCheckSeconds", "0.2"));
        var first = (await LockHolders(database)).ShouldHaveSingleItem();

        await CutSessions(database);

        var holders = new List<int>();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(100))
            if ((holders = await LockHolders(database)) is [var pid] && pid != first) break;
        holders.ShouldHaveSingleItem().ShouldNotBe(first, "the lock was not taken again");
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested.ShouldBeFalse();
        (await new ApiClient(host, app.Token("c", "controller")).Put("/api/customers/C1", new { name = "After", creditLimit = 10 })).Status.ShouldBe(201);
        // A second API is refused again.
        (await Should.ThrowAsync<Exception>(() => AppFixture.StartHost(database, app.Clock))).ToString()
            .ShouldContain("Another CreditLedger API or a rebuild is using this database");
    }

    [Fact]
    public async Task An_api_whose_lock_another_took_meanwhile_stops()
    {
        var database = await app.NewDatabase("lostlock");
        await using var host = await AppFixture.StartHost(database, app.Clock, ("Credit:LockCheckSeconds", "1"));
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

        // The session cut and the lock taken at once by another (a second API starting while the first was away; its next
        // check is a second off).
        await CutSessions(database);
        await using var other = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        await other.OpenAsync();
        await using (var take = new Npgsql.NpgsqlCommand($"select pg_try_advisory_lock({Key})", other))
            ((bool)(await take.ExecuteScalarAsync())!).ShouldBeTrue();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!stopping.IsCancellationRequested && DateTime.UtcNow < deadline) await Task.Delay(100);
        stopping.IsCancellationRequested.ShouldBeTrue("the API kept serving beside another holder of the database");
    }
}
