using Credit.Domain.Accounts;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace Credit.Projections.Reporting;

/// <summary>
/// Keeps the credit_reporting tables: a ledger for statements, installment movements for open items and
/// aging at any date, and order movements; with the ledger they make each customer's daily series (DSO,
/// average balances). It works a page of events at a time: the page is folded in memory into rows, then
/// written with one set-based statement per kind of row (arrays unnested), in an order where each statement
/// sees the rows the earlier ones wrote. What an event does not carry (a reversed payment's amount, an order's
/// amount when it is released) is read back in SQL from these same tables. Every row is keyed by the event's
/// sequence, so applying a page twice changes nothing.
/// </summary>
public sealed class ReportingProjection(TimeZoneInfo zone) : IProjection
{
    public const string ProjectionName = "Reporting";
    private const string S = ReportingTables.Schema;

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var page = new Page(zone);
        foreach (var e in events) page.Add(e);
        page.Write(operations);
        return Task.CompletedTask;
    }

    /// <summary>The business date of a change that carries no document date: the day it was recorded, in the business's zone.</summary>
    internal static DateOnly BusinessDateOf(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    private sealed class Page(TimeZoneInfo zone)
    {
        private readonly Dictionary<string, (long Seq, CustomerProfile Profile)> _profiles = new();
        private readonly Dictionary<string, LimitSet> _limits = new();
        private readonly Dictionary<string, (bool OnHold, string? Reason)> _holds = new();
        private readonly Dictionary<string, (long Seq, DateTimeOffset At, DateOnly? FirstDocument)> _seen = new();
        private readonly Rows _limitChanges = new(), _ledger = new(), _items = new(), _settlements = new(), _reversals = new(),
            _newOrders = new(), _ordersIn = new(), _ordersOut = new();
        // The last state of each order touched in this page: its status, its hold's outcome, and a hold begun again.
        private readonly Dictionary<(string Customer, string Order), OrderChange> _orders = new();
        private readonly List<(string Customer, string Order)> _orderTouchOrder = [];
        // Releases by the system a controller made theirs (the latest in the page).
        private readonly Dictionary<(string Customer, string Order), (string By, string Reason)> _confirmed = new();
        // The rules that hold an order now, changed on a re-check (the latest in the page).
        private readonly Dictionary<(string Customer, string Order), (string[] Reasons, string[] Warnings)> _reasonsNow = new();

        private DateOnly BusinessDateOf(IEvent e) => ReportingProjection.BusinessDateOf(e.Timestamp, zone);

        public void Add(IEvent e)
        {
            var id = e.StreamKey!;
            DateOnly? document = null;
            switch (e.Data)
            {
                case AccountOpened x:
                    _profiles[id] = (e.Sequence, x.Profile);
                    // The opening's limit (none until a LimitSet of the same command says otherwise): what statistics take
                    // for the days of a migrated history before it.
                    _limitChanges.Add(e.Sequence, id, BusinessDateOf(e), null, false, null);
                    break;
                case ProfileUpdated x: _profiles[id] = (e.Sequence, x.Profile); break;
                case LimitSet x:
                    _limits[id] = x;
                    _limitChanges.Add(e.Sequence, id, BusinessDateOf(e), x.Amount, x.Unlimited, x.ExpiresOn);
                    break;
                case AccountHeld x: _holds[id] = (true, x.Reason); break;
                case AccountUnheld: _holds[id] = (false, null); break;
                case OpeningBalanceRecorded x:
                    document = x.AsOf;
                    _ledger.Add(e.Sequence, id, x.AsOf, "opening-balance", Receivable.OpeningBalanceId, x.Amount, 0m, e.Timestamp);
                    _items.Add(e.Sequence, id, Receivable.OpeningBalanceId, 1, x.DueOn, x.AsOf, Receivable.OpeningBalanceId, x.Amount, SourceTypes.OpeningBalance);
                    break;
                case InvoiceIssued x:
                    document = x.IssuedOn;
                    _ledger.Add(e.Sequence, id, x.IssuedOn, "invoice", x.InvoiceId, x.Amount, 0m, e.Timestamp);
                    for (var n = 0; n < x.Installments.Count; n++)
                        _items.Add(e.Sequence, id, x.InvoiceId, n + 1, x.Installments[n].DueOn, x.IssuedOn, x.InvoiceId, x.Installments[n].Amount, SourceTypes.Invoice);
                    if (x.OrderId is not null) OrderLeaves(e, id, x.OrderId, x.IssuedOn, "invoiced", null, null);
                    break;
                case PaymentReceived x:
                    document = x.ReceivedOn;
                    _ledger.Add(e.Sequence, id, x.ReceivedOn, "payment", x.PaymentId, 0m, x.Amount, e.Timestamp);
                    foreach (var s in x.Settlements) _settlements.Add(e.Sequence, id, s.DocumentId, s.Installment, x.ReceivedOn, x.PaymentId, -s.Amount, SourceTypes.Payment);
                    break;
                case PaymentReversed x:
                    _reversals.Add(e.Sequence, id, x.PaymentId, x.ReversedOn, e.Timestamp);
                    break;
                case CreditNoteIssued x:
                    document = x.IssuedOn; // a document like any other: the account's first may be a credit note
                    _ledger.Add(e.Sequence, id, x.IssuedOn, "credit-note", x.CreditNoteId, 0m, x.Amount, e.Timestamp);
                    foreach (var s in x.Settlements) _settlements.Add(e.Sequence, id, s.DocumentId, s.Installment, x.IssuedOn, x.CreditNoteId, -s.Amount, SourceTypes.CreditNote);
                    break;
                case CreditApplied x: // no ledger row: the balance does not move, only which items are open
                    foreach (var s in x.Settlements) _settlements.Add(e.Sequence, id, s.DocumentId, s.Installment, x.AppliedOn, x.SourceId, -s.Amount, SourceTypes.Of(x.Source));
                    break;
                case OrderApproved x:
                    _newOrders.Add(id, x.OrderId, x.Amount, "approved", x.OrderedOn, Array.Empty<string>(), x.Warnings.ToArray(), null, null, CountedNow(id));
                    Touch(id, x.OrderId, "approved", null);
                    _ordersIn.Add(e.Sequence, id, x.OrderId, x.OrderedOn);
                    break;
                case OrderHeld x:
                    _newOrders.Add(id, x.OrderId, x.Amount, "held", x.OrderedOn, x.Reasons.ToArray(), x.Warnings.ToArray(), e.Timestamp, e.UserName, CountedNow(id));
                    Touch(id, x.OrderId, "held", "pending");
                    break;
                case HoldReleased x:
                    Resolve(e, id, x.OrderId, "released", x.Reason, x.By);
                    _ordersIn.Add(e.Sequence, id, x.OrderId, BusinessDateOf(e));
                    break;
                case OrderRejected x:
                    Resolve(e, id, x.OrderId, "rejected", x.Reason, e.UserName);
                    break;
                case OrderCancelled x:
                    OrderLeaves(e, id, x.OrderId, BusinessDateOf(e), "cancelled", x.Reason, e.UserName);
                    break;
                case OrderHeldAgain x:
                    OrderLeaves(e, id, x.OrderId, BusinessDateOf(e), "held", null, null);
                    // A new hold on the same row: pending again, with the reasons that hold it now and no outcome yet.
                    _orders[(id, x.OrderId)] = new OrderChange("held", "pending", null, null, null,
                        new HoldAgain(e.Timestamp, Credit.Domain.Orders.OrderDecisions.SystemUser, [.. x.Reasons], [.. x.Warnings]));
                    _reasonsNow.Remove((id, x.OrderId)); // older than the hold begun again, which carries its own
                    break;
                case ReleaseConfirmed x:
                    // The system's release made the controller's: theirs to answer for in the queue (written after the outcome);
                    // resolved_at stays the release's, which the wait (ageDays) runs to.
                    _confirmed[(id, x.OrderId)] = (x.By, x.Reason);
                    break;
                case HoldReasonsChanged x:
                    // On a hold begun again in this page, it replaces that hold's reasons; else it is written after it.
                    if (_orders.TryGetValue((id, x.OrderId), out var change) && change.Again is { } again)
                        _orders[(id, x.OrderId)] = change with { Again = again with { Reasons = [.. x.Reasons], Warnings = [.. x.Warnings] } };
                    else _reasonsNow[(id, x.OrderId)] = ([.. x.Reasons], [.. x.Warnings]);
                    break;
            }
            var seen = _seen.TryGetValue(id, out var had) ? had : (Seq: 0L, At: e.Timestamp, FirstDocument: (DateOnly?)null);
            var first = document is { } d && (seen.FirstDocument is null || d < seen.FirstDocument) ? d : seen.FirstDocument;
            _seen[id] = (Math.Max(seen.Seq, e.Sequence), e.Timestamp, first);
        }

        /// <summary>
        /// Whether an order placed now counts (no bypass at this moment): known from a profile earlier in this page,
        /// else null and the customers table decides, read before this page's profiles are written.
        /// </summary>
        private bool? CountedNow(string customer) =>
            _profiles.TryGetValue(customer, out var p) ? !p.Profile.BypassCreditCheckAtOrder : null;

        private void Touch(string customer, string order, string status, string? hold)
        {
            var key = (customer, order);
            if (!_orders.ContainsKey(key)) _orderTouchOrder.Add(key);
            var before = _orders.GetValueOrDefault(key) ?? OrderChange.None;
            _orders[key] = before with { Status = status, Hold = hold ?? before.Hold };
        }

        private void Resolve(IEvent e, string customer, string order, string status, string reason, string? by)
        {
            var key = (customer, order);
            if (!_orders.ContainsKey(key)) _orderTouchOrder.Add(key);
            // The outcome lands on the hold only if it is still pending (decided in SQL): an approved order has none.
            // A hold is resolved once: an outcome already met in this page (released, then cancelled) stays.
            var before = _orders.GetValueOrDefault(key) ?? OrderChange.None;
            _orders[key] = before.Resolved
                ? before with { Status = status }
                : before with { Status = status, Hold = status, ResolvedAt = e.Timestamp, ResolvedBy = by, Resolution = reason };
        }

        /// <summary>An order stops counting: invoiced or cancelled. Whether it counted just before is known if this
        /// page saw its earlier state, else the table's status decides.</summary>
        private void OrderLeaves(IEvent e, string customer, string order, DateOnly on, string status, string? reason, string? by)
        {
            var key = (customer, order);
            bool? wasOpen = _orders.TryGetValue(key, out var known) ? known!.Status is "approved" or "released" : null;
            _ordersOut.Add(e.Sequence, customer, order, on, wasOpen);
            if (status == "cancelled") Resolve(e, customer, order, status, reason!, by);
            else Touch(customer, order, status, null);
        }

        public void Write(IDocumentOperations ops)
        {
            // Before the profiles: an order whose bypass this page did not see counts by the flag as it stood before the page.
            if (_newOrders.Count > 0)
                ops.QueueSqlCommand($"""
                    insert into {S}.order_book (customer_id, order_id, amount, counted, status, ordered_on, reasons, warnings, held_at, held_by, hold_status)
                    select u.customer, u.order_id, u.amount, coalesce(u.counted, not coalesce(c.bypass_order_check, false)), u.status, u.ordered_on,
                           string_to_array(u.reasons, chr(31)), string_to_array(u.warnings, chr(31)), u.held_at, u.held_by,
                           case when u.status = 'held' then 'pending' end
                    from unnest(?::varchar[], ?::varchar[], ?::numeric[], ?::varchar[], ?::date[], ?::text[], ?::text[], ?::timestamptz[], ?::varchar[], ?::boolean[])
                        as u(customer, order_id, amount, status, ordered_on, reasons, warnings, held_at, held_by, counted)
                    left join {S}.customers c on c.customer_id = u.customer
                    on conflict do nothing
                    """, _newOrders.Columns());
            if (_profiles.Count > 0)
            {
                var p = _profiles.ToList();
                ops.QueueSqlCommand($"""
                    insert into {S}.customers (customer_id, name, group_id, currency, bypass_order_check, customer_since, stated_since, assigned_to)
                    select u.id, u.name, u.grp, u.cur, u.bypass, u.since, u.since, string_to_array(u.assigned, chr(31))
                    from unnest(?::varchar[], ?::text[], ?::varchar[], ?::varchar[], ?::boolean[], ?::date[], ?::text[]) as u(id, name, grp, cur, bypass, since, assigned)
                    on conflict (customer_id) do update set name = excluded.name, group_id = excluded.group_id, currency = excluded.currency,
                        bypass_order_check = excluded.bypass_order_check, assigned_to = excluded.assigned_to,
                        stated_since = excluded.stated_since,
                        customer_since = coalesce(excluded.stated_since, {S}.customers.first_document_on)
                    """,
                    p.Select(x => x.Key).ToArray(), p.Select(x => x.Value.Profile.Name).ToArray(), p.Select(x => x.Value.Profile.GroupId).ToArray(),
                    p.Select(x => x.Value.Profile.Currency).ToArray(), p.Select(x => x.Value.Profile.BypassCreditCheckAtOrder).ToArray(),
                    p.Select(x => x.Value.Profile.CustomerSince).ToArray(), p.Select(x => string.Join('\u001f', x.Value.Profile.AssignedTo)).ToArray());
            }
            if (_limits.Count > 0)
            {
                var l = _limits.ToList();
                ops.QueueSqlCommand($"""
                    update {S}.customers c set credit_limit = u.amount, unlimited_credit = u.unlimited, credit_limit_expires_on = u.expires
                    from unnest(?::varchar[], ?::numeric[], ?::boolean[], ?::date[]) as u(id, amount, unlimited, expires) where c.customer_id = u.id
                    """, l.Select(x => x.Key).ToArray(), l.Select(x => x.Value.Amount).ToArray(), l.Select(x => x.Value.Unlimited).ToArray(),
                    l.Select(x => x.Value.ExpiresOn).ToArray());
            }
            if (_holds.Count > 0)
            {
                var h = _holds.ToList();
                ops.QueueSqlCommand($"""
                    update {S}.customers c set on_hold = u.held, hold_reason = u.reason
                    from unnest(?::varchar[], ?::boolean[], ?::text[]) as u(id, held, reason) where c.customer_id = u.id
                    """, h.Select(x => x.Key).ToArray(), h.Select(x => x.Value.OnHold).ToArray(), h.Select(x => x.Value.Reason).ToArray());
            }
            if (_limitChanges.Count > 0)
                ops.QueueSqlCommand($"""
                    insert into {S}.limit_changes (seq_id, customer_id, business_date, amount, unlimited, expires_on)
                    select * from unnest(?::bigint[], ?::varchar[], ?::date[], ?::numeric[], ?::boolean[], ?::date[]) on conflict do nothing
                    """, _limitChanges.Columns());
            if (_ledger.Count > 0)
                ops.QueueSqlCommand($"""
                    insert into {S}.ledger_entries (seq_id, customer_id, business_date, entry_type, document_id, debit, credit, recorded_at)
                    select * from unnest(?::bigint[], ?::varchar[], ?::date[], ?::varchar[], ?::varchar[], ?::numeric[], ?::numeric[], ?::timestamptz[])
                    on conflict do nothing
                    """, _ledger.Columns());
            if (_items.Count > 0)
                ops.QueueSqlCommand($"""
                    insert into {S}.item_movements (seq_id, customer_id, document_id, installment, due_on, business_date, source_id, amount, source_type)
                    select * from unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::int[], ?::date[], ?::date[], ?::varchar[], ?::numeric[], ?::varchar[])
                    on conflict do nothing
                    """, _items.Columns());
            if (_settlements.Count > 0)
                // The installment's due date comes from the row its invoice (or opening balance) wrote.
                ops.QueueSqlCommand($"""
                    insert into {S}.item_movements (seq_id, customer_id, document_id, installment, due_on, business_date, source_id, amount, source_type)
                    select u.seq, u.customer, u.doc, u.inst, m.due_on, u.on_date, u.source, u.amount, u.kind
                    from unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::int[], ?::date[], ?::varchar[], ?::numeric[], ?::varchar[])
                        as u(seq, customer, doc, inst, on_date, source, amount, kind)
                    join {S}.item_movements m on m.customer_id = u.customer and m.document_id = u.doc and m.installment = u.inst
                        and m.source_id = m.document_id
                    on conflict do nothing
                    """, _settlements.Columns());
            if (_reversals.Count > 0)
            {
                // A reversal mirrors the payment's own rows: its ledger credit and what it settled.
                var cols = _reversals.Columns();
                ops.QueueSqlCommand($"""
                    insert into {S}.ledger_entries (seq_id, customer_id, business_date, entry_type, document_id, debit, credit, recorded_at)
                    select u.seq, l.customer_id, u.on_date, 'payment-reversal', l.document_id, l.credit, 0, u.at
                    from unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::date[], ?::timestamptz[]) as u(seq, customer, payment, on_date, at)
                    join {S}.ledger_entries l on l.customer_id = u.customer and l.document_id = u.payment and l.entry_type = 'payment'
                    on conflict do nothing
                    """, cols);
                // A payment may have settled an installment in pieces (on receipt, then as credit applied after another
                // payment bounced): the reversal reopens each on its own date, never before it was settled (credit applied
                // to an invoice issued after the reversal's date is not reopened before the invoice existed), one row per
                // installment and date.
                ops.QueueSqlCommand($"""
                    insert into {S}.item_movements (seq_id, customer_id, document_id, installment, due_on, business_date, source_id, amount, source_type)
                    select u.seq, m.customer_id, m.document_id, m.installment, min(m.due_on), greatest(u.on_date, m.business_date),
                           u.payment || '~reversal', -sum(m.amount), '{SourceTypes.PaymentReversal}'
                    from unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::date[], ?::timestamptz[]) as u(seq, customer, payment, on_date, at)
                    join {S}.item_movements m on m.customer_id = u.customer and m.source_id = u.payment and m.amount < 0
                        and m.source_type is distinct from '{SourceTypes.CreditNote}' -- a credit note of the same id is not the payment
                    group by u.seq, m.customer_id, m.document_id, m.installment, greatest(u.on_date, m.business_date), u.payment
                    on conflict do nothing
                    """, cols);
            }
            if (_ordersIn.Count > 0)
                ops.QueueSqlCommand($"""
                    insert into {S}.order_movements (seq_id, customer_id, business_date, order_id, amount)
                    select u.seq, u.customer, u.on_date, u.order_id, o.amount
                    from unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::date[]) as u(seq, customer, order_id, on_date)
                    join {S}.order_book o on o.customer_id = u.customer and o.order_id = u.order_id and o.counted
                    on conflict do nothing
                    """, _ordersIn.Columns());
            if (_ordersOut.Count > 0)
                ops.QueueSqlCommand($"""
                    insert into {S}.order_movements (seq_id, customer_id, business_date, order_id, amount)
                    -- Never before it came in: a released order invoiced with an earlier (backdated) date left the book on
                    -- the day it entered, not before it (open orders went negative in the history).
                    select u.seq, u.customer,
                           greatest(u.on_date, (select max(m.business_date) from {S}.order_movements m
                                                where m.customer_id = u.customer and m.order_id = u.order_id and m.amount > 0)),
                           u.order_id, -o.amount
                    from unnest(?::bigint[], ?::varchar[], ?::varchar[], ?::date[], ?::boolean[]) as u(seq, customer, order_id, on_date, was_open)
                    join {S}.order_book o on o.customer_id = u.customer and o.order_id = u.order_id and o.counted
                    where coalesce(u.was_open, o.status in ('approved', 'released'))
                    on conflict do nothing
                    """, _ordersOut.Columns());
            if (_orderTouchOrder.Count > 0)
            {
                var o = _orderTouchOrder.Select(k => (k, v: _orders[k])).ToList();
                // An outcome lands on a hold still pending; a hold begun again in this page replaces the row's hold whole.
                ops.QueueSqlCommand($"""
                    update {S}.order_book b set status = u.status,
                        hold_status = case when u.again then u.outcome when b.hold_status = 'pending' and u.outcome is not null then u.outcome else b.hold_status end,
                        resolved_at = case when u.again or (b.hold_status = 'pending' and u.outcome is not null) then u.at else b.resolved_at end,
                        resolved_by = case when u.again or (b.hold_status = 'pending' and u.outcome is not null) then u.by_user else b.resolved_by end,
                        resolution = case when u.again or (b.hold_status = 'pending' and u.outcome is not null) then u.reason else b.resolution end,
                        held_at = case when u.again then u.held_at else b.held_at end,
                        held_by = case when u.again then u.held_by else b.held_by end,
                        reasons = case when u.again then string_to_array(u.reasons, chr(31)) else b.reasons end,
                        warnings = case when u.again then string_to_array(u.warnings, chr(31)) else b.warnings end
                    from unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::timestamptz[], ?::varchar[], ?::text[],
                                ?::boolean[], ?::timestamptz[], ?::varchar[], ?::text[], ?::text[])
                        as u(customer, order_id, status, outcome, at, by_user, reason, again, held_at, held_by, reasons, warnings)
                    where b.customer_id = u.customer and b.order_id = u.order_id
                    """,
                    o.Select(x => x.k.Customer).ToArray(), o.Select(x => x.k.Order).ToArray(), o.Select(x => x.v.Status).ToArray(),
                    o.Select(x => x.v.Again is not null || x.v.Resolved ? x.v.Hold : null).ToArray(),
                    o.Select(x => x.v.ResolvedAt).ToArray(), o.Select(x => x.v.ResolvedBy).ToArray(), o.Select(x => x.v.Resolution).ToArray(),
                    o.Select(x => x.v.Again is not null).ToArray(), o.Select(x => x.v.Again?.At).ToArray(), o.Select(x => x.v.Again?.By).ToArray(),
                    o.Select(x => x.v.Again is { } a ? string.Join('\u001f', a.Reasons) : null).ToArray(),
                    o.Select(x => x.v.Again is { } a ? string.Join('\u001f', a.Warnings) : null).ToArray());
            }
            if (_reasonsNow.Count > 0)
            {
                var rows = new Rows();
                foreach (var ((customer, order), (reasons, warnings)) in _reasonsNow) rows.Add(customer, order, reasons, warnings);
                ops.QueueSqlCommand($"""
                    update {S}.order_book b set reasons = string_to_array(u.reasons, chr(31)), warnings = string_to_array(u.warnings, chr(31))
                    from unnest(?::varchar[], ?::varchar[], ?::text[], ?::text[]) as u(customer, order_id, reasons, warnings)
                    where b.customer_id = u.customer and b.order_id = u.order_id
                    """, rows.Columns());
            }
            if (_confirmed.Count > 0)
            {
                var rows = new Rows();
                foreach (var ((customer, order), (by, reason)) in _confirmed) rows.Add(customer, order, by, reason);
                ops.QueueSqlCommand($"""
                    update {S}.order_book b set resolved_by = u.by_user, resolution = u.reason
                    from unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::text[]) as u(customer, order_id, by_user, reason)
                    where b.customer_id = u.customer and b.order_id = u.order_id and b.hold_status = 'released'
                    """, rows.Columns());
            }
            if (_seen.Count > 0)
            {
                var s = _seen.ToList();
                ops.QueueSqlCommand($"""
                    update {S}.customers c set last_seq_id = greatest(c.last_seq_id, u.seq), updated_at = u.at,
                        first_document_on = least(c.first_document_on, u.first_doc),
                        customer_since = coalesce(c.stated_since, least(c.first_document_on, u.first_doc))
                    from unnest(?::varchar[], ?::bigint[], ?::timestamptz[], ?::date[]) as u(id, seq, at, first_doc) where c.customer_id = u.id
                    """, s.Select(x => x.Key).ToArray(), s.Select(x => x.Value.Seq).ToArray(), s.Select(x => x.Value.At).ToArray(),
                    s.Select(x => x.Value.FirstDocument).ToArray());
            }
        }
    }

    /// <summary>A hold begun again (<see cref="OrderHeldAgain"/>): when, by whom, and the reasons that hold it now.</summary>
    private sealed record HoldAgain(DateTimeOffset At, string? By, string[] Reasons, string[] Warnings);

    /// <summary>An order as this page leaves it: status, its hold's state and outcome, and a hold begun again.</summary>
    private sealed record OrderChange(string Status, string? Hold, DateTimeOffset? ResolvedAt, string? ResolvedBy, string? Resolution,
        HoldAgain? Again = null)
    {
        public static readonly OrderChange None = new("", null, null, null, null);

        /// <summary>A hold is resolved once: an outcome met earlier in the page (released, then cancelled) stays.</summary>
        public bool Resolved => Hold is "released" or "rejected" or "cancelled";
    }

    /// <summary>Rows of one kind, kept column by column so each column goes to SQL as one array.</summary>
    private sealed class Rows
    {
        private readonly List<object?[]> _rows = [];
        public int Count => _rows.Count;
        public void Add(params object?[] row) => _rows.Add(row);

        public object[] Columns()
        {
            var width = _rows[0].Length;
            var columns = new object[width];
            for (var c = 0; c < width; c++)
            {
                var sample = _rows.Select(r => r[c]).FirstOrDefault(v => v is not null);
                columns[c] = sample switch
                {
                    long => _rows.Select(r => (long)r[c]!).ToArray(),
                    int => _rows.Select(r => (int)r[c]!).ToArray(),
                    decimal => _rows.Select(r => (decimal?)r[c]).ToArray(),
                    bool => _rows.Select(r => (bool?)r[c]).ToArray(),
                    DateOnly => _rows.Select(r => (DateOnly?)r[c]).ToArray(),
                    DateTimeOffset => _rows.Select(r => (DateTimeOffset?)r[c]).ToArray(),
                    _ => _rows.Select(r => r[c] switch { string[] a => string.Join('\u001f', a), var v => (string?)v }).ToArray(),
                };
            }
            return columns;
        }
    }
}
