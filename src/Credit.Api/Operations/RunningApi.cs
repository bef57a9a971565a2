using Credit.Api.Hosting;
using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Operations;

/// <summary>
/// A running API holds an advisory lock on its database, and so does the rebuild command: a second API or a rebuild
/// on a database an API serves is refused. A second API kept its own accounts and pools in memory beside the first's,
/// so a shared pool went past its limit; a rebuild's replay and the live projection wrote the same rows. The lock is
/// held by one connection for the API's life and goes with it. A database restart (or failover) ends that session and
/// the lock with it: the connection is watched, and the lock taken again once the database is back; if another API or a
/// rebuild took it meanwhile, this API stops rather than serve beside it.
/// </summary>
public sealed class RunningApi(IDocumentStore store, IHostApplicationLifetime lifetime, IConfiguration config, ILogger<RunningApi> log)
    : IHostedService, IAsyncDisposable
{
    private const long Key = 0x4372656469744C64; // "CreditLd"
    private NpgsqlConnection? _held;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _watch;

    private TimeSpan Interval => TimeSpan.FromSeconds(config.GetValue("Credit:LockCheckSeconds", 5.0));

    public async Task StartAsync(CancellationToken ct)
    {
        _held = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        if (!await TryLock(_held, ct))
        {
            await DisposeAsync();
            throw new StartRefusedException("Another CreditLedger API or a rebuild is using this database: stop it first. " +
                "One API serves a database (README, Deployment).");
        }
        _watch = Task.Run(() => Watch(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Checks the lock's session now and then; a broken one is replaced, with the lock, as soon as the database answers.</summary>
    private async Task Watch(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, ct);
                if (_held is { } held && await Alive(held, ct)) continue;
                if (_held is { } broken) await broken.DisposeAsync();
                _held = null;
                var fresh = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
                if (await TryLock(fresh, ct))
                {
                    _held = fresh;
                    log.LogWarning("The database session holding this API's lock ended (a restart?): the lock is held again");
                    continue;
                }
                await fresh.DisposeAsync();
                log.LogCritical("Another CreditLedger API or a rebuild took this database while its session was down: stopping this API " +
                    "(one API serves a database; two would each grant a shared pool's credit)");
                lifetime.StopApplication();
                return;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Still away (or a check that failed for another reason): try again at the next one.
                log.LogDebug(ex, "Database not reachable to take the API's lock again");
            }
        }
    }

    private static async Task<bool> Alive(NpgsqlConnection conn, CancellationToken ct)
    {
        if (conn.FullState.HasFlag(System.Data.ConnectionState.Broken) || conn.State != System.Data.ConnectionState.Open) return false;
        try
        {
            return await conn.Scalar<int>("select 1", ct) == 1;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or System.IO.IOException)
        {
            return false;
        }
    }

    private static Task<bool> TryLock(NpgsqlConnection conn, CancellationToken ct) => conn.Scalar<bool>($"select pg_try_advisory_lock({Key})", ct);

    public async Task StopAsync(CancellationToken ct) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested) await _stopping.CancelAsync();
        if (_watch is { } watch)
        {
            _watch = null;
            try { await watch; } catch (OperationCanceledException) { }
        }
        if (_held is { } held)
        {
            _held = null;
            await held.DisposeAsync(); // the session's advisory locks end with it
        }
    }

    /// <summary>For the rebuild command: the exclusive lock on <paramref name="conn"/>, held while it stays open.</summary>
    /// <exception cref="StartRefusedException">An API holds the database.</exception>
    public static async Task Exclude(NpgsqlConnection conn, CancellationToken ct)
    {
        if (!await TryLock(conn, ct))
            throw new StartRefusedException("An API is running on this database: stop it first, or rebuild through it with POST /api/projections/rebuild.");
    }
}
