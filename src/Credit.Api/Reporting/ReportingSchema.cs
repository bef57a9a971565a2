using Credit.Api.Hosting;
using Credit.Projections.Reporting;
using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Reporting;

/// <summary>Creates the credit_reporting schema, its views and the read-only role at start-up (idempotent).</summary>
public sealed class ReportingSchema(IDocumentStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        await using var cmd = new NpgsqlCommand(ReportingTables.Install(), conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
