using Credit.Api.Tests.Infrastructure;
using Credit.Domain.Accounts;
using Credit.Projections.Reporting;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Credit.Api.Tests.ReadModels;

/// <summary>
/// The reporting tables do not depend on how the events were paged: the live projection given them all in one page,
/// one at a time, and the rebuild's in-memory replay with its bulk load all write the same rows.
/// </summary>
public class ReportingPagesTests(AppFixture app)
{
    private static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Riyadh");
    private static readonly DateOnly Day = new(2026, 11, 2);

    private static readonly CustomerProfile Profile = new("عميل \"ب\" \\ 1", null, "SAR", ContactKind.Customer, [], false, null);

    /// <summary>Holds resolved more than once within a page (released then cancelled, rejected then cancelled), an
    /// order invoiced after release, a payment reversed in the page that made it, orders placed before, under and after
    /// a bypass.</summary>
    private static List<IEvent> History()
    {
        var at = new DateTimeOffset(2026, 11, 2, 8, 0, 0, TimeSpan.Zero);
        object[] bodies =
        [
            new AccountOpened("pg-1", Profile),
            new LimitSet(1000m, false, null, "start"),
            new InvoiceIssued("I1", 900m, Day, Day.AddDays(30), [new Installment(Day.AddDays(30), 900m)], null, [], null, "f1"),
            new OrderHeld("O1", 500m, Day, null, ["CREDIT_LIMIT_EXCEEDED"], [], "f2"),
            new HoldReleased("O1", "cheque \"in\" hand", "controller-1"),
            new OrderCancelled("O1", "changed"),
            new OrderHeld("O2", 700m, Day, null, ["CREDIT_LIMIT_EXCEEDED"], [], "f3"),
            new OrderRejected("O2", "no"),
            new OrderCancelled("O2", "gone"),
            new OrderHeld("O3", 300m, Day, null, ["CREDIT_LIMIT_EXCEEDED"], [], "f4"),
            new HoldReleased("O3", "ok", "controller-2"),
            new InvoiceIssued("I2", 300m, Day, Day.AddDays(30), [new Installment(Day.AddDays(30), 300m)], "O3", [], null, "f5"),
            new PaymentReceived("P1", 400m, Day, [new Settlement("I1", 1, 400m)], 0m, "f6"),
            new PaymentReversed("P1", Day, "bounced"),
            // Orders count by the bypass as it stood when each was placed, however the page ends.
            new OrderApproved("O4", 100m, Day, null, [], "f7"),
            new ProfileUpdated(Profile with { BypassCreditCheckAtOrder = true }),
            new OrderApproved("O5", 5000m, Day, null, [], "f8"),
            new ProfileUpdated(Profile),
            new OrderApproved("O6", 50m, Day, null, [], "f9"),
            new AccountHeld("audit"),
        ];
        return bodies.Select((b, n) =>
        {
            var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(b.GetType()), b)!;
            (e.Sequence, e.StreamKey, e.Timestamp, e.UserName) = (n + 1, "pg-1", at.AddMinutes(n), "clerk-1");
            return e;
        }).ToList();
    }

    [Fact]
    public async Task One_page_single_event_pages_and_the_rebuild_replay_write_the_same_rows()
    {
        var database = await app.NewDatabase("pages");
        await using var host = await AppFixture.StartHost(database, new TestClock(new DateTimeOffset(2026, 11, 2, 7, 0, 0, TimeSpan.Zero)));
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var events = History();

        async Task<string> Written(Func<Task> write)
        {
            await using (var conn = new NpgsqlConnection(database))
            {
                await conn.OpenAsync();
                await using var truncate = new NpgsqlCommand(ReportingTables.TruncateAll(), conn);
                await truncate.ExecuteNonQueryAsync();
            }
            await write();
            return await RebuildTests.ReadModels(database);
        }

        async Task Pages(int size)
        {
            foreach (var page in events.Chunk(size))
            {
                await using var session = store.LightweightSession();
                await new ReportingProjection(Zone).ApplyAsync(session, page, CancellationToken.None);
                await session.SaveChangesAsync();
            }
        }

        var onePage = await Written(() => Pages(events.Count));
        var eventByEvent = await Written(() => Pages(1));
        var replayed = await Written(async () =>
        {
            var replay = new ReportingReplay(Zone);
            foreach (var e in events) replay.Apply(new ReplayedEvent(e.Sequence, e.StreamKey!, e.Timestamp, e.UserName, e.Data));
            await using var conn = new NpgsqlConnection(database);
            await conn.OpenAsync();
            await ReportingBulkLoad.WriteFinal(conn, replay, CancellationToken.None);
        });

        // The first outcome of a hold stands: O1 was released (then cancelled), O2 rejected (then cancelled).
        var rows = onePage.Split('\n');
        rows.First(r => r.StartsWith("pg-1 | O1 | 500 | True | cancelled")).ShouldContain("| released |");
        rows.First(r => r.StartsWith("pg-1 | O1 | 500 | True | cancelled")).ShouldEndWith("| controller-1 | cheque \"in\" hand");
        rows.First(r => r.StartsWith("pg-1 | O2 | 700 | True | cancelled")).ShouldContain("| rejected |");
        rows.ShouldContain(r => r.Contains("| P1~reversal | 400"));
        rows.ShouldContain(r => r.StartsWith("pg-1 | O4 | 100 | True | approved"));
        rows.ShouldContain(r => r.StartsWith("pg-1 | O5 | 5000 | False | approved"));
        rows.ShouldContain(r => r.StartsWith("pg-1 | O6 | 50 | True | approved"));
        RebuildTests.SameReadModels(onePage, eventByEvent);
        RebuildTests.SameReadModels(replayed, eventByEvent);
    }
}
