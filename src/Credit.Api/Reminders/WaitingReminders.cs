using System.Text.Json;
using Credit.Api.Hosting;
using Credit.Domain.Reminders;
using Marten;
using Marten.Storage;
using Npgsql;
using NpgsqlTypes;
using Wolverine.Marten;
using Wolverine.Runtime.Serialization;
using Wolverine.Util;

namespace Credit.Api.Reminders;

/// <summary>
/// Reminders waiting for their business date: one narrow row per installment and kind, written in the transaction
/// of the decision that opened the installment, and a sweep that sends those whose morning has come.
/// Replaces one durable scheduled Wolverine message per installment, which kept every open installment as an
/// envelope in wolverine_incoming_envelopes: at 400,000 of them Wolverine's start-up took over 6 s to re-own them
/// and each of its metrics polls ~270 ms. Here a batch of decisions adds its reminders with one statement and
/// the sweep reads an index on the send date.
/// </summary>
public sealed class WaitingReminders(
    IDocumentStore store, IServiceScopeFactory scopes, BusinessCalendar calendar, IConfiguration config, IHostApplicationLifetime lifetime,
    ILogger<WaitingReminders> log)
    : BackgroundService
{
    private const string Table = MartenSetup.Schema + ".waiting_reminders";
    private const int ClaimSize = 500;

    /// <summary>How often the sweep looks for reminders whose morning has come (a minute by default).</summary>
    private readonly TimeSpan _every = TimeSpan.FromSeconds(Math.Max(config.GetValue("Credit:Reminders:SweepSeconds", 60.0), 0.1));

    public override async Task StartAsync(CancellationToken ct)
    {
        await using var conn = await store.OpenConnection(ConnectionUsage.ReadWrite, ct);
        await conn.Execute($"""
            create table if not exists {Table} (
                customer_id varchar not null, document_id varchar not null, installment int not null, kind varchar not null,
                due_on date not null, send_on date not null,
                primary key (customer_id, document_id, installment, kind));
            create index if not exists waiting_reminders_send_on on {Table} (send_on);
            """, ct);
        await AdoptScheduledEnvelopes(conn, ct);
        await base.StartAsync(ct);
    }

    /// <summary>
    /// A database from before this table keeps each waiting reminder as a scheduled SendReminder envelope in
    /// Wolverine's inbox. They are moved here, in one transaction, so they stop weighing on Wolverine's start-up
    /// and polls. Rows are locked and skipped if Wolverine is taking them at the same moment (then they fire as
    /// before); an envelope that cannot be read stays where it is and fires on its date too.
    /// </summary>
    private async Task AdoptScheduledEnvelopes(NpgsqlConnection conn, CancellationToken ct)
    {
        const string inbox = MartenSetup.Schema + ".wolverine_incoming_envelopes";
        if (!await conn.Scalar<bool>($"select to_regclass('{inbox}') is not null", ct)) return;

        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(ct);
        var (ids, reminders) = (new List<Guid>(), new List<Reminder>());
        await using (var scheduled = new NpgsqlCommand(
            $"select id, body from {inbox} where status = 'Scheduled' and message_type = @type for update skip locked", session.Connection))
        {
            scheduled.Parameters.AddWithValue("type", WolverineMessageNaming.ToMessageTypeName(typeof(SendReminder)));
            await using var reader = await scheduled.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                try
                {
                    var envelope = EnvelopeSerializer.Deserialize(reader.GetFieldValue<byte[]>(1));
                    if (envelope.Data is { Length: > 0 } data && JsonSerializer.Deserialize<SendReminder>(data, EnvelopeJson)?.Reminder is { } reminder)
                    {
                        ids.Add(reader.GetGuid(0));
                        reminders.Add(reminder);
                    }
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
                {
                    log.LogWarning(ex, "Scheduled reminder envelope {Id} not readable; left to Wolverine", reader.GetGuid(0));
                }
            }
        }
        if (ids.Count == 0) return;

        Queue(session, reminders);
        session.QueueTypedSql($"delete from {inbox} where id = any(?)", (ids.ToArray(), TypedSql.ArrayOf(NpgsqlDbType.Uuid)));
        await session.SaveChangesAsync(ct);
        log.LogInformation("Moved {Count} scheduled reminder envelopes from Wolverine's inbox to {Table}", ids.Count, Table);
    }

    /// <summary>Wolverine's default System.Text.Json settings wrote the messages; read them leniently.</summary>
    private static readonly JsonSerializerOptions EnvelopeJson = new(JsonSerializerDefaults.Web);

    /// <summary>Queues these reminders in the session's transaction, one statement for all of them. A reminder
    /// already waiting for the same installment and kind keeps the earlier date.</summary>
    public static void Queue(IDocumentSession session, IReadOnlyCollection<Reminder> reminders)
    {
        if (reminders.Count == 0) return;
        // One row per key: a statement's ON CONFLICT may not touch the same row twice.
        var rows = reminders.GroupBy(r => (r.CustomerId, r.DocumentId, r.Installment, r.Kind)).Select(g => g.Last()).ToArray();
        var (text, date) = (TypedSql.ArrayOf(NpgsqlDbType.Varchar), TypedSql.ArrayOf(NpgsqlDbType.Date));
        session.QueueTypedSql($"""
            insert into {Table} as w (customer_id, document_id, installment, kind, due_on, send_on)
            select * from unnest(?, ?, ?, ?, ?, ?)
            on conflict (customer_id, document_id, installment, kind)
            do update set due_on = excluded.due_on, send_on = least(w.send_on, excluded.send_on)
            """,
            (rows.Select(r => r.CustomerId).ToArray(), text), (rows.Select(r => r.DocumentId).ToArray(), text),
            (rows.Select(r => r.Installment).ToArray(), TypedSql.ArrayOf(NpgsqlDbType.Integer)), (rows.Select(r => r.KindName).ToArray(), text),
            (rows.Select(r => r.DueOn).ToArray(), date), (rows.Select(r => r.SendOn).ToArray(), date));
    }

    /// <summary>Due-soon reminders still waiting go out <paramref name="daysBefore"/> days before their due date now
    /// (today at the earliest), in the session's transaction.</summary>
    public static void Reschedule(IDocumentSession session, int daysBefore, DateOnly today) =>
        session.QueueTypedSql($"""
            update {Table} set send_on = greatest(due_on - ?, ?) where kind = '{Reminder.DueSoonName}'
            """, (Math.Max(daysBefore, 0), NpgsqlDbType.Integer), (today, NpgsqlDbType.Date));

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        // Sends go through Wolverine, which must be running first.
        var started = new TaskCompletionSource();
        await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        await using (stop.Register(() => started.TrySetCanceled()))
        {
            try { await started.Task; }
            catch (OperationCanceledException) { return; }
        }
        while (!stop.IsCancellationRequested)
        {
            try
            {
                while (await SendDue(stop) == ClaimSize) { }
                await Task.Delay(_every, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                log.LogWarning(ex, "Reminder sweep failed; trying again in {Every}", _every);
                await Task.Delay(_every, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Takes up to <see cref="ClaimSize"/> reminders whose morning has come off the table and hands them to
    /// <see cref="SendReminderHandler"/> through the outbox, in one transaction: a crash before the commit leaves
    /// them waiting, and SKIP LOCKED lets two nodes sweep without sending one twice.
    /// </summary>
    private async Task<int> SendDue(CancellationToken ct)
    {
        var today = calendar.Today;
        var lastDay = calendar.MorningOf(today) <= calendar.Now ? today : today.AddDays(-1);

        await using var scope = scopes.CreateAsyncScope();
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(ct);
        var due = new List<Reminder>();
        await using (var claim = new NpgsqlCommand($"""
            delete from {Table} w using (
                select customer_id, document_id, installment, kind from {Table}
                where send_on <= @lastDay order by send_on limit @n for update skip locked) c
            where (w.customer_id, w.document_id, w.installment, w.kind) = (c.customer_id, c.document_id, c.installment, c.kind)
            returning w.customer_id, w.document_id, w.installment, w.kind, w.due_on, w.send_on
            """, session.Connection))
        {
            claim.Parameters.AddWithValue("lastDay", lastDay);
            claim.Parameters.AddWithValue("n", ClaimSize);
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                due.Add(new Reminder(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), Reminder.KindOf(reader.GetString(3)),
                    reader.GetFieldValue<DateOnly>(4), reader.GetFieldValue<DateOnly>(5)));
            }
        }
        if (due.Count == 0) return 0;

        var outbox = scope.ServiceProvider.GetRequiredService<IMartenOutbox>();
        outbox.Enroll(session);
        foreach (var reminder in due) await outbox.PublishAsync(new SendReminder(reminder));
        await session.SaveChangesAsync(ct);
        log.LogInformation("Sent {Count} reminders due by {Day}", due.Count, lastDay);
        return due.Count;
    }
}
