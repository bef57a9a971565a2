using Credit.Domain.Accounts;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Credit.Projections.Balances;

public sealed record OpenItem(string DocumentId, int Installment, DateOnly IssuedOn, DateOnly DueOn, decimal Open);

/// <summary>
/// A customer's position for people and reporting tools, built by the async daemon. Credit decisions never
/// read it: they decide from the account aggregate.
/// </summary>
public sealed class CustomerBalance
{
    public string Id { get; set; } = "";
    /// <summary>Stream version this document reflects: lets a reader wait for its own writes.</summary>
    public long Version { get; set; }
    public string Name { get; set; } = "";
    public string? GroupId { get; set; }
    public string Currency { get; set; } = "";
    public decimal? CreditLimit { get; set; }
    public bool UnlimitedCredit { get; set; }
    public DateOnly? CreditLimitExpiresOn { get; set; }
    public bool OnHold { get; set; }
    public decimal Outstanding { get; set; }
    public decimal OpenOrders { get; set; }
    public decimal HeldOrders { get; set; }
    public int HeldOrderCount { get; set; }
    public decimal UnappliedCredit { get; set; }
    public IReadOnlyList<string> AssignedTo { get; set; } = [];
    public List<OpenItem> OpenItems { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The folded account the figures come from; kept so the next event can be applied to it.</summary>
    public CreditAccount Account { get; set; } = new();
}

/// <summary>Folds the same events with the same domain code as the write model, then flattens for reading.</summary>
public sealed partial class CustomerBalanceProjection : SingleStreamProjection<CustomerBalance, string>
{
    public override CustomerBalance? Evolve(CustomerBalance? snapshot, string id, IEvent e)
    {
        if (e.Data is AccountOpened opened) snapshot = new CustomerBalance { Id = id, Account = CreditAccount.Open(opened) };
        else if (snapshot is null) return null;
        else snapshot.Account.ApplyEvent(e.Data);

        var a = snapshot.Account;
        snapshot.Version = e.Version;
        snapshot.UpdatedAt = e.Timestamp;
        snapshot.Name = a.Profile.Name;
        snapshot.GroupId = a.Profile.GroupId;
        snapshot.Currency = a.Currency;
        snapshot.AssignedTo = a.Profile.AssignedTo;
        snapshot.CreditLimit = a.CreditLimit;
        snapshot.UnlimitedCredit = a.UnlimitedCredit;
        snapshot.CreditLimitExpiresOn = a.CreditLimitExpiresOn;
        snapshot.OnHold = a.OnHold;
        snapshot.Outstanding = a.Outstanding;
        snapshot.OpenOrders = a.OpenOrders;
        snapshot.UnappliedCredit = a.UnappliedCredit;
        var held = a.Orders.Values.Where(o => o.Status == OrderStatus.Held).ToList();
        snapshot.HeldOrders = held.Sum(o => o.Amount);
        snapshot.HeldOrderCount = held.Count;
        snapshot.OpenItems = a.OpenItemsOldestFirst()
            .Select(x => new OpenItem(x.Receivable.Id, x.Installment.No, x.Receivable.IssuedOn, x.Installment.DueOn, x.Installment.Open))
            .ToList();
        return snapshot;
    }
}
