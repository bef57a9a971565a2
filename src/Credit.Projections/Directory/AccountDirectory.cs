using Credit.Domain.Accounts;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace Credit.Projections.Directory;

/// <summary>
/// Who the customers are, for lookups across accounts (a group's members, assignment filters): one small
/// row per customer, written inline and only when a profile changes, so invoices and payments never touch it.
/// </summary>
public sealed class AccountDirectoryEntry
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? GroupId { get; set; }
    public IReadOnlyList<string> AssignedTo { get; set; } = [];

    public static AccountDirectoryEntry Of(string id, CustomerProfile p) =>
        new() { Id = id, Name = p.Name, GroupId = p.GroupId, AssignedTo = p.AssignedTo };
}

public sealed partial class AccountDirectoryProjection : EventProjection
{
    /// <summary>The events this inline projection reacts to: appends of any other event need not run it.</summary>
    public static readonly IReadOnlyList<Type> Handles = [typeof(AccountOpened), typeof(ProfileUpdated)];

    public AccountDirectoryEntry Create(IEvent<AccountOpened> e) => AccountDirectoryEntry.Of(e.StreamKey!, e.Data.Profile);

    public void Project(IEvent<ProfileUpdated> e, IDocumentOperations ops) => ops.Store(AccountDirectoryEntry.Of(e.StreamKey!, e.Data.Profile));
}
