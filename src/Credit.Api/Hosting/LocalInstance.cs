namespace Credit.Api.Hosting;

/// <summary>
/// Local mode's private PostgreSQL, owned by one process at a time. An exclusive lock on CREDIT_DATA_DIR/instance.lock
/// keeps a second API (or a rebuild) off a directory in use: the first to stop took the database from under the other,
/// and a rebuild beside a running API corrupted its read models. Holding the lock, a server found running on the
/// directory is an orphan of a killed process: adopted, and stopped with this one. The lock goes with the process, even
/// on kill -9.
/// </summary>
public sealed class LocalInstance : IAsyncDisposable
{
    private readonly FileStream _lock;

    private LocalInstance(FileStream held, EmbeddedPostgres postgres) => (_lock, Postgres) = (held, postgres);

    public EmbeddedPostgres Postgres { get; }

    /// <exception cref="InvalidOperationException">Another process holds the directory, or PostgreSQL would not start.</exception>
    public static async Task<LocalInstance> StartAsync(CreditHosting hosting, Action<string> log, CancellationToken ct = default)
    {
        Directory.CreateDirectory(hosting.DataDirectory);
        FileStream held;
        try
        {
            // FileShare.None is an exclusive flock on Unix: refused while another process has the file open so.
            held = new FileStream(Path.Combine(hosting.DataDirectory, "instance.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new InvalidOperationException($"Another CreditLedger process (an API or a rebuild) is using {hosting.DataDirectory}: " +
                "stop it first. A running API rebuilds its read models with POST /api/projections/rebuild.");
        }
        try
        {
            var postgres = await EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions(hosting.PostgresDirectory) { Log = log, AdoptRunning = true }, ct);
            return new LocalInstance(held, postgres);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops PostgreSQL, then lets the directory go.</summary>
    public async ValueTask DisposeAsync()
    {
        await Postgres.StopAsync();
        await _lock.DisposeAsync();
    }
}
