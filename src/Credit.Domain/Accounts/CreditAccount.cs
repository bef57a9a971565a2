using Credit.Domain.Decisions;
namespace Credit.Domain.Accounts;

public enum OrderStatus { Approved, Held, Released, Rejected, Cancelled, Invoiced }

public sealed class InstallmentState
{
    public int No { get; set; }
    public DateOnly DueOn { get; set; }
    public decimal Amount { get; set; }
    /// <summary>Settled by payments and credit notes together.</summary>
    public decimal Settled { get; set; }
    /// <summary>The part of <see cref="Settled"/> credit notes settled: shown apart from what was paid.</summary>
    public decimal CreditSettled { get; set; }
    public decimal Open => Amount - Settled;
}

/// <summary>An invoice or the opening balance: something the customer owes, due in one or more installments.</summary>
public sealed class Receivable
{
    public const string OpeningBalanceId = "opening-balance";

    public string Id { get; set; } = "";
    public decimal Amount { get; set; }
    public DateOnly IssuedOn { get; set; }
    public DateOnly DueOn { get; set; }
    public string? OrderId { get; set; }
    public long Sequence { get; set; }
    public RequestFingerprint Fingerprint { get; set; }
    public List<InstallmentState> Installments { get; set; } = [];
    public IReadOnlyList<string> Warnings { get; set; } = [];
    public CreditOverride? Override { get; set; }
    /// <summary>Credit notes raised against this invoice: together they may not exceed its amount.</summary>
    public decimal Credited { get; set; }
    /// <summary>What credit notes settled on it, directly or as credit on account: shown apart from what was paid.</summary>
    public decimal CreditSettled => Installments.Sum(i => i.CreditSettled);
    public decimal Open => Installments.Sum(i => i.Open);
}

public sealed class OrderState
{
    public string Id { get; set; } = "";
    public decimal Amount { get; set; }
    public DateOnly OrderedOn { get; set; }
    public PaymentTerms? PaymentTerms { get; set; }
    public OrderStatus Status { get; set; }
    public long Sequence { get; set; }
    public RequestFingerprint Fingerprint { get; set; }
    /// <summary>As placed: a repeated create answers with these, whatever became of the order.</summary>
    public IReadOnlyList<string> Reasons { get; set; } = [];
    public IReadOnlyList<string> Warnings { get; set; } = [];
    /// <summary>What holds it now, when a later check changed it (held again after a bounced payment, re-checked when the
    /// position improved); null: as placed.</summary>
    public IReadOnlyList<string>? ReasonsNow { get; set; }
    public IReadOnlyList<string>? WarningsNow { get; set; }
    public IReadOnlyList<string> CurrentReasons => ReasonsNow ?? Reasons;
    public IReadOnlyList<string> CurrentWarnings => WarningsNow ?? Warnings;
    /// <summary>
    /// Placed under the bypass (ERPNext's "bypass credit limit check at sales order"): never checked against the limits,
    /// so never counted as exposure, and checked in full when invoiced. Fixed at placement, so turning the bypass off
    /// later neither counts such orders nor lets them be invoiced unchecked.
    /// </summary>
    public bool Unchecked { get; set; }
    /// <summary>The account version at which the system granted it (approved, or released by the system); 0 when it
    /// was not (held, or released by a controller). A payment received before it may have been what let it pass.</summary>
    public int GrantedAt { get; set; }
    /// <summary>What was left of the customer's limit once the system granted it, less the payments received before the
    /// grant that bounced since (null: unlimited then, or not the system's grant). Below zero, the grant needed a bounced
    /// payment, whatever the limit is now. Before the spare was recorded on the events, only an own limit's is known.</summary>
    public decimal? SpareAtGrant { get; set; }
    /// <summary>The same for the customer's shared pool, in the customer's currency (null: no pool, or not known).</summary>
    public decimal? PoolSpareAtGrant { get; set; }
    /// <summary>The account version at which it was last held (placed held, or held again): the wait the queue and the
    /// automatic releases go by, longest first.</summary>
    public int HeldSince { get; set; }
    /// <summary>Orders that went through the check (see <see cref="Unchecked"/>).</summary>
    public bool Counted => !Unchecked;
    /// <summary>Approved and released orders placed under the credit check are promised credit until invoiced or cancelled.</summary>
    public bool CountsAsExposure => Counted && Status is OrderStatus.Approved or OrderStatus.Released;
}

public sealed class PaymentState
{
    public string Id { get; set; } = "";
    public decimal Amount { get; set; }
    public DateOnly ReceivedOn { get; set; }
    public List<Settlement> Settlements { get; set; } = [];
    /// <summary>How many of <see cref="Settlements"/> the payment made itself (the rest are credit applied later): a
    /// repeat of the request answers with these, as the first time.</summary>
    public int OwnSettlements { get; set; }
    public decimal Unapplied { get; set; }
    /// <summary>The account version that recorded it (see <see cref="OrderState.GrantedAt"/>).</summary>
    public int ReceivedAt { get; set; }
    /// <summary>What of it is still credit on account: nothing once it bounced (the reversal took its rest back).</summary>
    public decimal UnappliedLeft => Reversed ? 0m : Unapplied;
    public RequestFingerprint Fingerprint { get; set; }
    public bool Reversed { get; set; }
    public DateOnly? ReversedOn { get; set; }
    public string? ReversalReason { get; set; }
    /// <summary>The customer's own orders its reversal held again, in that commit (a repeat of the reversal names them too).</summary>
    public List<string> HeldAgain { get; set; } = [];
}

public sealed class CreditNoteState
{
    public string Id { get; set; } = "";
    public decimal Amount { get; set; }
    public DateOnly IssuedOn { get; set; }
    public string? InvoiceId { get; set; }
    public List<Settlement> Settlements { get; set; } = [];
    /// <summary>How many of <see cref="Settlements"/> the note made itself (see <see cref="PaymentState.OwnSettlements"/>).</summary>
    public int OwnSettlements { get; set; }
    public decimal Unapplied { get; set; }
    public RequestFingerprint Fingerprint { get; set; }
}

/// <summary>
/// The write model of one customer's credit account, folded from its events (<see cref="Fold"/>). The API keeps
/// it in memory and checkpoints it every few hundred events; Marten folds it through CreditAccountProjection.
/// </summary>
public sealed class CreditAccount
{
    public string Id { get; set; } = "";
    public int Version { get; set; }
    public CustomerProfile Profile { get; set; } = new("", null, Money.Currency.Default, ContactKind.Customer, [], false, null);
    public decimal? CreditLimit { get; set; }
    public bool UnlimitedCredit { get; set; }
    public DateOnly? CreditLimitExpiresOn { get; set; }
    public PaymentTerms? PaymentTerms { get; set; }
    public bool OnHold { get; set; }
    public string? HoldReason { get; set; }
    public DateOnly? FirstDocumentOn { get; set; }
    public decimal UnappliedCredit { get; set; }
    public long Sequence { get; set; }
    public Dictionary<string, Receivable> Receivables { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, OrderState> Orders { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, PaymentState> Payments { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, CreditNoteState> CreditNotes { get; set; } = new(StringComparer.Ordinal);

    public string Currency => Profile.Currency;
    public DateOnly? CustomerSince => Profile.CustomerSince ?? FirstDocumentOn;

    /// <summary>Invoices + opening balance - payments - credit notes; unapplied credit lowers it.</summary>
    public decimal Outstanding => Position.ReceivablesOpen - UnappliedCredit;

    /// <summary>Orders promised but not invoiced; orders placed under the bypass were never counted (see <see cref="OrderState.Counted"/>).</summary>
    public decimal OpenOrders => Position.Promised;

    public decimal Exposure => Outstanding + OpenOrders;

    /// <summary>The due date of the oldest open installment; null when nothing is open.</summary>
    public DateOnly? OldestOpenDueOn => Position.Items.Count == 0 ? null : Position.Items.Min.Installment.DueOn;

    /// <summary>Orders waiting for a controller.</summary>
    public IReadOnlyCollection<OrderState> HeldOrders => Position.Held;

    /// <summary>Open installments, oldest due first: the order payments settle them in.</summary>
    public IEnumerable<(Receivable Receivable, InstallmentState Installment)> OpenItemsOldestFirst() =>
        Position.Items.Select(x => (x.Receivable, x.Installment));

    /// <summary>
    /// What is open now, kept up to date by the event handlers so a decision costs the same on the ten-thousandth
    /// invoice as on the first (summing every receivable and order was most of a decision's CPU on long accounts).
    /// Derived, never stored: built from the collections when first needed (after a checkpoint is read).
    /// The collections are changed only through the event handlers, which keep it in step.
    /// </summary>
    private sealed class OpenPosition
    {
        public decimal ReceivablesOpen;
        public decimal Promised;
        /// <summary>Open installments in settlement order: due date, then the receivable's age, then number.</summary>
        public readonly SortedSet<OpenItem> Items = new(OpenItem.SettlementOrder);
        public readonly HashSet<OrderState> Held = new(ReferenceEqualityComparer.Instance);

        public static OpenPosition Of(CreditAccount a)
        {
            var p = new OpenPosition();
            foreach (var r in a.Receivables.Values) p.Add(r);
            foreach (var o in a.Orders.Values) p.Add(o);
            return p;
        }

        public void Add(Receivable r)
        {
            ReceivablesOpen += r.Open;
            foreach (var i in r.Installments) if (i.Open > 0) Items.Add(new OpenItem(r, i));
        }

        public void Remove(Receivable r)
        {
            ReceivablesOpen -= r.Open;
            foreach (var i in r.Installments) Items.Remove(new OpenItem(r, i));
        }

        public void Add(OrderState o)
        {
            if (o.CountsAsExposure) Promised += o.Amount;
            if (o.Status == OrderStatus.Held) Held.Add(o);
        }

        public void Remove(OrderState o)
        {
            if (o.CountsAsExposure) Promised -= o.Amount;
            Held.Remove(o);
        }
    }

    private readonly record struct OpenItem(Receivable Receivable, InstallmentState Installment)
    {
        public static readonly IComparer<OpenItem> SettlementOrder = Comparer<OpenItem>.Create((a, b) =>
        {
            var c = a.Installment.DueOn.CompareTo(b.Installment.DueOn);
            if (c == 0) c = a.Receivable.Sequence.CompareTo(b.Receivable.Sequence);
            return c != 0 ? c : a.Installment.No.CompareTo(b.Installment.No);
        });
    }

    private OpenPosition? _position;
    private OpenPosition Position => _position ??= OpenPosition.Of(this);

    private void Put(Receivable r)
    {
        if (Receivables.TryGetValue(r.Id, out var replaced)) _position?.Remove(replaced);
        Receivables[r.Id] = r;
        _position?.Add(r);
    }

    private void Put(OrderState o)
    {
        if (Orders.TryGetValue(o.Id, out var replaced)) _position?.Remove(replaced);
        Orders[o.Id] = o;
        _position?.Add(o);
    }

    public static CreditAccount Open(AccountOpened e) => new() { Id = e.CustomerId, Profile = e.Profile };

    public void When(ProfileUpdated e) => Profile = e.Profile;

    public void When(LimitSet e)
    {
        CreditLimit = e.Amount;
        UnlimitedCredit = e.Unlimited;
        CreditLimitExpiresOn = e.ExpiresOn;
    }

    public void When(PaymentTermsSet e) => PaymentTerms = e.Terms;

    public void When(AccountHeld e) { OnHold = true; HoldReason = e.Reason; }

    public void When(AccountUnheld e) { OnHold = false; HoldReason = null; }

    public void When(OpeningBalanceRecorded e)
    {
        Put(new Receivable
        {
            Id = Receivable.OpeningBalanceId, Amount = e.Amount, IssuedOn = e.AsOf, DueOn = e.DueOn, Sequence = ++Sequence,
            Installments = [new InstallmentState { No = 1, DueOn = e.DueOn, Amount = e.Amount }],
        });
        NoteDocumentDate(e.AsOf);
    }

    public void When(InvoiceIssued e)
    {
        Put(new Receivable
        {
            Id = e.InvoiceId, Amount = e.Amount, IssuedOn = e.IssuedOn, DueOn = e.DueOn, OrderId = e.OrderId,
            Sequence = ++Sequence, Fingerprint = RequestFingerprint.Of(e.Fingerprint), Warnings = e.Warnings, Override = e.Override,
            Installments = e.Installments.Select((x, i) => new InstallmentState { No = i + 1, DueOn = x.DueOn, Amount = x.Amount }).ToList(),
        });
        if (e.OrderId is not null) SetOrderStatus(e.OrderId, OrderStatus.Invoiced);
        NoteDocumentDate(e.IssuedOn);
    }

    public void When(PaymentReceived e)
    {
        Payments[e.PaymentId] = new PaymentState
        {
            Id = e.PaymentId, Amount = e.Amount, ReceivedOn = e.ReceivedOn, Settlements = [.. e.Settlements],
            OwnSettlements = e.Settlements.Count, Unapplied = e.Unapplied, Fingerprint = RequestFingerprint.Of(e.Fingerprint),
            ReceivedAt = Version + 1,
        };
        Settle(e.Settlements, +1);
        UnappliedCredit += e.Unapplied;
        NoteDocumentDate(e.ReceivedOn);
    }

    public void When(PaymentReversed e)
    {
        if (!Payments.TryGetValue(e.PaymentId, out var payment)) return;
        payment.Reversed = true;
        payment.ReversedOn = e.ReversedOn;
        payment.ReversalReason = e.Reason;
        Settle(payment.Settlements, -1);
        UnappliedCredit -= payment.Unapplied;
        // The grants made after it came had that much less to spare: two bounced cheques may together have paid for one.
        foreach (var order in Orders.Values)
            if (order.GrantedAt > payment.ReceivedAt)
                (order.SpareAtGrant, order.PoolSpareAtGrant) = (order.SpareAtGrant - payment.Amount, order.PoolSpareAtGrant - payment.Amount);
    }

    public void When(CreditNoteIssued e)
    {
        CreditNotes[e.CreditNoteId] = new CreditNoteState
        {
            Id = e.CreditNoteId, Amount = e.Amount, IssuedOn = e.IssuedOn, InvoiceId = e.InvoiceId,
            Settlements = [.. e.Settlements], OwnSettlements = e.Settlements.Count, Unapplied = e.Unapplied,
            Fingerprint = RequestFingerprint.Of(e.Fingerprint),
        };
        if (e.InvoiceId is not null && Receivables.TryGetValue(e.InvoiceId, out var invoice)) invoice.Credited += e.Amount;
        Settle(e.Settlements, +1);
        CountCredited(e.Settlements);
        UnappliedCredit += e.Unapplied;
        NoteDocumentDate(e.IssuedOn);
    }

    public void When(CreditApplied e)
    {
        var applied = e.Settlements.Sum(x => x.Amount);
        var fromPayment = e.Source == CreditSource.Payment || (e.Source is null && Payments.ContainsKey(e.SourceId));
        if (fromPayment && Payments.TryGetValue(e.SourceId, out var payment))
        {
            payment.Settlements.AddRange(e.Settlements); // a reversal reopens these too
            payment.Unapplied -= applied;
        }
        else if (!fromPayment && CreditNotes.TryGetValue(e.SourceId, out var note))
        {
            note.Settlements.AddRange(e.Settlements);
            note.Unapplied -= applied;
            CountCredited(e.Settlements);
        }
        Settle(e.Settlements, +1);
        UnappliedCredit -= applied;
    }

    /// <summary>What credit notes settled on each invoice (not a note's whole amount: its rest is unapplied credit).</summary>
    private void CountCredited(IEnumerable<Settlement> settlements)
    {
        foreach (var s in settlements)
            if (Receivables.TryGetValue(s.DocumentId, out var invoice)
                && invoice.Installments.FirstOrDefault(i => i.No == s.Installment) is { } installment)
                installment.CreditSettled += s.Amount;
    }

    public void When(OrderApproved e) => Put(new OrderState
    {
        Id = e.OrderId, Amount = e.Amount, OrderedOn = e.OrderedOn, PaymentTerms = e.PaymentTerms,
        Status = OrderStatus.Approved, Sequence = ++Sequence, Fingerprint = RequestFingerprint.Of(e.Fingerprint), Warnings = e.Warnings,
        Unchecked = Profile.BypassCreditCheckAtOrder, GrantedAt = Version + 1, SpareAtGrant = e.Spare ?? SpareOf(e.Amount),
        PoolSpareAtGrant = e.PoolSpare,
    });

    /// <summary>The own limit left after granting this much more now (null without an own, finite limit).</summary>
    private decimal? SpareOf(decimal amount) => CreditLimit is { } own && !UnlimitedCredit ? own - Exposure - amount : null;

    public void When(OrderHeld e) => Put(new OrderState
    {
        Id = e.OrderId, Amount = e.Amount, OrderedOn = e.OrderedOn, PaymentTerms = e.PaymentTerms,
        Status = OrderStatus.Held, Sequence = ++Sequence, Fingerprint = RequestFingerprint.Of(e.Fingerprint), Reasons = e.Reasons, Warnings = e.Warnings,
        Unchecked = Profile.BypassCreditCheckAtOrder, HeldSince = Version + 1,
    });

    public void When(HoldReleased e)
    {
        if (!Orders.TryGetValue(e.OrderId, out var order)) return;
        var bySystem = e.By == Credit.Domain.Orders.OrderDecisions.SystemUser;
        var spare = bySystem ? e.Spare ?? SpareOf(order.Amount) : null; // while held it was not counted
        SetOrderStatus(e.OrderId, OrderStatus.Released);
        (order.GrantedAt, order.SpareAtGrant, order.PoolSpareAtGrant) = (bySystem ? Version + 1 : 0, spare, bySystem ? e.PoolSpare : null);
    }

    public void When(HoldReasonsChanged e)
    {
        if (Orders.TryGetValue(e.OrderId, out var order)) (order.ReasonsNow, order.WarningsNow) = (e.Reasons, e.Warnings);
    }

    public void When(OrderHeldAgain e)
    {
        // Another member's payment (PaidBy) is no payment of this account, whatever its id.
        if (e.PaidBy is null && Payments.TryGetValue(e.PaymentId, out var payment)) payment.HeldAgain.Add(e.OrderId);
        SetOrderStatus(e.OrderId, OrderStatus.Held);
        if (!Orders.TryGetValue(e.OrderId, out var order)) return;
        (order.ReasonsNow, order.WarningsNow, order.GrantedAt, order.HeldSince) = (e.Reasons, e.Warnings, 0, Version + 1);
        (order.SpareAtGrant, order.PoolSpareAtGrant) = (null, null);
    }

    /// <summary>A controller makes the system's release its own: a bounced payment no longer takes it back.</summary>
    public void When(ReleaseConfirmed e)
    {
        if (Orders.TryGetValue(e.OrderId, out var order)) (order.GrantedAt, order.SpareAtGrant, order.PoolSpareAtGrant) = (0, null, null);
    }

    public void When(OrderRejected e) => SetOrderStatus(e.OrderId, OrderStatus.Rejected);

    public void When(OrderCancelled e) => SetOrderStatus(e.OrderId, OrderStatus.Cancelled);

    private void SetOrderStatus(string orderId, OrderStatus status)
    {
        if (!Orders.TryGetValue(orderId, out var order)) return;
        _position?.Remove(order);
        order.Status = status;
        _position?.Add(order);
    }

    private void Settle(IEnumerable<Settlement> settlements, int sign)
    {
        foreach (var s in settlements)
        {
            if (!Receivables.TryGetValue(s.DocumentId, out var receivable)) continue;
            var installment = receivable.Installments.FirstOrDefault(i => i.No == s.Installment);
            if (installment is null) continue;
            _position?.Remove(receivable);
            installment.Settled += sign * s.Amount;
            _position?.Add(receivable);
        }
    }

    private void NoteDocumentDate(DateOnly on)
    {
        if (FirstDocumentOn is null || on < FirstDocumentOn) FirstDocumentOn = on;
    }

    /// <summary>Folds events into a fresh account: for tests and time travel outside Marten.</summary>
    public static CreditAccount From(params object[] events)
    {
        CreditAccount? account = null;
        foreach (var e in events)
            account = Fold(account, e) ?? throw new InvalidOperationException("The first event must be AccountOpened.");
        return account ?? throw new InvalidOperationException("No events.");
    }

    /// <summary>The account after one more event (null while there is none: nothing before AccountOpened).
    /// The one fold behind Marten's projection, the in-memory accounts and the tests.</summary>
    public static CreditAccount? Fold(CreditAccount? account, object e)
    {
        if (e is AccountOpened opened) account = Open(opened);
        else if (account is null) return null;
        else account.ApplyEvent(e);
        account.Version++;
        return account;
    }

    public void ApplyEvent(object e)
    {
        switch (e)
        {
            case ProfileUpdated x: When(x); break;
            case LimitSet x: When(x); break;
            case PaymentTermsSet x: When(x); break;
            case AccountHeld x: When(x); break;
            case AccountUnheld x: When(x); break;
            case OpeningBalanceRecorded x: When(x); break;
            case InvoiceIssued x: When(x); break;
            case PaymentReceived x: When(x); break;
            case PaymentReversed x: When(x); break;
            case CreditNoteIssued x: When(x); break;
            case CreditApplied x: When(x); break;
            case OrderApproved x: When(x); break;
            case OrderHeld x: When(x); break;
            case HoldReleased x: When(x); break;
            case OrderRejected x: When(x); break;
            case OrderCancelled x: When(x); break;
            case OrderHeldAgain x: When(x); break;
            case HoldReasonsChanged x: When(x); break;
            case ReleaseConfirmed x: When(x); break;
            default: throw new ArgumentException($"Unknown event {e.GetType().Name}", nameof(e));
        }
    }
}
