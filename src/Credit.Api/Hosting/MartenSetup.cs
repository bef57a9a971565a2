using Credit.Projections.Accounts;
using Credit.Projections.Directory;
using Credit.Api.Groups;
using Credit.Domain.Accounts;
using Credit.Projections.Reporting;
using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Core;
using Wolverine.Marten;

namespace Credit.Api.Hosting;

public static class MartenSetup
{
    public const string Schema = "credit";

    /// <summary>
    /// Npgsql settings for a write path of many short transactions: keep the connection's session state when it
    /// goes back to the pool (no DISCARD ALL per command) and prepare the statements used over and over.
    /// Settings already in the configured connection string win.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)) builder.NoResetOnClose = true;
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        if (!connectionString.Contains("Auto Prepare Min Usages", StringComparison.OrdinalIgnoreCase)) builder.AutoPrepareMinUsages = 3;
        return builder.ConnectionString;
    }

    /// <summary>The API's store: <see cref="Configure"/>, the async daemon, the schema applied at start-up, Wolverine's outbox.</summary>
    public static IServiceCollection AddCreditStore(this IServiceCollection services, string connectionString, TimeZoneInfo zone)
    {
        services.AddMarten(opts => Configure(opts, connectionString, zone))
            .AddAsyncDaemon(DaemonMode.Solo) // Solo: the stand-in DistributedLock package cannot take advisory locks
            .ApplyAllDatabaseChangesOnStartup()
            .UseLightweightSessions()
            .IntegrateWithWolverine();
        return services;
    }

    /// <summary>Events and documents in one schema, string stream keys (the customer id), full metadata.</summary>
    public static void Configure(StoreOptions opts, string connectionString, TimeZoneInfo zone)
    {
        opts.Connection(Tuned(connectionString));
        opts.DatabaseSchemaName = Schema;
        opts.Events.DatabaseSchemaName = Schema;
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        opts.Events.MetadataConfig.EnableAll();
        opts.Events.MetadataConfig.UserNameEnabled = true; // EnableAll() leaves user_name off in 9.58
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        // The write model is folded on demand (kept in memory by AccountCache; checkpoints every few hundred
        // events); only the small directory of customers is written inline, when a profile changes.
        opts.Projections.Add(new CreditAccountProjection(), ProjectionLifecycle.Live);
        opts.Projections.Add(new AccountDirectoryProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<AccountDirectoryEntry>().Index(x => x.GroupId);
        opts.Projections.Add(new ReportingProjection(zone), ProjectionLifecycle.Async, ReportingProjection.ProjectionName, o =>
        {
            o.BatchSize = 2000;
            // A rebuild starts from empty tables.
            foreach (var table in ReportingTables.QualifiedTables) o.DeleteDataInTableOnTeardown(table);
        });
        opts.Schema.For<CustomerGroup>().UseOptimisticConcurrency(true);
        opts.Schema.For<Reminders.Notification>().Index(x => x.CustomerId);

        // Read models should trail writes by well under a second.
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);
        // A decision that lost a race rolls back and leaves a gap in the event sequence; don't let
        // the daemon wait seconds before stepping over it.
        opts.Projections.StaleSequenceThreshold = TimeSpan.FromMilliseconds(300);
        opts.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
    }
}
