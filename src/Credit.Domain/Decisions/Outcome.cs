namespace Credit.Domain.Decisions;

public enum RejectionKind { Invalid, NotFound, Refused, Duplicate, InvalidState, Forbidden }

/// <summary>Why a command was turned down. Code is the stable machine code; Field errors for Invalid; Detail, a key for
/// the particular case behind a general code (INVALID_STATE because the order is held).</summary>
public sealed record Rejection(
    RejectionKind Kind,
    string Code,
    CreditDecision? Decision = null,
    IReadOnlyDictionary<string, string[]>? FieldErrors = null,
    string? Detail = null);

/// <summary>
/// What a domain decision returns: the events to append and the caller's answer, or a rejection.
/// A repeated idempotent command yields its original answer and no events.
/// </summary>
public sealed record Outcome<T>(T? Result, IReadOnlyList<object> Events, Rejection? Rejection)
{
    public bool IsAccepted => Rejection is null;

    public static Outcome<T> Accept(T result, params object[] events) => new(result, events, null);

    public static Outcome<T> Repeat(T result) => new(result, [], null);

    /// <summary>A create whose id exists already: the same request again gets the original answer and no event;
    /// another request under the same id is a DUPLICATE_ID.</summary>
    public static Outcome<T> Again(RequestFingerprint existingFingerprint, string fingerprint, Func<T> original) =>
        Again(existingFingerprint == RequestFingerprint.Of(fingerprint), original);

    /// <summary>As above, the request already compared (<see cref="RequestPrint.Repeats"/>).</summary>
    public static Outcome<T> Again(bool sameRequest, Func<T> original) =>
        sameRequest ? Repeat(original()) : Reject(RejectionKind.Duplicate, ErrorCodes.DuplicateId);

    public static Outcome<T> Reject(Rejection rejection) => new(default, [], rejection);

    public static Outcome<T> Reject(RejectionKind kind, string code) => new(default, [], new Rejection(kind, code));

    public static Outcome<T> Invalid(string field, string code) => Invalid([field], code);

    /// <summary>The same error on several fields (every installment with too many decimals, not only the first).</summary>
    public static Outcome<T> Invalid(IReadOnlyList<string> fields, string code) =>
        Reject(new Rejection(RejectionKind.Invalid, code, FieldErrors: fields.ToDictionary(f => f, _ => new[] { code })));
}

public static class ErrorCodes
{
    public const string CustomerNotFound = "CUSTOMER_NOT_FOUND";
    public const string GroupNotFound = "GROUP_NOT_FOUND";
    public const string OrderNotFound = "ORDER_NOT_FOUND";
    public const string InvoiceNotFound = "INVOICE_NOT_FOUND";
    public const string PaymentNotFound = "PAYMENT_NOT_FOUND";
    public const string CreditNoteNotFound = "CREDIT_NOTE_NOT_FOUND";
    public const string DuplicateId = "DUPLICATE_ID";
    public const string InvalidState = "INVALID_STATE";
    public const string CreditRefused = "CREDIT_REFUSED";
    public const string ControllerRequired = "CONTROLLER_REQUIRED";
    public const string CustomerNotAssigned = "CUSTOMER_NOT_ASSIGNED";
    public const string AllocationExceedsOpen = "ALLOCATION_EXCEEDS_OPEN";
    public const string AllocationExceedsPayment = "ALLOCATION_EXCEEDS_PAYMENT";
    public const string OpeningBalanceRecorded = "OPENING_BALANCE_ALREADY_RECORDED";
    public const string OpeningBalanceAfterDocuments = "OPENING_BALANCE_AFTER_DOCUMENTS";
    public const string CurrencyChange = "CURRENCY_CHANGE_NOT_ALLOWED";
    public const string ReversedBeforeReceived = "REVERSED_BEFORE_RECEIVED";
    public const string CreditNoteExceedsInvoice = "CREDIT_NOTE_EXCEEDS_INVOICE";
    public const string CreditNoteBeforeInvoice = "CREDIT_NOTE_BEFORE_INVOICE";
    public const string NotACustomer = "NOT_A_CUSTOMER";
    public const string ExpiryWithoutLimit = "EXPIRY_WITHOUT_LIMIT";
    public const string MutuallyExclusive = "MUTUALLY_EXCLUSIVE";
}
