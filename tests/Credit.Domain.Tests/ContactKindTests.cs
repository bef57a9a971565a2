using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Invoicing;
using Credit.Domain.Orders;
using Credit.Domain.Payments;
using static Credit.Domain.Tests.DecisionKit;

namespace Credit.Domain.Tests;

/// <summary>A contact we only buy from (AurPOS's "مورد") takes no sales documents; "both" and "customer" do.</summary>
public class ContactKindTests
{
    private static ProfileUpdated As(ContactKind kind) => new(Accounts.Profile() with { Kind = kind });

    private static IssueInvoice NewInvoice(string id, decimal amount) =>
        new(id, amount, Today, null, null, null, null, null, "fp-" + id);

    [Theory]
    [InlineData(ContactKind.Supplier, false)]
    [InlineData(ContactKind.Both, true)]
    [InlineData(ContactKind.Customer, true)]
    public void Only_a_contact_that_buys_from_us_gets_orders_and_invoices(ContactKind kind, bool sells)
    {
        var account = Account(Limit(1000m), As(kind));

        var order = OrderDecisions.Place(account, Order("O1", 10m), Context());
        var invoice = InvoiceDecisions.Issue(account, NewInvoice("I1", 10m), Context());

        foreach (var rejection in new[] { order.Rejection, invoice.Rejection })
        {
            if (sells) rejection.ShouldBeNull();
            else
            {
                rejection!.Kind.ShouldBe(RejectionKind.InvalidState);
                rejection.Code.ShouldBe(ErrorCodes.NotACustomer);
            }
        }
    }

    [Fact]
    public void A_customer_turned_supplier_still_repeats_its_documents_and_settles_what_it_owes()
    {
        var account = Account(Limit(1000m), Accounts.Invoice("I1", 100m), As(ContactKind.Supplier));

        var repeat = InvoiceDecisions.Issue(account, NewInvoice("I1", 100m) with { Fingerprint = "fp-I1" }, Context());
        repeat.Rejection.ShouldBeNull();
        repeat.Events.ShouldBeEmpty();

        var paid = PaymentDecisions.Receive(account, new ReceivePayment("P1", 100m, Today, null, "fp-P1"));
        paid.Rejection.ShouldBeNull();
        paid.Result!.Allocations.ShouldBe([new InvoiceAllocation("I1", 100m)]);
    }

    [Fact]
    public void A_contact_turned_supplier_has_its_held_orders_rejected_or_cancelled_never_released()
    {
        var account = Account(Limit(100m), Held("O1", 150m, Credit.Domain.Policy.ReasonCodes.CreditLimitExceeded), As(ContactKind.Supplier), Limit(1000m));

        OrderDecisions.ReleaseWhatNowPasses(account, Context()).Events.ShouldBeEmpty(); // the new limit would pass it
        OrderDecisions.Release(account, "O1", "ok", "boss").Rejection!.Code.ShouldBe(ErrorCodes.NotACustomer);
        OrderDecisions.Reject(account, "O1", "supplier now").Rejection.ShouldBeNull();
    }
}
