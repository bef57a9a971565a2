using Credit.Domain.Accounts;

namespace Credit.Domain.Tests;

/// <summary>Builds accounts from events, the way the event store does.</summary>
public static class Accounts
{
    public static readonly DateOnly Today = new(2026, 11, 23);

    public static CustomerProfile Profile(string? group = null, bool bypass = false, string currency = "SAR") =>
        new("الصحيفي للأجهزة الإلكترونية", group, currency, ContactKind.Customer, [], bypass, null);

    public static CreditAccount With(decimal? limit, params object[] more) =>
        CreditAccount.From([new AccountOpened("C1", Profile()), new LimitSet(limit, false, null, null), .. more]);

    public static InvoiceIssued Invoice(string id, decimal amount, DateOnly? issued = null, DateOnly? due = null, string? order = null)
    {
        var on = issued ?? Today;
        var dueOn = due ?? on.AddDays(30);
        return new InvoiceIssued(id, amount, on, dueOn, [new Installment(dueOn, amount)], order, [], null, "fp-" + id);
    }
}
