using Credit.Domain.Accounts;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace Credit.Projections.Reporting;

/// <summary>
/// Keeps the credit_reporting tables: a ledger for statements, installment movements for open items and
/// aging at any date, and order movements; with the ledger they make each customer's daily series (DSO,
/// average balances). Every write is keyed by the event's sequence, so replaying an event changes nothing. What an
/// event does not carry (a reversed payment's amount, an order's amount when it is released) is read back
/// from these same tables, in the order the SQL was queued, so the projection needs no other state.
/// </summary>
public sealed partial class ReportingProjection : EventProjection
{
    public const string ProjectionName = "Reporting";
    private const string S = ReportingTables.Schema;
    private readonly TimeZoneInfo _zone;

    public ReportingProjection(TimeZoneInfo zone)
    {
        _zone = zone;
        Name = ProjectionName;
    }

    private DateOnly BusinessDateOf(IEvent e) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(e.Timestamp, _zone).DateTime);

    public void Project(IEvent<AccountOpened> e, IDocumentOperations ops)
    {
        SaveCustomer(e.StreamKey!, e.Data.Profile, ops);
        Seen(ops, e);
    }

    public void Project(IEvent<ProfileUpdated> e, IDocumentOperations ops)
    {
        SaveCustomer(e.StreamKey!, e.Data.Profile, ops);
        Seen(ops, e);
    }

    public void Project(IEvent<LimitSet> e, IDocumentOperations ops)
    {
        var (id, x) = (e.StreamKey!, e.Data);
        ops.QueueSqlCommand($"insert into {S}.limit_changes (seq_id, customer_id, business_date, amount, unlimited, expires_on) values (?, ?, ?, ?, ?, ?) on conflict do nothing",
            e.Sequence, id, BusinessDateOf(e), Nullable(x.Amount), x.Unlimited, Nullable(x.ExpiresOn));
        ops.QueueSqlCommand($"update {S}.customers set credit_limit = ?, unlimited_credit = ?, credit_limit_expires_on = ? where customer_id = ?",
            Nullable(x.Amount), x.Unlimited, Nullable(x.ExpiresOn), id);
        Seen(ops, e);
    }

    public void Project(IEvent<PaymentTermsSet> e, IDocumentOperations ops) => Seen(ops, e);

    public void Project(IEvent<AccountHeld> e, IDocumentOperations ops)
    {
        ops.QueueSqlCommand($"update {S}.customers set on_hold = true, hold_reason = ? where customer_id = ?", e.Data.Reason, e.StreamKey!);
        Seen(ops, e);
    }

    public void Project(IEvent<AccountUnheld> e, IDocumentOperations ops)
    {
        ops.QueueSqlCommand($"update {S}.customers set on_hold = false, hold_reason = null where customer_id = ?", e.StreamKey!);
        Seen(ops, e);
    }

    public void Project(IEvent<OpeningBalanceRecorded> e, IDocumentOperations ops)
    {
        var id = e.StreamKey!;
        Ledger(ops, e, id, e.Data.AsOf, "opening-balance", Receivable.OpeningBalanceId, e.Data.Amount, 0m);
        Movement(ops, e, id, Receivable.OpeningBalanceId, 1, e.Data.DueOn, e.Data.AsOf, Receivable.OpeningBalanceId, e.Data.Amount);
        CustomerSince(ops, id, e.Data.AsOf);
        Seen(ops, e);
    }

    public void Project(IEvent<InvoiceIssued> e, IDocumentOperations ops)
    {
        var (id, x) = (e.StreamKey!, e.Data);
        Ledger(ops, e, id, x.IssuedOn, "invoice", x.InvoiceId, x.Amount, 0m);
        for (var n = 0; n < x.Installments.Count; n++)
            Movement(ops, e, id, x.InvoiceId, n + 1, x.Installments[n].DueOn, x.IssuedOn, x.InvoiceId, x.Installments[n].Amount);
        CustomerSince(ops, id, x.IssuedOn);
        if (x.OrderId is not null) OrderLeavesExposure(ops, e, id, x.OrderId, x.IssuedOn, "invoiced");
        Seen(ops, e);
    }

    public void Project(IEvent<PaymentReceived> e, IDocumentOperations ops)
    {
        var (id, x) = (e.StreamKey!, e.Data);
        Ledger(ops, e, id, x.ReceivedOn, "payment", x.PaymentId, 0m, x.Amount);
        Settlements(ops, e, id, x.Settlements, x.ReceivedOn, x.PaymentId);
        CustomerSince(ops, id, x.ReceivedOn);
        Seen(ops, e);
    }

    public void Project(IEvent<PaymentReversed> e, IDocumentOperations ops)
    {
        var (id, x) = (e.StreamKey!, e.Data);
        // The payment's own rows say what it was and what it settled; the reversal mirrors them.
        ops.QueueSqlCommand($"""
            insert into {S}.ledger_entries (seq_id, customer_id, business_date, entry_type, document_id, debit, credit, recorded_at)
            select ?, customer_id, ?, 'payment-reversal', document_id, credit, 0, ? from {S}.ledger_entries
            where customer_id = ? and document_id = ? and entry_type = 'payment' on conflict do nothing
            """, e.Sequence, x.ReversedOn, e.Timestamp, id, x.PaymentId);
        ops.QueueSqlCommand($"""
            insert into {S}.item_movements (seq_id, customer_id, document_id, installment, due_on, business_date, source_id, amount)
            select ?, customer_id, document_id, installment, due_on, ?, ?, -amount from {S}.item_movements
            where customer_id = ? and source_id = ? and amount < 0 on conflict do nothing
            """, e.Sequence, x.ReversedOn, x.PaymentId + "~reversal", id, x.PaymentId);
        Seen(ops, e);
    }

    public void Project(IEvent<CreditNoteIssued> e, IDocumentOperations ops)
    {
        var (id, x) = (e.StreamKey!, e.Data);
        Ledger(ops, e, id, x.IssuedOn, "credit-note", x.CreditNoteId, 0m, x.Amount);
        Settlements(ops, e, id, x.Settlements, x.IssuedOn, x.CreditNoteId);
        Seen(ops, e);
    }

    public void Project(IEvent<OrderApproved> e, IDocumentOperations ops)
    {
        var (id, x) = (e.StreamKey!, e.Data);
        BookOrder(ops, e, id, x.OrderId, x.Amount, x.OrderedOn, "approved", [], x.Warnings);
        OrderEntersExposure(ops, e, id, x.OrderId, x.OrderedOn);
        Seen(ops, e);
    }

    public void Project(IEvent<OrderHeld> e, IDocumentOperations ops)
    {
        var x = e.Data;
        BookOrder(ops, e, e.StreamKey!, x.OrderId, x.Amount, x.OrderedOn, "held", x.Reasons, x.Warnings);
        Seen(ops, e);
    }

    public void Project(IEvent<HoldReleased> e, IDocumentOperations ops)
    {
        SetOrderStatus(ops, e.StreamKey!, e.Data.OrderId, "released");
        ResolveHold(ops, e, e.Data.OrderId, "released", e.Data.Reason, e.Data.By);
        OrderEntersExposure(ops, e, e.StreamKey!, e.Data.OrderId, BusinessDateOf(e));
        Seen(ops, e);
    }

    public void Project(IEvent<OrderRejected> e, IDocumentOperations ops)
    {
        SetOrderStatus(ops, e.StreamKey!, e.Data.OrderId, "rejected");
        ResolveHold(ops, e, e.Data.OrderId, "rejected", e.Data.Reason, e.UserName);
        Seen(ops, e);
    }

    public void Project(IEvent<OrderCancelled> e, IDocumentOperations ops)
    {
        OrderLeavesExposure(ops, e, e.StreamKey!, e.Data.OrderId, BusinessDateOf(e), "cancelled");
        ResolveHold(ops, e, e.Data.OrderId, "cancelled", e.Data.Reason, e.UserName);
        Seen(ops, e);
    }

    /// <summary>How far this customer's rows are: a reader waits for its own writes by comparing sequences.</summary>
    private static void Seen(IDocumentOperations ops, IEvent e) =>
        ops.QueueSqlCommand($"update {S}.customers set last_seq_id = greatest(last_seq_id, ?), updated_at = ? where customer_id = ?",
            e.Sequence, e.Timestamp, e.StreamKey!);

    private static object Nullable<T>(T? value) where T : struct => value is { } v ? v : DBNull.Value;

    private static void SaveCustomer(string id, CustomerProfile p, IDocumentOperations ops) =>
        ops.QueueSqlCommand($"""
            insert into {S}.customers (customer_id, name, group_id, currency, bypass_order_check, customer_since, assigned_to)
            values (?, ?, ?, ?, ?, ?, ?)
            on conflict (customer_id) do update set name = excluded.name, group_id = excluded.group_id, currency = excluded.currency,
                bypass_order_check = excluded.bypass_order_check, assigned_to = excluded.assigned_to,
                customer_since = coalesce(excluded.customer_since, {S}.customers.customer_since)
            """, id, p.Name, (object?)p.GroupId ?? DBNull.Value, p.Currency, p.BypassCreditCheckAtOrder, Nullable(p.CustomerSince), p.AssignedTo.ToArray());

    /// <summary>Without a stated customerSince, the first document's date.</summary>
    private static void CustomerSince(IDocumentOperations ops, string id, DateOnly on) =>
        ops.QueueSqlCommand($"update {S}.customers set customer_since = ? where customer_id = ? and (customer_since is null or customer_since > ?)",
            on, id, on);

    private static void Ledger(IDocumentOperations ops, IEvent e, string id, DateOnly on, string type, string document, decimal debit, decimal credit) =>
        ops.QueueSqlCommand($"insert into {S}.ledger_entries (seq_id, customer_id, business_date, entry_type, document_id, debit, credit, recorded_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
            e.Sequence, id, on, type, document, debit, credit, e.Timestamp);

    private static void Movement(IDocumentOperations ops, IEvent e, string id, string document, int installment, DateOnly dueOn, DateOnly on, string source, decimal amount) =>
        ops.QueueSqlCommand($"insert into {S}.item_movements (seq_id, customer_id, document_id, installment, due_on, business_date, source_id, amount) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing",
            e.Sequence, id, document, installment, dueOn, on, source, amount);

    private static void Settlements(IDocumentOperations ops, IEvent e, string id, IEnumerable<Settlement> settlements, DateOnly on, string source)
    {
        foreach (var s in settlements)
            ops.QueueSqlCommand($"""
                insert into {S}.item_movements (seq_id, customer_id, document_id, installment, due_on, business_date, source_id, amount)
                select ?, customer_id, document_id, installment, due_on, ?, ?, ? from {S}.item_movements
                where customer_id = ? and document_id = ? and installment = ? and source_id = document_id on conflict do nothing
                """, e.Sequence, on, source, -s.Amount, id, s.DocumentId, s.Installment);
    }

    /// <summary>A held order also enters the controllers' queue (hold_status pending) with who held it and when.</summary>
    private static void BookOrder(IDocumentOperations ops, IEvent e, string id, string orderId, decimal amount, DateOnly orderedOn,
        string status, IReadOnlyList<string> reasons, IReadOnlyList<string> warnings)
    {
        var held = status == "held";
        ops.QueueSqlCommand($"""
            insert into {S}.order_book (customer_id, order_id, amount, counted, status, ordered_on, reasons, warnings, held_at, held_by, hold_status)
            select ?, ?, ?, not coalesce((select bypass_order_check from {S}.customers where customer_id = ?), false), ?, ?, ?, ?, ?, ?, ?
            on conflict do nothing
            """, id, orderId, amount, id, status, orderedOn, reasons.ToArray(), warnings.ToArray(),
            held ? e.Timestamp : DBNull.Value, held ? (object?)e.UserName ?? DBNull.Value : DBNull.Value, held ? "pending" : DBNull.Value);
    }

    private static void ResolveHold(IDocumentOperations ops, IEvent e, string orderId, string outcome, string reason, string? by) =>
        ops.QueueSqlCommand($"""
            update {S}.order_book set hold_status = ?, resolved_at = ?, resolved_by = ?, resolution = ?
            where customer_id = ? and order_id = ? and hold_status = 'pending'
            """, outcome, e.Timestamp, (object?)by ?? DBNull.Value, reason, e.StreamKey!, orderId);

    private static void SetOrderStatus(IDocumentOperations ops, string id, string orderId, string status) =>
        ops.QueueSqlCommand($"update {S}.order_book set status = ? where customer_id = ? and order_id = ?", status, id, orderId);

    /// <summary>An approved or released order counts as exposure (unless the customer bypasses order checks).</summary>
    private static void OrderEntersExposure(IDocumentOperations ops, IEvent e, string id, string orderId, DateOnly on) =>
        ops.QueueSqlCommand($"""
            insert into {S}.order_movements (seq_id, customer_id, business_date, order_id, amount)
            select ?, customer_id, ?, order_id, amount from {S}.order_book where customer_id = ? and order_id = ? and counted
            on conflict do nothing
            """, e.Sequence, on, id, orderId);

    private static void OrderLeavesExposure(IDocumentOperations ops, IEvent e, string id, string orderId, DateOnly on, string status)
    {
        ops.QueueSqlCommand($"""
            insert into {S}.order_movements (seq_id, customer_id, business_date, order_id, amount)
            select ?, customer_id, ?, order_id, -amount from {S}.order_book
            where customer_id = ? and order_id = ? and counted and status in ('approved', 'released')
            on conflict do nothing
            """, e.Sequence, on, id, orderId);
        SetOrderStatus(ops, id, orderId, status);
    }
}
