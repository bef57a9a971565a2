namespace Credit.Api.Hosting;

/// <summary>A start refused for a reason the user can act on (the data in use by another process, no data where it was
/// asked): its message says all they need, no stack trace.</summary>
public sealed class StartRefusedException(string message) : InvalidOperationException(message);

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

    /// <param name="hosting">where the data lives</param>
    /// <param name="log">start-up lines (cluster made, adopted, started)</param>
    /// <param name="existingOnly">open the cluster the API made, never a new empty one (the rebuild command)</param>
    /// <param name="ct">cancels the start</param>
    /// <exception cref="StartRefusedException">Another process holds the directory, or (existingOnly) it has no cluster.</exception>
    /// <exception cref="InvalidOperationException">PostgreSQL would not start.</exception>
    public static async Task<LocalInstance> StartAsync(CreditHosting hosting, Action<string> log, bool existingOnly = false, CancellationToken ct = default)
    {
        FileStream held;
        try
        {
            Directory.CreateDirectory(hosting.DataDirectory);
            // FileShare.None is an exclusive flock on Unix: refused while another process has the file open so.
            held = new FileStream(Path.Combine(hosting.DataDirectory, "instance.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or DirectoryNotFoundException or PathTooLongException
                                   || (ex is IOException && !Directory.Exists(hosting.DataDirectory)))
        {
            // A path under a file, a read-only or foreign directory: said plainly, not as a crash with a stack trace.
            throw new StartRefusedException($"CREDIT_DATA_DIR cannot be used ({hosting.DataDirectory}): {ex.Message} " +
                "Point it at a directory this user may create and write.");
        }
        catch (IOException)
        {
            throw new StartRefusedException($"Another CreditLedger process (an API or a rebuild) is using {hosting.DataDirectory}: " +
                "stop it first. A running API rebuilds its read models with POST /api/projections/rebuild.");
        }
        try
        {
            var postgres = await EmbeddedPostgres.StartAsync(
                new EmbeddedPostgresOptions(hosting.PostgresDirectory) { Log = log, AdoptRunning = true, ExistingOnly = existingOnly }, ct);
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
