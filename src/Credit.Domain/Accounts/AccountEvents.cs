namespace Credit.Domain.Accounts;

// Every event of a customer's credit account, stream key = customer id. Past tense, business names.
// Who did it, when and under which correlation id travel as event metadata, not in these records.

public enum ContactKind { Customer, Supplier, Both }

/// <summary>The descriptive part of a customer: what a clerk may edit without a controller.</summary>
public sealed record CustomerProfile(
    string Name,
    string? GroupId,
    string Currency,
    ContactKind Kind,
    IReadOnlyList<string> AssignedTo,
    bool BypassCreditCheckAtOrder,
    DateOnly? CustomerSince)
{
    /// <summary>A contact we only buy from takes no orders or invoices; "both" does.</summary>
    public bool BuysFromUs => Kind != ContactKind.Supplier;
}

public sealed record AccountOpened(string CustomerId, CustomerProfile Profile);

public sealed record ProfileUpdated(CustomerProfile Profile);

/// <summary>Amount null = not set at customer level (inherit); 0 = no credit at all.</summary>
public sealed record LimitSet(decimal? Amount, bool Unlimited, DateOnly? ExpiresOn, string? Reason);

public sealed record PaymentTermsSet(PaymentTerms? Terms, string? Reason);

public sealed record AccountHeld(string Reason);

public sealed record AccountUnheld(string Reason);

public sealed record Installment(DateOnly DueOn, decimal Amount);

/// <summary>Issued despite the rules by a controller; the refusal reasons are kept for the auditor.</summary>
public sealed record CreditOverride(string Reason, string By, IReadOnlyList<string> OverriddenReasons);

public sealed record InvoiceIssued(
    string InvoiceId,
    decimal Amount,
    DateOnly IssuedOn,
    DateOnly DueOn,
    IReadOnlyList<Installment> Installments,
    string? OrderId,
    IReadOnlyList<string> Warnings,
    CreditOverride? Override,
    string Fingerprint);

public sealed record OpeningBalanceRecorded(decimal Amount, DateOnly AsOf, DateOnly DueOn);

/// <summary>Part of a payment or credit note applied to one installment of one receivable.</summary>
public sealed record Settlement(string DocumentId, int Installment, decimal Amount);

public sealed record PaymentReceived(
    string PaymentId,
    decimal Amount,
    DateOnly ReceivedOn,
    IReadOnlyList<Settlement> Settlements,
    decimal Unapplied,
    string Fingerprint);

public sealed record PaymentReversed(string PaymentId, DateOnly ReversedOn, string Reason);

public sealed record CreditNoteIssued(
    string CreditNoteId,
    decimal Amount,
    DateOnly IssuedOn,
    string? InvoiceId,
    IReadOnlyList<Settlement> Settlements,
    decimal Unapplied,
    string Reason,
    string Fingerprint);

/// <summary>Which kind of document unapplied credit came from: a payment and a credit note may carry the same id.</summary>
public enum CreditSource { Payment, CreditNote }

/// <summary>
/// Unapplied credit of an earlier payment or credit note put against an invoice issued later (oldest due first), so
/// a customer who paid in advance is not left with an open, then overdue, invoice while owing nothing. Source: null on
/// events recorded before 2026-12-01, which a payment of that id claims first (so a note with a payment's id had its
/// credit put on the payment, and kept it unapplied, to be applied again).
/// </summary>
public sealed record CreditApplied(string SourceId, DateOnly AppliedOn, IReadOnlyList<Settlement> Settlements, CreditSource? Source = null);

/// <summary>Spare: what the customer's limit (its own or inherited) had left once it was granted, PoolSpare what its shared
/// pool had, in the customer's currency (null: unlimited, no pool, or recorded before they were kept).</summary>
public sealed record OrderApproved(
    string OrderId,
    decimal Amount,
    DateOnly OrderedOn,
    PaymentTerms? PaymentTerms,
    IReadOnlyList<string> Warnings,
    string Fingerprint,
    decimal? Spare = null,
    decimal? PoolSpare = null);

public sealed record OrderHeld(
    string OrderId,
    decimal Amount,
    DateOnly OrderedOn,
    PaymentTerms? PaymentTerms,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<string> Warnings,
    string Fingerprint);

/// <summary>By is "system" when the order was released automatically after the position improved; Warnings, the rules
/// in warn mode it still fails then (null: none); Spare and PoolSpare as on <see cref="OrderApproved"/>, for the system's.</summary>
public sealed record HoldReleased(string OrderId, string Reason, string By, IReadOnlyList<string>? Warnings = null,
    decimal? Spare = null, decimal? PoolSpare = null);

public sealed record OrderRejected(string OrderId, string Reason);

/// <summary>A controller releasing an order the system had already released: the release is a person's decision now, which
/// a bounced payment does not take back (<see cref="OrderHeldAgain"/>).</summary>
public sealed record ReleaseConfirmed(string OrderId, string Reason, string By);

/// <summary>A held order re-checked when the customer's position improved, still held but for other rules than those on
/// record: Reasons are the ones that hold it now (the queue showed a hold reason long lifted).</summary>
public sealed record HoldReasonsChanged(string OrderId, IReadOnlyList<string> Reasons, IReadOnlyList<string> Warnings);

/// <summary>
/// An order the system had granted (approved, or released automatically) after a payment that has now bounced, held
/// again because without that payment it no longer passes: Reasons are the rules that hold it now. A controller's own
/// release stands. PaidBy: the pool member whose payment it was, when not this customer (null: this customer's own).
/// </summary>
public sealed record OrderHeldAgain(string OrderId, string PaymentId, IReadOnlyList<string> Reasons, IReadOnlyList<string> Warnings,
    string? PaidBy = null) : IDoneBySystem;

/// <summary>An event the system decides in consequence of a person's command, committed with it: recorded under the system
/// user (the command's correlation id ties them), as the system's releases are.</summary>
public interface IDoneBySystem;

public sealed record OrderCancelled(string OrderId, string Reason);

public static class EventReasons
{
    /// <summary>The command's reason text carried by an event, for the audit trail.</summary>
    public static string? Of(object @event) => @event switch
    {
        LimitSet e => e.Reason,
        PaymentTermsSet e => e.Reason,
        AccountHeld e => e.Reason,
        AccountUnheld e => e.Reason,
        InvoiceIssued { Override: { } o } => o.Reason,
        PaymentReversed e => e.Reason,
        CreditNoteIssued e => e.Reason,
        HoldReleased e => e.Reason,
        OrderRejected e => e.Reason,
        OrderCancelled e => e.Reason,
        OrderHeld e => string.Join(", ", e.Reasons),
        OrderHeldAgain e => string.Join(", ", e.Reasons),
        HoldReasonsChanged e => string.Join(", ", e.Reasons),
        ReleaseConfirmed e => e.Reason,
        _ => null,
    };
}
