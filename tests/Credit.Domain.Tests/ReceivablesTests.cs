using Credit.Domain.Accounts;
using Credit.Domain.CreditNotes;
using Credit.Domain.Decisions;
using Credit.Domain.Invoicing;
using Credit.Domain.Payments;
using Credit.Domain.Policy;
using static Credit.Domain.Tests.DecisionKit;

namespace Credit.Domain.Tests;

/// <summary>Payments, reversals, credit notes and the opening balance, folded the way the event store folds them.</summary>
public class ReceivablesTests
{
    private static CreditAccount Fold(CreditAccount account, Outcome<PaymentResult> outcome) => Apply(account, outcome.Events);

    private static CreditAccount Apply(CreditAccount account, IEnumerable<object> events)
    {
        foreach (var e in events) account.ApplyEvent(e);
        return account;
    }

    private static ReceivePayment Pay(string id, decimal amount, params (string Invoice, decimal Amount)[] allocations) =>
        new(id, amount, Today, allocations.Length == 0 ? null : allocations.Select(a => new RequestedAllocation(a.Invoice, a.Amount)).ToList(), "fp-" + id);

    // ---------------------------------------------------------------- credit the customer already has

    [Fact]
    public void An_invoice_issued_after_an_advance_payment_is_settled_from_its_unapplied_credit()
    {
        var account = Account(Limit(10_000m));
        account = Fold(account, PaymentDecisions.Receive(account, Pay("ADV", 1000m)));
        account.UnappliedCredit.ShouldBe(1000m);

        var issued = InvoiceDecisions.Issue(account, IssueCmd("I1", 800m), Context());

        issued.Events.Count.ShouldBe(2);
        issued.Events[1].ShouldBe(new CreditApplied("ADV", Today, [new Settlement("I1", 1, 800m)]), new CreditAppliedComparer());
        account = Apply(account, issued.Events);
        account.Receivables["I1"].Open.ShouldBe(0m);
        account.UnappliedCredit.ShouldBe(200m);
        account.Payments["ADV"].Unapplied.ShouldBe(200m);
        account.Outstanding.ShouldBe(-200m);

        // The next invoice takes what is left, and is open for the rest.
        var next = InvoiceDecisions.Issue(account, IssueCmd("I2", 500m), Context());
        account = Apply(account, next.Events);
        account.Receivables["I2"].Open.ShouldBe(300m);
        account.UnappliedCredit.ShouldBe(0m);
        InvoiceDecisions.Issue(account, IssueCmd("I3", 50m), Context()).Events.ShouldHaveSingleItem().ShouldBeOfType<InvoiceIssued>();
    }

    [Fact]
    public void Credit_goes_oldest_source_first_over_the_installments_in_due_order_and_a_reversal_takes_back_what_it_applied()
    {
        var account = Account(Limit(10_000m));
        account = Apply(account, CreditNoteDecisions.Issue(account, new IssueCreditNote("CN", 300m, Today.AddDays(-5), null, "on account", "fp-cn")).Events);
        account = Fold(account, PaymentDecisions.Receive(account, Pay("P1", 100m)));

        var cmd = new IssueInvoice("I1", 350m, Today, null, null, [new Installment(Today.AddDays(60), 150m), new Installment(Today.AddDays(30), 200m)],
            null, null, "fp-I1");
        var issued = InvoiceDecisions.Issue(account, cmd, Context());

        var applied = issued.Events.OfType<CreditApplied>().ToList();
        applied.Select(a => a.SourceId).ShouldBe(["CN", "P1"]);
        applied[0].Settlements.ShouldBe([new Settlement("I1", 2, 200m), new Settlement("I1", 1, 100m)]); // due first
        applied[1].Settlements.ShouldBe([new Settlement("I1", 1, 50m)]);
        account = Apply(account, issued.Events);
        account.Receivables["I1"].Open.ShouldBe(0m);
        account.UnappliedCredit.ShouldBe(50m);

        // P1 bounces: what it settled, applied later included, reopens, and its unapplied rest goes.
        account = Apply(account, PaymentDecisions.Reverse(account, new ReversePayment("P1", Today, "bounced")).Events);
        account.Receivables["I1"].Open.ShouldBe(50m);
        account.UnappliedCredit.ShouldBe(0m);
        account.Outstanding.ShouldBe(50m);
    }

    [Fact]
    public void A_payment_and_a_credit_note_with_the_same_id_each_keep_their_own_credit()
    {
        // Sweep AO: ids are unique per kind of document. Credit applied from the note was put on the payment of that id,
        // the note's stayed unapplied and was applied again, and the payment's bounce reopened what the note had settled.
        var account = Account(Limit(10_000m));
        account = Fold(account, PaymentDecisions.Receive(account, Pay("X1", 50m) with { ReceivedOn = Today.AddDays(-2) }));
        account = Apply(account, CreditNoteDecisions.Issue(account, new IssueCreditNote("X1", 100m, Today.AddDays(-1), null, "returned", "fp-cn")).Events);

        var issued = InvoiceDecisions.Issue(account, IssueCmd("I1", 120m), Context());
        issued.Events.OfType<CreditApplied>().Select(a => (a.SourceId, a.Source)).ShouldBe([("X1", CreditSource.Payment), ("X1", CreditSource.CreditNote)]);
        account = Apply(account, issued.Events);
        (account.Payments["X1"].Unapplied, account.CreditNotes["X1"].Unapplied, account.UnappliedCredit).ShouldBe((0m, 30m, 30m));

        // The note's last 30 go to the next invoice, once.
        account = Apply(account, InvoiceDecisions.Issue(account, IssueCmd("I2", 100m), Context()).Events);
        (account.CreditNotes["X1"].Unapplied, account.Receivables["I2"].Open, account.UnappliedCredit).ShouldBe((0m, 70m, 0m));

        // The payment bounces: only its own 50 reopen.
        account = Apply(account, PaymentDecisions.Reverse(account, new ReversePayment("X1", Today, "bounced")).Events);
        (account.Receivables["I1"].Open, account.Outstanding).ShouldBe((50m, 120m));
    }

    [Fact]
    public void Credit_applied_before_its_source_was_recorded_goes_to_a_payment_of_that_id_first()
    {
        // Events written before CreditApplied named its source's kind fold as they always did.
        var account = Account(Limit(10_000m), Invoice("I1", 80m, dueOffset: 30));
        account = Fold(account, PaymentDecisions.Receive(account, Pay("P1", 100m, ("I1", 80m))));
        account.ApplyEvent(new InvoiceIssued("I2", 20m, Today, Today.AddDays(30), [new Installment(Today.AddDays(30), 20m)], null, [], null, "fp-I2"));
        account.ApplyEvent(new CreditApplied("P1", Today, [new Settlement("I2", 1, 20m)]));
        (account.Payments["P1"].Unapplied, account.Receivables["I2"].Open).ShouldBe((0m, 0m));
    }

    /// <summary>Records compare their lists by reference.</summary>
    private sealed class CreditAppliedComparer : IEqualityComparer<object>
    {
        public new bool Equals(object? a, object? b) => a is CreditApplied x && b is CreditApplied y
            && x.SourceId == y.SourceId && x.AppliedOn == y.AppliedOn && x.Settlements.SequenceEqual(y.Settlements);

        public int GetHashCode(object o) => 0;
    }

    [Fact]
    public void Without_allocations_a_payment_settles_installments_oldest_due_first_across_invoices()
    {
        var account = Account(
            InstallmentInvoice("A", (-10, 100m), (20, 100m), (50, 100m)),
            Invoice("B", 150m, dueOffset: 5));

        var outcome = PaymentDecisions.Receive(account, Pay("P1", 300m));

        outcome.IsAccepted.ShouldBeTrue();
        var received = outcome.Events.OfType<PaymentReceived>().Single();
        received.Settlements.ShouldBe([new Settlement("A", 1, 100m), new Settlement("B", 1, 150m), new Settlement("A", 2, 50m)]);
        received.Unapplied.ShouldBe(0m);
        outcome.Result!.Allocations.ShouldBe([new InvoiceAllocation("A", 150m), new InvoiceAllocation("B", 150m)]);
        account = Fold(account, outcome);
        account.Receivables["A"].Installments.Select(i => i.Open).ShouldBe([0m, 50m, 100m]);
        account.Outstanding.ShouldBe(150m);
    }

    [Fact]
    public void Explicit_allocations_settle_that_invoice_installment_by_installment_and_the_rest_stays_unapplied()
    {
        var account = Account(Invoice("A", 100m, dueOffset: -5), InstallmentInvoice("B", (10, 60m), (40, 60m)));

        var outcome = PaymentDecisions.Receive(account, Pay("P1", 200m, ("B", 90m)));

        outcome.Events.OfType<PaymentReceived>().Single().Settlements.ShouldBe([new Settlement("B", 1, 60m), new Settlement("B", 2, 30m)]);
        outcome.Result!.Unapplied.ShouldBe(110m);
        account = Fold(account, outcome);
        account.Receivables["A"].Open.ShouldBe(100m); // the overdue one was not chosen, so it stays open
        account.UnappliedCredit.ShouldBe(110m);
        account.Outstanding.ShouldBe(100m + 30m - 110m);
    }

    [Theory]
    [InlineData("NOPE", 10, ErrorCodes.InvoiceNotFound)]
    [InlineData("A", 100.01, ErrorCodes.AllocationExceedsOpen)]
    public void Allocations_must_name_an_open_invoice_and_stay_within_its_open_amount(string invoice, decimal amount, string code)
    {
        var account = Account(Invoice("A", 100m));
        var outcome = PaymentDecisions.Receive(account, Pay("P1", 500m, (invoice, amount)));
        outcome.Rejection!.Code.ShouldBe(code);
        outcome.Events.ShouldBeEmpty();
    }

    [Fact]
    public void A_paid_invoice_takes_no_further_allocation()
    {
        var account = Account(Invoice("A", 100m), Paid("P0", "A", 100m));
        PaymentDecisions.Receive(account, Pay("P1", 10m, ("A", 10m))).Rejection!.Code.ShouldBe(ErrorCodes.AllocationExceedsOpen);
    }

    [Fact]
    public void Allocations_may_not_add_up_to_more_than_the_payment()
    {
        var account = Account(Invoice("A", 100m), Invoice("B", 100m));
        PaymentDecisions.Receive(account, Pay("P1", 100m, ("A", 60m), ("B", 60m))).Rejection!.Code.ShouldBe(ErrorCodes.AllocationExceedsPayment);
    }

    [Fact]
    public void Reversal_reopens_exactly_what_the_payment_settled_and_withdraws_its_unapplied_credit()
    {
        var account = Account(InstallmentInvoice("A", (-10, 100m), (20, 100m)), Invoice("B", 50m, dueOffset: 40));
        account = Fold(account, PaymentDecisions.Receive(account, Pay("P1", 120m, ("A", 120m))));
        account = Fold(account, PaymentDecisions.Receive(account, Pay("P2", 150m)));
        var before = (A: account.Receivables["A"].Installments.Select(i => i.Open).ToList(), B: account.Receivables["B"].Open, account.UnappliedCredit);
        before.A.ShouldBe([0m, 0m]);
        before.B.ShouldBe(0m);
        before.UnappliedCredit.ShouldBe(20m);

        var reversal = PaymentDecisions.Reverse(account, new ReversePayment("P1", Today, "cheque bounced"));

        reversal.Result!.Reopened.ShouldBe([new InvoiceAllocation("A", 120m)]);
        account = Apply(account, reversal.Events);
        // A reopens to [100, 20] (P2 still holds its 80 of installment 2); P2's 20 of credit then settles the oldest.
        var applied = reversal.Events.OfType<CreditApplied>().ShouldHaveSingleItem();
        (applied.SourceId, applied.AppliedOn).ShouldBe(("P2", Today));
        applied.Settlements.ShouldBe([new Settlement("A", 1, 20m)]);
        account.Receivables["A"].Installments.Select(i => i.Open).ShouldBe([80m, 20m]);
        account.Receivables["B"].Open.ShouldBe(0m);
        account.UnappliedCredit.ShouldBe(0m);
        account.Payments["P1"].Reversed.ShouldBeTrue();
        account.Outstanding.ShouldBe(100m);
    }

    [Fact]
    public void Reversing_twice_answers_with_the_first_reversal_and_writes_nothing()
    {
        var account = Account(Invoice("A", 100m), Paid("P1", "A", 40m, unapplied: 5m));
        account = Apply(account, PaymentDecisions.Reverse(account, new ReversePayment("P1", Today, "bounced")).Events);
        var again = PaymentDecisions.Reverse(account, new ReversePayment("P1", Today.AddDays(1), "bounced again"));
        again.Events.ShouldBeEmpty();
        again.Result!.ReversedOn.ShouldBe(Today);
        again.Result.UnappliedWithdrawn.ShouldBe(5m);
        account.Outstanding.ShouldBe(100m);
    }

    [Fact]
    public void Reversal_is_not_refused_when_it_takes_the_customer_over_the_limit()
    {
        var account = Account(Limit(100m), Invoice("A", 100m), Paid("P1", "A", 100m), Invoice("B", 100m));
        var reversal = PaymentDecisions.Reverse(account, new ReversePayment("P1", Today, "bounced"));
        reversal.IsAccepted.ShouldBeTrue();
        Apply(account, reversal.Events).Exposure.ShouldBe(200m);
    }

    [Fact]
    public void Unknown_payments_and_reversals_dated_before_receipt_are_refused()
    {
        var account = Account(Invoice("A", 100m), Paid("P1", "A", 40m));
        PaymentDecisions.Reverse(account, new ReversePayment("NOPE", Today, "x")).Rejection!.Code.ShouldBe(ErrorCodes.PaymentNotFound);
        PaymentDecisions.Reverse(account, new ReversePayment("P1", Today.AddDays(-1), "x")).Rejection!.Code.ShouldBe(ErrorCodes.ReversedBeforeReceived);
        // Left to its default (today), a reversal of a payment dated ahead falls on the payment's own date.
        var postDated = CreditAccount.From(Opened(), new PaymentReceived("PD", 100m, Today.AddDays(10), [], 100m, "fp-pd"));
        var reversed = PaymentDecisions.Reverse(postDated, new ReversePayment("PD", Today, "bounced", DateGiven: false));
        reversed.Events.OfType<PaymentReversed>().Single().ReversedOn.ShouldBe(Today.AddDays(10));
    }

    [Fact]
    public void A_credit_note_against_an_invoice_reduces_its_open_amount_oldest_installment_first()
    {
        var account = Account(InstallmentInvoice("A", (-10, 100m), (20, 100m)));
        var outcome = CreditNoteDecisions.Issue(account, new IssueCreditNote("CN1", 130m, Today, "A", "returned goods", "fp"));

        outcome.Result!.Allocations.ShouldBe([new InvoiceAllocation("A", 130m)]);
        outcome.Result.Unapplied.ShouldBe(0m);
        account = Apply(account, outcome.Events);
        account.Receivables["A"].Installments.Select(i => i.Open).ShouldBe([0m, 70m]);
        account.Receivables["A"].Credited.ShouldBe(130m);
        account.Outstanding.ShouldBe(70m);
    }

    [Fact]
    public void A_credit_note_on_a_paid_invoice_becomes_credit_on_account()
    {
        var account = Account(Invoice("A", 100m), Paid("P1", "A", 100m));
        var outcome = CreditNoteDecisions.Issue(account, new IssueCreditNote("CN1", 30m, Today, "A", "late discount", "fp"));
        outcome.Result!.Unapplied.ShouldBe(30m);
        Apply(account, outcome.Events).Outstanding.ShouldBe(-30m);
    }

    [Fact]
    public void Credit_notes_on_an_invoice_may_not_exceed_it_together()
    {
        var account = Account(Invoice("A", 100m));
        account = Apply(account, CreditNoteDecisions.Issue(account, new IssueCreditNote("CN1", 60m, Today, "A", "r", "fp1")).Events);
        CreditNoteDecisions.Issue(account, new IssueCreditNote("CN2", 40.01m, Today, "A", "r", "fp2")).Rejection!.Code
            .ShouldBe(ErrorCodes.CreditNoteExceedsInvoice);
        CreditNoteDecisions.Issue(account, new IssueCreditNote("CN2", 40m, Today, "A", "r", "fp2")).IsAccepted.ShouldBeTrue();
    }

    [Fact]
    public void A_credit_note_on_account_settles_the_oldest_open_items_like_a_payment_and_keeps_the_rest()
    {
        var account = Account(Invoice("A", 100m, dueOffset: -5), Invoice("B", 50m, dueOffset: 10));
        var outcome = CreditNoteDecisions.Issue(account, new IssueCreditNote("CN1", 170m, Today, null, "goodwill", "fp"));
        outcome.Result!.Allocations.ShouldBe([new InvoiceAllocation("A", 100m), new InvoiceAllocation("B", 50m)]);
        outcome.Result.Unapplied.ShouldBe(20m);
        account = Apply(account, outcome.Events);
        account.Receivables["A"].Open.ShouldBe(0m);
        account.Receivables["A"].CreditSettled.ShouldBe(100m);
        account.Outstanding.ShouldBe(-20m);
        account.OldestOpenDueOn.ShouldBeNull(); // nothing overdue while the customer owes nothing net
    }

    [Fact]
    public void What_a_credit_note_leaves_on_its_invoice_settles_other_open_items_issued_by_its_date()
    {
        var account = Account(Invoice("A", 100m, dueOffset: -5), Paid("P1", "A", 100m), Invoice("B", 80m, dueOffset: 10));
        account.ApplyEvent(Accounts.Invoice("LATER", 30m, Today.AddDays(5), Today.AddDays(35)));
        var outcome = CreditNoteDecisions.Issue(account, new IssueCreditNote("CN1", 100m, Today, "A", "returned", "fp"));
        outcome.Result!.Allocations.ShouldBe([new InvoiceAllocation("B", 80m)]); // A was paid; LATER is not issued yet on the note's day
        outcome.Result.Unapplied.ShouldBe(20m);
    }

    [Fact]
    public void Credit_notes_are_idempotent_by_id()
    {
        var account = Account(Invoice("A", 100m));
        var note = new IssueCreditNote("CN1", 10m, Today, "A", "r", "fp");
        account = Apply(account, CreditNoteDecisions.Issue(account, note).Events);
        CreditNoteDecisions.Issue(account, note).Events.ShouldBeEmpty();
        CreditNoteDecisions.Issue(account, note with { Amount = 11m, Fingerprint = "fp2" }).Rejection!.Code.ShouldBe(ErrorCodes.DuplicateId);
    }

    [Fact]
    public void Credit_notes_for_unknown_invoices_or_dated_before_the_invoice_are_refused()
    {
        var account = Account(Invoice("A", 100m)); // issued 30 days ago
        CreditNoteDecisions.Issue(account, new IssueCreditNote("CN1", 10m, Today, "B", "r", "fp")).Rejection!.Code.ShouldBe(ErrorCodes.InvoiceNotFound);
        CreditNoteDecisions.Issue(account, new IssueCreditNote("CN1", 10m, Today.AddDays(-31), "A", "r", "fp")).Rejection!.Code
            .ShouldBe(ErrorCodes.CreditNoteBeforeInvoice);
    }

    [Fact]
    public void The_opening_balance_counts_in_exposure_and_overdue_like_an_invoice_and_payments_settle_it_first_when_oldest()
    {
        var account = Account(Limit(10_000m), new OpeningBalanceRecorded(2500m, Today.AddDays(-60), Today.AddDays(-30)), Invoice("A", 1000m));
        account.Exposure.ShouldBe(3500m);
        var decision = CreditRules.Decide(account, CreditPolicy.Default, null, new(DocumentKind.Invoice, 1m, Today), Today);
        decision.Reasons.ShouldContain(ReasonCodes.OverdueInvoices);

        account = Fold(account, PaymentDecisions.Receive(account, Pay("P1", 2600m)));
        account.Receivables[Receivable.OpeningBalanceId].Open.ShouldBe(0m);
        account.Receivables["A"].Open.ShouldBe(900m);
        CreditRules.Decide(account, CreditPolicy.Default, null, new(DocumentKind.Invoice, 1m, Today), Today).Allowed.ShouldBeTrue();
    }

    [Fact]
    public void The_opening_balance_is_recorded_once()
    {
        var opening = new OpeningBalance(2500m, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31));
        var save = new SaveCustomer("C1", Accounts.Profile(), null, null, null, null, opening, true);
        var account = Account(new OpeningBalanceRecorded(2500m, new DateOnly(2026, 1, 1), new DateOnly(2026, 1, 31)));
        CustomerDecisions.Save(account, save).Events.ShouldBeEmpty();
        CustomerDecisions.Save(account, save with { OpeningBalance = opening with { Amount = 2600m } }).Rejection!.Code
            .ShouldBe(ErrorCodes.OpeningBalanceRecorded);
    }

    [Fact]
    public void Repeating_a_payment_or_a_credit_note_answers_as_the_first_time_whatever_happened_since()
    {
        var account = Account(Invoice("B0", 500m));
        var payment = Pay("P1", 700m);
        var first = PaymentDecisions.Receive(account, payment);
        account = Apply(account, first.Events);
        var note = new IssueCreditNote("N1", 50m, Today, null, "goodwill", "fp-n1");
        var firstNote = CreditNoteDecisions.Issue(account, note);
        account = Apply(account, firstNote.Events);
        // Their credit settles a later invoice (CreditApplied), then the payment bounces.
        account = Apply(account, InvoiceDecisions.Issue(account, IssueCmd("I2", 240m), Context()).Events);
        account = Apply(account, PaymentDecisions.Reverse(account, new ReversePayment("P1", Today, "bounced")).Events);

        var again = PaymentDecisions.Receive(account, payment);
        again.Events.ShouldBeEmpty();
        again.Result.ShouldBeEquivalentTo(first.Result);
        var noteAgain = CreditNoteDecisions.Issue(account, note);
        noteAgain.Events.ShouldBeEmpty();
        noteAgain.Result.ShouldBeEquivalentTo(firstNote.Result);
    }

    [Fact]
    public void Applying_credit_settles_open_items_oldest_first_with_every_credit_and_then_has_nothing_to_do()
    {
        var account = Account(Invoice("A", 100m, dueOffset: -5), Invoice("B", 80m, dueOffset: 10));
        account = Apply(account, PaymentDecisions.Receive(account, Pay("P1", 90m, ("B", 30m))).Events); // 60 left unapplied
        account = Apply(account, CreditNoteDecisions.Issue(account, new IssueCreditNote("N1", 10m, Today.AddDays(-40), null, "r", "fp")).Events);

        var outcome = OpenCredit.ApplyToOpenItems(account, Today);
        outcome.Result!.Applied.Select(a => (a.SourceId, a.AppliedOn)).ShouldBe([("N1", Today), ("P1", Today)]); // oldest credit first
        outcome.Result.Applied.SelectMany(a => a.Allocations).ShouldBe([new InvoiceAllocation("A", 10m), new InvoiceAllocation("A", 60m)]);
        outcome.Result.Unapplied.ShouldBe(0m);
        account = Apply(account, outcome.Events);
        (account.Receivables["A"].Open, account.Receivables["B"].Open, account.Outstanding).ShouldBe((30m, 50m, 80m));

        OpenCredit.ApplyToOpenItems(account, Today).Events.ShouldBeEmpty();
    }
}

