using Credit.Api.Hosting;
using Credit.Domain.Statistics;
using Credit.Projections.Reporting;
using Marten;
using Marten.Storage;
using Npgsql;

namespace Credit.Api.Reporting;

public sealed record ReportedCustomer(
    string CustomerId, string Name, string? GroupId, string Currency, DateOnly? CustomerSince, string[] AssignedTo,
    decimal? CreditLimit, bool UnlimitedCredit, bool OnHold, long LastSequence, DateTimeOffset? UpdatedAt);

public sealed record OpenItemRow(string CustomerId, string DocumentId, int Installment, DateOnly DueOn, decimal OpenAmount);

public sealed record OrderFigures(decimal OpenOrders, decimal HeldOrders, int HeldOrderCount);

public sealed record HoldRow(
    string CustomerId, string CustomerName, string[] AssignedTo, string OrderId, decimal Amount, DateOnly OrderedOn, string[] Reasons,
    DateTimeOffset HeldAt, string? HeldBy, string Status, DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution, string OrderStatus);

public sealed record StatementLine(DateOnly Date, [property: OneOf("opening-balance", "invoice", "payment", "payment-reversal", "credit-note")] string Type, string Document, decimal Debit, decimal Credit, decimal Balance);

/// <summary>
/// Reads of the credit_reporting tables for the read-model endpoints: a handful of indexed queries per
/// request, never a scan of the event store.
/// </summary>
public sealed class ReportingReads(IDocumentStore store, Operations.RebuildGate rebuild)
{
    private const string S = ReportingTables.Schema;

    /// <summary>
    /// While a rebuild refills the tables they hold half the history (a blocked customer showed 92,000 available):
    /// refused as 503 READ_MODELS_REBUILDING, to be retried, rather than answered.
    /// </summary>
    private Task<NpgsqlConnection> Open(CancellationToken ct) =>
        rebuild.Rebuilding ? throw new ReadModelsRebuildingException() : store.OpenConnection(ConnectionUsage.Read, ct);


    /// <summary>The sequence of the customer's latest event: the read model is current once it has seen it.</summary>
    public async Task<long?> LatestSequence(string customerId, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var cmd = new NpgsqlCommand(
            $"select seq_id from {MartenSetup.Schema}.mt_events where stream_id = @id order by version desc limit 1", conn);
        cmd.Parameters.AddWithValue("id", customerId);
        return await cmd.ExecuteScalarAsync(ct) as long?;
    }

    public async Task<IReadOnlyList<ReportedCustomer>> Customers(string? customerId, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var cmd = new NpgsqlCommand($"""
            select customer_id, name, group_id, currency, customer_since, assigned_to, credit_limit, unlimited_credit, on_hold,
                   last_seq_id, updated_at
            from {S}.customers where @id::varchar is null or customer_id = @id order by customer_id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Varchar) { Value = (object?)customerId ?? DBNull.Value });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<ReportedCustomer>();
        while (await r.ReadAsync(ct))
            list.Add(new ReportedCustomer(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateOnly>(4), r.GetFieldValue<string[]>(5), r.IsDBNull(6) ? null : r.GetDecimal(6),
                r.GetBoolean(7), r.GetBoolean(8), r.GetInt64(9), r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10)));
        return list;
    }

    /// <summary>Open installments as they stood at the close of <paramref name="asOf"/> (backdated documents included).</summary>
    public async Task<IReadOnlyList<OpenItemRow>> OpenItems(string? customerId, DateOnly asOf, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        return await OpenItems(conn, null, customerId, asOf, ct);
    }

    /// <summary>
    /// Every customer's open installments and outstanding balance at the close of <paramref name="asOf"/>, read in one
    /// snapshot: their difference is the credit not yet applied (a payment beyond its allocations, a note on account), which
    /// a concurrent write must not make up.
    /// </summary>
    public async Task<(IReadOnlyList<OpenItemRow> Items, IReadOnlyDictionary<string, decimal> Outstanding)> Receivables(
        DateOnly asOf, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var items = await OpenItems(conn, tx, null, asOf, ct);
        await using var cmd = new NpgsqlCommand($"""
            select customer_id, sum(debit - credit) from {S}.ledger_entries where business_date <= @asOf
            group by customer_id having sum(debit - credit) <> 0
            """, conn, tx);
        cmd.Parameters.AddWithValue("asOf", asOf);
        var outstanding = new Dictionary<string, decimal>();
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) outstanding[r.GetString(0)] = r.GetDecimal(1);
        await tx.CommitAsync(ct);
        return (items, outstanding);
    }

    private static async Task<IReadOnlyList<OpenItemRow>> OpenItems(
        NpgsqlConnection conn, NpgsqlTransaction? tx, string? customerId, DateOnly asOf, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"""
            select customer_id, document_id, installment, due_on, sum(amount) from {S}.item_movements
            where (@id::varchar is null or customer_id = @id) and business_date <= @asOf
            group by customer_id, document_id, installment, due_on having sum(amount) <> 0
            order by customer_id, due_on, document_id, installment
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Varchar) { Value = (object?)customerId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("asOf", asOf);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<OpenItemRow>();
        while (await r.ReadAsync(ct))
            list.Add(new OpenItemRow(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetFieldValue<DateOnly>(3), r.GetDecimal(4)));
        return AsTheyStood(list);
    }

    /// <summary>
    /// Open items as they stood on a past date. An item can sum below zero there: settled on that date by credit or a
    /// payment whose claim on it came later (a credit note recorded after a bounce reopened it, a payment dated before
    /// the invoice it was allocated to). That was credit on that day, not a negative debt: it settles the customer's
    /// other open items oldest due first, as credit does (left out, the aging showed more than the statement's balance).
    /// Rows come ordered by customer, then due date.
    /// </summary>
    internal static List<OpenItemRow> AsTheyStood(List<OpenItemRow> rows)
    {
        if (!rows.Exists(x => x.OpenAmount < 0)) return rows;
        var result = new List<OpenItemRow>(rows.Count);
        foreach (var customer in rows.GroupBy(x => x.CustomerId))
        {
            var credit = -customer.Where(x => x.OpenAmount < 0).Sum(x => x.OpenAmount);
            foreach (var item in customer.Where(x => x.OpenAmount > 0))
            {
                var taken = Math.Min(credit, item.OpenAmount);
                credit -= taken;
                if (item.OpenAmount > taken) result.Add(item with { OpenAmount = item.OpenAmount - taken });
            }
        }
        return result;
    }

    /// <summary>Daily activity up to and including <paramref name="asOf"/>, per customer.</summary>
    public async Task<ILookup<string, DailyActivity>> Activity(string? customerId, DateOnly asOf, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var cmd = new NpgsqlCommand($"""
            select customer_id, business_date, sales, opening_balance, receipts, reversals, credit_notes, orders_change
            from {S}.daily_activity where (@id::varchar is null or customer_id = @id) and business_date <= @asOf
            order by customer_id, business_date
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Varchar) { Value = (object?)customerId ?? DBNull.Value });
        cmd.Parameters.AddWithValue("asOf", asOf);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<(string, DailyActivity)>();
        while (await r.ReadAsync(ct))
            rows.Add((r.GetString(0), new DailyActivity(r.GetFieldValue<DateOnly>(1), r.GetDecimal(2), r.GetDecimal(3), r.GetDecimal(4),
                r.GetDecimal(5), r.GetDecimal(6), r.GetDecimal(7))));
        return rows.ToLookup(x => x.Item1, x => x.Item2);
    }

    public async Task<ILookup<string, LimitChange>> LimitChanges(string? customerId, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var cmd = new NpgsqlCommand($"""
            select customer_id, business_date, amount, unlimited from {S}.limit_changes
            where (@id::varchar is null or customer_id = @id) order by customer_id, business_date, seq_id
            """, conn);
        cmd.Parameters.Add(new NpgsqlParameter("id", NpgsqlTypes.NpgsqlDbType.Varchar) { Value = (object?)customerId ?? DBNull.Value });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<(string, LimitChange)>();
        while (await r.ReadAsync(ct))
            rows.Add((r.GetString(0), new LimitChange(r.GetFieldValue<DateOnly>(1), r.IsDBNull(2) ? null : r.GetDecimal(2), r.GetBoolean(3))));
        return rows.ToLookup(x => x.Item1, x => x.Item2);
    }

    /// <summary>Every customer's orders counted as exposure and held, for the customer list (customers without orders are absent).</summary>
    public async Task<IReadOnlyDictionary<string, OrderFigures>> OrderFiguresByCustomer(CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var cmd = new NpgsqlCommand($"""
            select customer_id, coalesce(sum(amount) filter (where counted and status in ('approved', 'released')), 0),
                   coalesce(sum(amount) filter (where status = 'held'), 0), count(*) filter (where status = 'held')
            from {S}.order_book group by customer_id
            """, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var figures = new Dictionary<string, OrderFigures>();
        while (await r.ReadAsync(ct)) figures[r.GetString(0)] = new OrderFigures(r.GetDecimal(1), r.GetDecimal(2), (int)r.GetInt64(3));
        return figures;
    }

    public async Task<(decimal Outstanding, OrderFigures Orders)> Figures(string customerId, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var cmd = new NpgsqlCommand($"""
            select coalesce((select sum(sales + opening_balance + reversals - receipts - credit_notes) from {S}.daily_activity where customer_id = @id), 0),
                   coalesce(sum(amount) filter (where counted and status in ('approved', 'released')), 0),
                   coalesce(sum(amount) filter (where status = 'held'), 0),
                   count(*) filter (where status = 'held')
            from {S}.order_book where customer_id = @id
            """, conn);
        cmd.Parameters.AddWithValue("id", customerId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetDecimal(0), new OrderFigures(r.GetDecimal(1), r.GetDecimal(2), (int)r.GetInt64(3)));
    }

    /// <summary>Balance brought forward before <paramref name="from"/> and the lines up to <paramref name="to"/>, by business date.</summary>
    public async Task<(decimal Opening, IReadOnlyList<StatementLine> Lines)> Statement(string customerId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var cmd = new NpgsqlCommand($"""
            select coalesce(sum(debit - credit), 0) from {S}.ledger_entries where customer_id = @id and business_date < @from;
            select business_date, entry_type, document_id, debit, credit from {S}.ledger_entries
            where customer_id = @id and business_date between @from and @to order by business_date, seq_id;
            """, conn);
        cmd.Parameters.AddWithValue("id", customerId);
        cmd.Parameters.AddWithValue("from", from);
        cmd.Parameters.AddWithValue("to", to);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        var opening = r.GetDecimal(0);
        await r.NextResultAsync(ct);
        var lines = new List<StatementLine>();
        var running = opening;
        while (await r.ReadAsync(ct))
        {
            var (debit, credit) = (r.GetDecimal(3), r.GetDecimal(4));
            running += debit - credit;
            lines.Add(new StatementLine(r.GetFieldValue<DateOnly>(0), r.GetString(1), r.GetString(2), debit, credit, running));
        }
        return (opening, lines);
    }

    /// <summary>The controllers' queue: held orders in one state, oldest hold first.</summary>
    public async Task<IReadOnlyList<HoldRow>> Holds(string status, CancellationToken ct)
    {
        await using var conn = await Open(ct);
        await using var cmd = new NpgsqlCommand($"""
            select h.customer_id, c.name, c.assigned_to, h.order_id, h.amount, h.ordered_on, h.reasons, h.held_at, h.held_by, h.status,
                   h.resolved_at, h.resolved_by, h.resolution, h.order_status
            from {S}.holds h join {S}.customers c using (customer_id)
            where h.status = @status order by h.held_at, h.customer_id, h.order_id
            """, conn);
        cmd.Parameters.AddWithValue("status", status);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<HoldRow>();
        while (await r.ReadAsync(ct))
            list.Add(new HoldRow(r.GetString(0), r.GetString(1), r.GetFieldValue<string[]>(2), r.GetString(3), r.GetDecimal(4),
                r.GetFieldValue<DateOnly>(5), r.GetFieldValue<string[]>(6), r.GetFieldValue<DateTimeOffset>(7), r.IsDBNull(8) ? null : r.GetString(8),
                r.GetString(9), r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10), r.IsDBNull(11) ? null : r.GetString(11),
                r.IsDBNull(12) ? null : r.GetString(12), r.GetString(13)));
        return list;
    }

    /// <summary>Waits (up to a few seconds) until the reporting tables have seen the customer's latest event;
    /// answers with the customer's row as last read (null if the projection has not seen the customer).</summary>
    public async Task<ReportedCustomer?> CaughtUp(string customerId, CancellationToken ct)
    {
        var latest = await LatestSequence(customerId, ct) ?? 0;
        var deadline = DateTime.UtcNow.AddSeconds(3);
        while (true)
        {
            var customer = (await Customers(customerId, ct)).FirstOrDefault();
            if ((customer?.LastSequence ?? 0) >= latest || DateTime.UtcNow > deadline) return customer;
            await Task.Delay(20, ct);
        }
    }
}

/// <summary>A read of the reporting tables while a rebuild refills them.</summary>
public sealed class ReadModelsRebuildingException() : InvalidOperationException("The read models are being rebuilt.");
