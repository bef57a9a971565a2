using Credit.Domain.Accounts;

namespace Credit.Projections.Reporting;

/// <summary>An event as the replay needs it: the log's sequence, the customer (stream), when and by whom, the body.</summary>
public readonly record struct ReplayedEvent(long Sequence, string Customer, DateTimeOffset Timestamp, string? UserName, object Data);

public readonly record struct LedgerRow(long Seq, string Customer, DateOnly On, string Type, string Document, decimal Debit, decimal Credit, DateTimeOffset At);

public readonly record struct ItemRow(long Seq, string Customer, string Document, int Installment, DateOnly DueOn, DateOnly On, string Source, decimal Amount,
    string? SourceType);

public readonly record struct LimitRow(long Seq, string Customer, DateOnly On, decimal? Amount, bool Unlimited, DateOnly? ExpiresOn);

public readonly record struct OrderMovementRow(long Seq, string Customer, DateOnly On, string Order, decimal Amount);

public sealed class CustomerRow(string id)
{
    public string Id { get; } = id;
    public string Name { get; set; } = "";
    public string? GroupId { get; set; }
    public string Currency { get; set; } = "";
    public bool BypassOrderCheck { get; set; }
    /// <summary>As the account decides it: the stated date, else the first document's.</summary>
    public DateOnly? CustomerSince => StatedSince ?? FirstDocumentOn;
    public DateOnly? StatedSince { get; set; }
    public DateOnly? FirstDocumentOn { get; set; }
    public string[] AssignedTo { get; set; } = [];
    public decimal? CreditLimit { get; set; }
    public bool UnlimitedCredit { get; set; }
    public DateOnly? CreditLimitExpiresOn { get; set; }
    public bool OnHold { get; set; }
    public string? HoldReason { get; set; }
    public long LastSeq { get; set; }
    public DateTimeOffset? UpdatedAt { get; set; }
}

public sealed class OrderRow(string customer, string order)
{
    public string Customer { get; } = customer;
    public string Order { get; } = order;
    public decimal Amount { get; init; }
    public bool Counted { get; init; }
    /// <summary>The business date it came into the book (approved or released), which it never leaves before.</summary>
    public DateOnly? InOn { get; set; }
    public string Status { get; set; } = "";
    public DateOnly OrderedOn { get; init; }
    public string[] Reasons { get; set; } = [];
    public string[] Warnings { get; set; } = [];
    public DateTimeOffset? HeldAt { get; set; }
    public string? HeldBy { get; set; }
    public string? HoldStatus { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public string? ResolvedBy { get; set; }
    public string? Resolution { get; set; }
}

/// <summary>
/// The reporting tables folded in memory from a set of customers' events, each customer's in order: what
/// <see cref="ReportingProjection"/> writes, row for row, with its look-ups (an installment's due date, a payment's
/// settlements, an order's amount) answered from what this replay has already seen instead of from SQL. A full
/// rebuild uses it to bulk-load empty tables; the live projection stays the incremental path.
/// Insert-only rows (ledger, item and order movements, limit changes) are handed out as they are made
/// (<see cref="TakeRows"/>); customers and orders change until the end and are taken last.
/// </summary>
public sealed class ReportingReplay(TimeZoneInfo zone)
{
    private readonly Dictionary<string, CustomerRow> _customers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Customer, string Order), OrderRow> _orders = new();
    // Look-ups the live projection makes in SQL: an item's due date (from the row its document wrote), the rows a
    // source (payment, credit note) settled, a payment's ledger credit.
    private readonly Dictionary<(string Customer, string Document, int Installment), DateOnly> _dueOn = new();
    private readonly Dictionary<(string Customer, string Source), List<ItemRow>> _settledBy = new();
    private readonly Dictionary<(string Customer, string Payment), LedgerRow> _payments = new();

    private List<LedgerRow> _ledger = [];
    private List<ItemRow> _items = [];
    private List<LimitRow> _limits = [];
    private List<OrderMovementRow> _orderMovements = [];

    /// <summary>Insert-only rows made and not yet taken.</summary>
    public int PendingRows => _ledger.Count + _items.Count + _limits.Count + _orderMovements.Count;

    public IEnumerable<CustomerRow> Customers => _customers.Values;
    public IEnumerable<OrderRow> Orders => _orders.Values;

    /// <summary>The insert-only rows made since the last call; this replay keeps only what later look-ups need.</summary>
    public (List<LedgerRow> Ledger, List<ItemRow> Items, List<LimitRow> Limits, List<OrderMovementRow> OrderMovements) TakeRows()
    {
        var taken = (_ledger, _items, _limits, _orderMovements);
        (_ledger, _items, _limits, _orderMovements) = ([], [], [], []);
        return taken;
    }

    public void Apply(in ReplayedEvent e)
    {
        var id = e.Customer;
        _customers.TryGetValue(id, out var customer);
        DateOnly? document = null;
        switch (e.Data)
        {
            case AccountOpened x:
                customer = Profile(id, customer, x.Profile);
                _limits.Add(new LimitRow(e.Sequence, id, ReportingProjection.BusinessDateOf(e.Timestamp, zone), null, false, null)); // as the projection
                break;
            case ProfileUpdated x: customer = Profile(id, customer, x.Profile); break;
            case LimitSet x:
                if (customer is not null) (customer.CreditLimit, customer.UnlimitedCredit, customer.CreditLimitExpiresOn) = (x.Amount, x.Unlimited, x.ExpiresOn);
                _limits.Add(new LimitRow(e.Sequence, id, ReportingProjection.BusinessDateOf(e.Timestamp, zone), x.Amount, x.Unlimited, x.ExpiresOn));
                break;
            case AccountHeld x:
                if (customer is not null) (customer.OnHold, customer.HoldReason) = (true, x.Reason);
                break;
            case AccountUnheld:
                if (customer is not null) (customer.OnHold, customer.HoldReason) = (false, null);
                break;
            case OpeningBalanceRecorded x:
                document = x.AsOf;
                _ledger.Add(new LedgerRow(e.Sequence, id, x.AsOf, "opening-balance", Receivable.OpeningBalanceId, x.Amount, 0m, e.Timestamp));
                Item(new ItemRow(e.Sequence, id, Receivable.OpeningBalanceId, 1, x.DueOn, x.AsOf, Receivable.OpeningBalanceId, x.Amount, SourceTypes.OpeningBalance));
                break;
            case InvoiceIssued x:
                document = x.IssuedOn;
                _ledger.Add(new LedgerRow(e.Sequence, id, x.IssuedOn, "invoice", x.InvoiceId, x.Amount, 0m, e.Timestamp));
                for (var n = 0; n < x.Installments.Count; n++)
                    Item(new ItemRow(e.Sequence, id, x.InvoiceId, n + 1, x.Installments[n].DueOn, x.IssuedOn, x.InvoiceId, x.Installments[n].Amount, SourceTypes.Invoice));
                if (x.OrderId is not null) OrderLeaves(e, x.OrderId, x.IssuedOn, "invoiced", null, null);
                break;
            case PaymentReceived x:
                document = x.ReceivedOn;
                var payment = new LedgerRow(e.Sequence, id, x.ReceivedOn, "payment", x.PaymentId, 0m, x.Amount, e.Timestamp);
                _ledger.Add(payment);
                _payments.TryAdd((id, x.PaymentId), payment);
                Settle(e, x.Settlements, x.ReceivedOn, x.PaymentId, SourceTypes.Payment);
                break;
            case PaymentReversed x:
                // A reversal mirrors the payment's own rows: its ledger credit and what it settled.
                if (_payments.TryGetValue((id, x.PaymentId), out var paid))
                    _ledger.Add(new LedgerRow(e.Sequence, id, x.ReversedOn, "payment-reversal", paid.Document, paid.Credit, 0, e.Timestamp));
                // Each piece it settled reopened on its own date, never before it was settled, one row per installment and
                // date (as the live projection's SQL groups them).
                if (_settledBy.TryGetValue((id, x.PaymentId), out var settled))
                    foreach (var part in settled.GroupBy(m => (m.Document, m.Installment, On: m.On > x.ReversedOn ? m.On : x.ReversedOn)))
                        Item(new ItemRow(e.Sequence, id, part.Key.Document, part.Key.Installment, part.First().DueOn,
                            part.Key.On, x.PaymentId + "~reversal", -part.Sum(m => m.Amount), SourceTypes.PaymentReversal));
                break;
            case CreditNoteIssued x:
                document = x.IssuedOn; // a document like any other: the account's first may be a credit note
                _ledger.Add(new LedgerRow(e.Sequence, id, x.IssuedOn, "credit-note", x.CreditNoteId, 0m, x.Amount, e.Timestamp));
                Settle(e, x.Settlements, x.IssuedOn, x.CreditNoteId, SourceTypes.CreditNote);
                break;
            case CreditApplied x: // no ledger row: the balance does not move, only which items are open
                Settle(e, x.Settlements, x.AppliedOn, x.SourceId, SourceTypes.Of(x.Source));
                break;
            case OrderApproved x:
                NewOrder(customer, id, x.OrderId, x.Amount, "approved", x.OrderedOn, [], x.Warnings, null, null);
                OrderIn(e, x.OrderId, x.OrderedOn);
                break;
            case OrderHeld x:
                NewOrder(customer, id, x.OrderId, x.Amount, "held", x.OrderedOn, x.Reasons, x.Warnings, e.Timestamp, e.UserName);
                break;
            case HoldReleased x:
                Resolve(e, x.OrderId, "released", x.Reason, x.By);
                OrderIn(e, x.OrderId, ReportingProjection.BusinessDateOf(e.Timestamp, zone));
                break;
            case OrderRejected x:
                Resolve(e, x.OrderId, "rejected", x.Reason, e.UserName);
                break;
            case OrderCancelled x:
                OrderLeaves(e, x.OrderId, ReportingProjection.BusinessDateOf(e.Timestamp, zone), "cancelled", x.Reason, e.UserName);
                break;
            case OrderHeldAgain x:
                OrderLeaves(e, x.OrderId, ReportingProjection.BusinessDateOf(e.Timestamp, zone), "held", null, null);
                HoldAgain(e, x);
                break;
            case ReleaseConfirmed x when _orders.TryGetValue((id, x.OrderId), out var confirmed) && confirmed.HoldStatus == "released":
                (confirmed.ResolvedBy, confirmed.Resolution) = (x.By, x.Reason);
                break;
            case HoldReasonsChanged x when _orders.TryGetValue((id, x.OrderId), out var changed):
                (changed.Reasons, changed.Warnings) = ([.. x.Reasons], [.. x.Warnings]);
                break;
        }
        if (customer is null) return;
        customer.LastSeq = Math.Max(customer.LastSeq, e.Sequence);
        customer.UpdatedAt = e.Timestamp;
        if (document is { } d) customer.FirstDocumentOn = customer.FirstDocumentOn is { } first && first < d ? first : d;
    }

    private CustomerRow Profile(string id, CustomerRow? row, CustomerProfile p)
    {
        if (row is null) _customers[id] = row = new CustomerRow(id);
        row.Name = p.Name;
        row.GroupId = p.GroupId;
        row.Currency = p.Currency;
        row.BypassOrderCheck = p.BypassCreditCheckAtOrder;
        row.AssignedTo = [.. p.AssignedTo];
        row.StatedSince = p.CustomerSince;
        return row;
    }

    /// <summary>An item row; like the table's key (sequence, document, installment), the first of a key wins.</summary>
    private void Item(ItemRow row)
    {
        for (var i = _items.Count - 1; i >= 0 && _items[i].Seq == row.Seq; i--)
            if (_items[i].Document == row.Document && _items[i].Installment == row.Installment && _items[i].On == row.On) return;
        _items.Add(row);
        if (row.Source == row.Document) _dueOn.TryAdd((row.Customer, row.Document, row.Installment), row.DueOn);
        // What a payment settled, for its reversal (a credit note of the same id is not the payment, as the live SQL has it).
        if (row.Amount < 0 && row.SourceType != SourceTypes.CreditNote)
        {
            if (!_settledBy.TryGetValue((row.Customer, row.Source), out var rows)) _settledBy[(row.Customer, row.Source)] = rows = [];
            rows.Add(row);
        }
    }

    /// <summary>What a payment or credit note settled, at the installment's due date (unknown installments: no row).</summary>
    private void Settle(in ReplayedEvent e, IReadOnlyList<Settlement> settlements, DateOnly on, string source, string? sourceType)
    {
        foreach (var s in settlements)
            if (_dueOn.TryGetValue((e.Customer, s.DocumentId, s.Installment), out var due))
                Item(new ItemRow(e.Sequence, e.Customer, s.DocumentId, s.Installment, due, on, source, -s.Amount, sourceType));
    }

    /// <summary>A new order row; an order id seen before keeps its row and takes the new status.</summary>
    private void NewOrder(CustomerRow? customer, string id, string order, decimal amount, string status, DateOnly orderedOn,
        IReadOnlyList<string> reasons, IReadOnlyList<string> warnings, DateTimeOffset? heldAt, string? heldBy)
    {
        if (_orders.TryGetValue((id, order), out var existing))
        {
            existing.Status = status;
            return;
        }
        var row = new OrderRow(id, order)
        {
            Amount = amount, Counted = !(customer?.BypassOrderCheck ?? false), Status = status, OrderedOn = orderedOn,
            Reasons = [.. reasons], Warnings = [.. warnings], HeldAt = heldAt, HeldBy = heldBy,
            HoldStatus = status == "held" ? "pending" : null,
        };
        _orders[(id, order)] = row;
    }

    /// <summary>An order starts counting as exposure (approved, released): a movement of its amount, if it counts.</summary>
    private void OrderIn(in ReplayedEvent e, string order, DateOnly on)
    {
        if (!_orders.TryGetValue((e.Customer, order), out var o) || !o.Counted) return;
        o.InOn = on;
        _orderMovements.Add(new OrderMovementRow(e.Sequence, e.Customer, on, order, o.Amount));
    }

    /// <summary>An order stops counting (invoiced, cancelled): a movement back, if it counted until now.</summary>
    private void OrderLeaves(in ReplayedEvent e, string order, DateOnly on, string status, string? reason, string? by)
    {
        if (!_orders.TryGetValue((e.Customer, order), out var o)) return;
        if (o.Counted && o.Status is "approved" or "released")
            _orderMovements.Add(new OrderMovementRow(e.Sequence, e.Customer, o.InOn is { } came && came > on ? came : on, order, -o.Amount));
        if (status == "cancelled") Resolve(e, order, status, reason!, by);
        else o.Status = status;
    }

    /// <summary>A new hold on the order's row: pending again, with the reasons that hold it now and no outcome yet.</summary>
    private void HoldAgain(in ReplayedEvent e, OrderHeldAgain x)
    {
        if (!_orders.TryGetValue((e.Customer, x.OrderId), out var o)) return;
        (o.Reasons, o.Warnings, o.HeldAt, o.HeldBy, o.HoldStatus) = ([.. x.Reasons], [.. x.Warnings], e.Timestamp, Credit.Domain.Orders.OrderDecisions.SystemUser, "pending");
        (o.ResolvedAt, o.ResolvedBy, o.Resolution) = (null, null, null);
    }

    /// <summary>The order's new status; the outcome lands on its hold only if the hold is still pending.</summary>
    private void Resolve(in ReplayedEvent e, string order, string status, string reason, string? by)
    {
        if (!_orders.TryGetValue((e.Customer, order), out var o)) return;
        o.Status = status;
        if (o.HoldStatus != "pending") return;
        (o.HoldStatus, o.ResolvedAt, o.ResolvedBy, o.Resolution) = (status, e.Timestamp, by, reason);
    }
}
