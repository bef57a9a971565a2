using Credit.Domain.Decisions;

namespace Credit.Domain.Accounts;

public sealed record SetPaymentTerms(PaymentTerms? Terms, string Reason);

/// <summary>Account-level commands of a credit controller.</summary>
public static class AccountDecisions
{
    public static Outcome<bool> Hold(CreditAccount account, string reason) =>
        // Held again for the same reason: nothing new. For another reason: the new reason is recorded (it was lost).
        account.OnHold && account.HoldReason == reason ? Outcome<bool>.Repeat(true) : Outcome<bool>.Accept(true, new AccountHeld(reason));

    public static Outcome<bool> Unhold(CreditAccount account, string reason) =>
        !account.OnHold ? Outcome<bool>.Repeat(true) : Outcome<bool>.Accept(true, new AccountUnheld(reason));

    public static Outcome<bool> SetTerms(CreditAccount account, SetPaymentTerms cmd) =>
        Outcome<bool>.Accept(true, new PaymentTermsSet(cmd.Terms, cmd.Reason));

    /// <summary>Events after which a held order may now pass: worth re-checking the holds. An invoice against an order
    /// for less than the order frees the rest of it.</summary>
    public static bool Improves(object e) => e is PaymentReceived or CreditNoteIssued or LimitSet or AccountUnheld
        or OrderCancelled or PaymentTermsSet or ProfileUpdated or CreditApplied or InvoiceIssued { OrderId: not null };
}
