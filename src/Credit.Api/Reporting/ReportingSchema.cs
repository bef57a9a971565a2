using Credit.Api.Hosting;
using Credit.Projections.Reporting;
using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Reporting;

/// <summary>Creates the credit_reporting schema, its views and the read-only role at start-up (idempotent).</summary>
public sealed class ReportingSchema(IDocumentStore store, BusinessCalendar calendar) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => InstallAsync(store, calendar.Zone, ct);

    /// <summary>Tables, views (their "overdue" by the business date in <paramref name="zone"/>) and the reader role.</summary>
    public static async Task InstallAsync(IDocumentStore store, TimeZoneInfo zone, CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        var zoneId = IanaId(zone);
        try
        {
            await using var cmd = new NpgsqlCommand(ReportingTables.Install(replaceViews: true, zoneId), conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidTableDefinition)
        {
            // A view whose columns changed other than at the end cannot be replaced: dropped and created again, which a
            // DBA's own view on it would block (2BP01): then say which objects, rather than fail with a redacted detail.
            try
            {
                await using var cmd = new NpgsqlCommand(ReportingTables.Install(replaceViews: false, zoneId), conn);
                await cmd.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException blocked) when (blocked.SqlState == PostgresErrorCodes.DependentObjectsStillExist)
            {
                throw new InvalidOperationException(
                    $"The reporting views ({ReportingTables.Schema}) changed in this version and must be recreated, but other objects depend on them: " +
                    $"{await Dependants(conn, ct)}. Drop those objects, start the API, then create them again.", blocked);
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>The zone as PostgreSQL names it ("Arab Standard Time", which .NET accepts on Linux too, is "Asia/Riyadh").</summary>
    private static string IanaId(TimeZoneInfo zone) =>
        zone.HasIanaId ? zone.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(zone.Id, out var iana) ? iana : zone.Id;

    /// <summary>Objects built on the reporting views, other than the views themselves (a DBA's, in any schema).</summary>
    private static async Task<string> Dependants(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            select distinct format('%I.%I', dn.nspname, dc.relname)
            from pg_depend d
            join pg_rewrite r on r.oid = d.objid
            join pg_class dc on dc.oid = r.ev_class join pg_namespace dn on dn.oid = dc.relnamespace
            join pg_class vc on vc.oid = d.refobjid join pg_namespace vn on vn.oid = vc.relnamespace
            where vn.nspname = '{ReportingTables.Schema}' and dc.oid <> vc.oid
              and not (dn.nspname = '{ReportingTables.Schema}' and dc.relname = any(@ours))
            """, conn);
        cmd.Parameters.AddWithValue("ours", ReportingTables.Views);
        var names = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) names.Add(reader.GetString(0));
        return names.Count == 0 ? "(not found)" : string.Join(", ", names);
    }
}
