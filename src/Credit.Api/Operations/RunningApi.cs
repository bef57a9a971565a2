using Credit.Api.Hosting;
using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Operations;

/// <summary>
/// A running API holds a shared advisory lock on its database; the rebuild command takes it exclusively, so it refuses
/// while an API serves the same database (its replay and the live projection wrote the same rows: duplicate keys,
/// read models left behind). The lock is held by one connection for the API's life and goes with it.
/// </summary>
public sealed class RunningApi(IDocumentStore store) : IHostedService, IAsyncDisposable
{
    private const long Key = 0x4372656469744C64; // "CreditLd"
    private NpgsqlConnection? _held;

    public async Task StartAsync(CancellationToken ct)
    {
        _held = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        await _held.Execute($"select pg_advisory_lock_shared({Key})", ct); // waits for a rebuild in progress to end
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
