using System.Globalization;
using Credit.Api.Hosting;
using Credit.Api.Reporting;
using JasperFx.Events.Daemon;
using Marten;

namespace Credit.Api.Operations;

/// <summary>
/// The `projections rebuild` sub-command (stop the API first): the store alone, no web server, no Wolverine, no
/// hosted services. Building the whole API host first cost ~0.3 s of a 200,000-event rebuild for services it never used.
/// </summary>
public static class RebuildCommand
{
    public static async Task<int> Run(IConfiguration config, TextWriter output)
    {
        var hosting = CreditHosting.From(config);
        // Ctrl-C or SIGTERM: stop the replay and still stop PostgreSQL (the tables are left for the daemon to replay).
        using var stop = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Cancel);
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Cancel);
        LocalInstance? local = null;
        try
        {
            var connectionString = hosting.ConfiguredConnectionString;
            if (hosting.LocalMode)
            {
                // Only the cluster the API made: a mistyped CREDIT_DATA_DIR must not "rebuild" a new empty one, successfully.
                local = await LocalInstance.StartAsync(hosting, output.WriteLine, existingOnly: true, stop.Token);
                connectionString = local.Postgres.ConnectionString;
            }
            var zone = BusinessCalendar.ZoneFrom(config);
            using var store = DocumentStore.For(opts =>
            {
                MartenSetup.Configure(opts, connectionString!, zone);
                opts.Projections.AsyncMode = DaemonMode.Solo; // this command is the daemon (and Marten then has nothing to warn about)
            });
            return await Rebuild(store, zone, output, stop.Token);
        }
        catch (StartRefusedException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 1;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Rebuild interrupted: the read models replay from the start when the API next runs.");
            return 130;
        }
        finally
        {
            if (local is not null) await local.DisposeAsync();
        }

        void Cancel(System.Runtime.InteropServices.PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    public static async Task<int> Rebuild(DocumentStore store, TimeZoneInfo zone, TextWriter output, CancellationToken ct = default)
    {
        await using var exclusive = await store.OpenConnection(Marten.Storage.ConnectionUsage.ReadWrite, ct);
        await RunningApi.Exclude(exclusive, ct);
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await ReportingSchema.InstallAsync(store, zone, CancellationToken.None);
        using var daemon = await store.BuildProjectionDaemonAsync();
        var results = await ReadModelRebuild.RebuildAll(store, daemon, null, zone, ct);
        foreach (var r in results)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name}: {r.Events} events in {r.Seconds:F2} s ({(r.Seconds > 0 ? r.Events / r.Seconds : 0):F0} events/s)"));
        var total = results.Sum(r => r.Seconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"all read models: {(results.Count > 0 ? results[0].Events : 0)} events in {total:F2} s"));
        return 0;
    }
}
