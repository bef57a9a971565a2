using Credit.Domain.Accounts;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Credit.Projections.Accounts;

/// <summary>
/// The write model's fold for Marten, registered live: cold loads and time travel fold a stream (from a
/// checkpoint) through it. Explicit Evolve keeps Credit.Domain free of Marten and its source generator.
/// </summary>
public sealed partial class CreditAccountProjection : SingleStreamProjection<CreditAccount, string>
{
    public override CreditAccount? Evolve(CreditAccount? snapshot, string id, IEvent e)
    {
        snapshot = CreditAccount.Fold(snapshot, e.Data);
        if (snapshot is not null) snapshot.Version = (int)e.Version; // the stream's own numbering wins
        return snapshot;
    }
}
