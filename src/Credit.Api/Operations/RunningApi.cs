using Credit.Api.Hosting;
using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Operations;

/// <summary>
/// A running API holds an advisory lock on its database, and so does the rebuild command: a second API or a rebuild
/// on a database an API serves is refused. A second API kept its own accounts and pools in memory beside the first's,
/// so a shared pool went past its limit; a rebuild's replay and the live projection wrote the same rows. The lock is
/// held by one connection for the API's life and goes with it.
/// </summary>
public sealed class RunningApi(IDocumentStore store) : IHostedService, IAsyncDisposable
{
    private const long Key = 0x4372656469744C64; // "CreditLd"
    private NpgsqlConnection? _held;

    public async Task StartAsync(CancellationToken ct)
    {
        _held = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        if (!await _held.Scalar<bool>($"select pg_try_advisory_lock({Key})", ct))
        {
            await DisposeAsync();
            throw new StartRefusedException("Another CreditLedger API or a rebuild is using this database: stop it first. " +
                "One API serves a database (README, Deployment).");
        }
    }

    public async Task StopAsync(CancellationToken ct) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
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
        if (!await conn.Scalar<bool>($"select pg_try_advisory_lock({Key})", ct))
            throw new StartRefusedException("An API is running on this database: stop it first, or rebuild through it with POST /api/projections/rebuild.");
    }
}
