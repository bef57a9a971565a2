using System.Globalization;
using Credit.Api.Reporting;
using Marten;

namespace Credit.Api.Operations;

/// <summary>The `projections rebuild` sub-command: its own daemon, no web server, no live shards to stop.</summary>
public static class RebuildCommand
{
    public static async Task<int> Run(IServiceProvider services, TextWriter output)
    {
        var store = services.GetRequiredService<IDocumentStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await new ReportingSchema(store).StartAsync(CancellationToken.None);
        using var daemon = await store.BuildProjectionDaemonAsync();
        var zone = services.GetRequiredService<Hosting.BusinessCalendar>().Zone;
        var results = await ReadModelRebuild.RebuildAll(store, daemon, zone, CancellationToken.None);
        foreach (var r in results)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name}: {r.Events} events in {r.Seconds:F2} s ({(r.Seconds > 0 ? r.Events / r.Seconds : 0):F0} events/s)"));
        var total = results.Sum(r => r.Seconds);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"all read models: {(results.Count > 0 ? results[0].Events : 0)} events in {total:F2} s"));
        return 0;
    }
}
