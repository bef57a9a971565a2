using Credit.Domain.Accounts;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Credit.Projections.Accounts;

/// <summary>
/// The write model's fold, registered inline so every append also updates the account's snapshot row.
/// Explicit Evolve keeps Credit.Domain free of Marten and its source generator.
/// </summary>
public sealed partial class CreditAccountProjection : SingleStreamProjection<CreditAccount, string>
{
    public override CreditAccount? Evolve(CreditAccount? snapshot, string id, IEvent e)
    {
        if (e.Data is AccountOpened opened) snapshot = CreditAccount.Open(opened);
        else if (snapshot is null) return null;
        else snapshot.ApplyEvent(e.Data);
        snapshot.Version = (int)e.Version;
        return snapshot;
    }
}
