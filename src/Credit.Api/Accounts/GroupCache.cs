using System.Collections.Concurrent;
using Credit.Api.Groups;
using Credit.Projections.Directory;
using Marten;

namespace Credit.Api.Accounts;

/// <summary>
/// Customer groups and their member lists, kept in memory once read. A grouped customer's decision read its group from
/// the database twice, and a pool member's listed every member: a 1,500-member pool made ~180 decisions/s at p50 80 ms
/// under 16 clients, against ~490/s for a pool of 20. Only this process changes them (one API node per database): a group
/// save puts its record here, a committed profile change moves the customer between the lists. A read from the database
/// that any such change overtook is not kept (read again next time): a list read before a move committed would have
/// stayed without the newcomer, its debt out of the pool for good.
/// </summary>
public sealed class GroupCache(IDocumentStore store, Audit.Seals seals, ILogger<GroupCache> log)
{
    private readonly object _changing = new();
    private readonly ConcurrentDictionary<string, CustomerGroup> _groups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _members = new(StringComparer.Ordinal);
    private long _changes;

    /// <summary>The group (null when there is none). The record is shared: only a decision holding its pool's gate changes it.</summary>
    public async Task<CustomerGroup?> Group(string groupId, CancellationToken ct)
    {
        if (_groups.TryGetValue(groupId, out var kept)) return kept;
        var seen = Interlocked.Read(ref _changes);
        await using var session = store.QuerySession();
        var group = await Read(session, groupId, ct);
        if (group is null) return null; // not kept: an unknown id asked for must not take memory
        lock (_changing)
        {
            if (_changes != seen) return _groups.GetValueOrDefault(groupId) ?? group;
            return _groups.GetOrAdd(groupId, group);
        }
    }

    /// <summary>The ids of the group's members, in no particular order (one query when first asked, none after).</summary>
    public async Task<IReadOnlyList<string>> Members(string groupId, CancellationToken ct)
    {
        if (_members.TryGetValue(groupId, out var kept)) return kept;
        var seen = Interlocked.Read(ref _changes);
        await using var session = store.QuerySession();
        var members = (await session.Query<AccountDirectoryEntry>().Where(a => a.GroupId == groupId).Select(a => a.Id).ToListAsync(ct))
            .ToArray();
        lock (_changing)
        {
            if (_changes != seen) return _members.GetValueOrDefault(groupId) ?? members;
            return _members.GetOrAdd(groupId, members);
        }
    }

    /// <summary>A group's record as saved (under the settings' turn and the pool's gate, before either is released).</summary>
    public void Saved(CustomerGroup group)
    {
        lock (_changing)
        {
            _changes++;
            _groups[group.Id] = group;
        }
    }

    /// <summary>
    /// Let go of a group's record and members, read again when next needed: a commit that rewrote the record or moved a
    /// member failed, and may have committed all the same, or left the record with a version never stored.
    /// </summary>
    public void Forget(string groupId)
    {
        lock (_changing)
        {
            _changes++;
            _groups.TryRemove(groupId, out _);
            _members.TryRemove(groupId, out _);
        }
    }

    /// <summary>A customer's committed move between groups (or into its first), under its gate and its pools'.</summary>
    public void Moved(string customerId, string? from, string? to)
    {
        if (from == to) return;
        lock (_changing)
        {
            _changes++;
            if (from is not null && _members.TryGetValue(from, out var left)) _members[from] = [.. left.Where(id => id != customerId)];
            if (to is not null && _members.TryGetValue(to, out var joined) && !joined.Contains(customerId)) _members[to] = [.. joined, customerId];
        }
    }

    /// <summary>
    /// The group record from the database, its limits checked against its seal: one edited in the database (a pool of 100
    /// made 1,000,000) takes its name and limits from the group's latest hash-chained event instead, re-sealed so the next
    /// write mends it.
    /// </summary>
    public async Task<CustomerGroup?> Read(IQuerySession session, string groupId, CancellationToken ct)
    {
        var group = await session.LoadAsync<CustomerGroup>(groupId, ct);
        if (group is null || seals.GroupHolds(group)) return group;
        var saved = (await session.Events.FetchStreamAsync(CustomerGroup.StreamOf(groupId), token: ct))
            .Select(e => e.Data).OfType<GroupSaved>().LastOrDefault();
        if (saved is null) return group;
        if (group.Seal is not null)
            log.LogWarning("Group {Group} does not match its seal (edited outside the API): its last recorded change applies", groupId);
        (group.Name, group.DefaultCreditLimit, group.SharedCreditLimit) = (saved.Name, saved.DefaultCreditLimit, saved.SharedCreditLimit);
        group.Seal = seals.Group(group);
        return group;
    }
}
