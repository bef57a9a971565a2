using Credit.Api.Hosting;
using Credit.Projections.Reporting;
using JasperFx.Events.Daemon;
using Marten;
using Marten.Storage;

namespace Credit.Api.Operations;

/// <summary>
/// A rebuild cut short (the API killed in the middle of one, the command stopped) leaves the reporting tables emptied and
/// the projection's progress forgotten: the daemon refilled them from the first event while reads answered 200 with half
/// the history and /health said healthy (sweep AQ: outstanding -66,935.63 where -100,782.03 was owed, for ~20 s). At start
/// that state is finished as a rebuild: the gate is taken before the first request, so reads get 503
/// READ_MODELS_REBUILDING until the tables are whole again. Registered ahead of the store, before its daemon starts.
/// </summary>
public sealed class InterruptedRebuild(IDocumentStore store, IServiceProvider services, RebuildGate gate, BusinessCalendar calendar,
    IHostApplicationLifetime lifetime, ILogger<InterruptedRebuild> log) : IHostedService
{
    private const string S = MartenSetup.Schema;

    public async Task StartAsync(CancellationToken ct)
    {
        if (!await LeftHalfBuilt(ct)) return;
        await gate.WaitAsync(ct);
        log.LogWarning("The read models were left half rebuilt (a rebuild was cut short): rebuilding them; reads answer 503 until done");
        // After the host has started: the projection coordinator it pauses is one of the hosted services.
        _ = Task.Run(async () =>
        {
            try
            {
                await WhenStarted(lifetime.ApplicationStarted, lifetime.ApplicationStopping);
                var coordinator = services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>();
                while (true)
                {
                    try
                    {
                        var rebuilt = await ReadModelRebuild.RebuildAll(store, coordinator.DaemonForMainDatabase(), coordinator, calendar.Zone,
                            lifetime.ApplicationStopping);
                        log.LogInformation("Read models rebuilt after the interrupted rebuild: {Events} events", rebuilt.Sum(r => r.Events));
                        break;
                    }
                    catch (Exception ex) when (Errors.ErrorHandling.Raised(ex, Npgsql.PostgresErrorCodes.LockNotAvailable))
                    {
                        // A reporting session (a BI tool's open transaction) holds the tables: once it lets go.
                        log.LogWarning("A reporting session holds the read models' tables; rebuilding them once it lets go");
                        await Task.Delay(TimeSpan.FromSeconds(1), lifetime.ApplicationStopping);
                    }
                }
            }
            catch (Exception ex) when (!lifetime.ApplicationStopping.IsCancellationRequested)
            {
                // The daemon goes on from wherever the replay stopped (its progress row is written only at the end: from zero).
                log.LogError(ex, "Rebuilding the read models after an interrupted rebuild failed; the projection daemon refills them");
            }
            catch (OperationCanceledException)
            {
                // Stopping: the next start finds the same state and begins again.
            }
            finally
            {
                gate.Release();
            }
        }, CancellationToken.None);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>A rebuild begun and never finished (its marker left behind), or events to project and no progress for the
    /// reporting projection (emptied by a version before the marker, or never built: rebuilt the same way).</summary>
    private async Task<bool> LeftHalfBuilt(CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.Read, ct);
        return await ReadModelRebuild.CutShort(conn, ct) || await conn.Scalar<bool>($"""
            select exists (select 1 from {S}.mt_events where stream_id <> '{JasperFx.StorageConstants.TombstoneStreamKey}')
               and not exists (select 1 from {S}.mt_event_progression where name = '{ReadModelRebuild.ReportingShard}')
            """, ct);
    }

    private static async Task WhenStarted(CancellationToken started, CancellationToken stopping)
    {
        if (started.IsCancellationRequested) return;
        var done = new TaskCompletionSource();
        await using var onStart = started.Register(() => done.TrySetResult());
        await using var onStop = stopping.Register(() => done.TrySetCanceled());
        await done.Task;
    }
}
