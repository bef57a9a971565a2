using System.Collections.Concurrent;

namespace Credit.Api.Holds;

/// <summary>
/// Which review requests of a pool a pass has already covered. Every member payment asks for a review of the pool's
/// holds; under load thousands queued, each a full pass, and the queue fell half an hour behind (a released order waited
/// that long). A request is numbered under the pool's gate and counts once its decision has committed; a pass reads,
/// under the same gate, the number reached before it looks at anything, so it sees every decision up to that number,
/// and requests up to it need no pass of their own; while one is queued and its pass not begun, a decision queues none.
/// In memory: this node is the only one (Solo mode), and after a restart the first pass covers all that came before (the
/// queued requests are durable).
/// </summary>
public sealed class PoolReviews
{
    private readonly ConcurrentDictionary<string, long> _committed = new(), _covered = new(), _passes = new();
    private readonly ConcurrentDictionary<string, bool> _waiting = new();

    /// <summary>The number a decision's request will carry; asked under the pool's gate, before the commit.</summary>
    public long Next(string groupId) => _committed.GetValueOrDefault(groupId) + 1;

    /// <summary>
    /// Whether a request is queued whose pass has not begun: asked under the pool's gate, before the commit. That pass
    /// will begin under the same gate, after this decision has committed, and see it: the decision need queue no request
    /// of its own. (One durable message per member payment queued ~80 a second under load; at ~10,000 Wolverine's local
    /// queue pushed back on the commits that publish them and every write stopped.)
    /// </summary>
    public bool PassWaiting(string groupId) => _waiting.GetValueOrDefault(groupId);

    /// <summary>The decision asking for review <paramref name="number"/> committed, its request queued; told under the pool's gate.</summary>
    public void Committed(string groupId, long number)
    {
        _committed[groupId] = number;
        _waiting[groupId] = true;
    }

    /// <summary>A pass begins, under the pool's gate: it sees every decision committed so far, the number returned.</summary>
    public long Begin(string groupId)
    {
        _waiting[groupId] = false;
        return CommittedSoFar(groupId);
    }

    /// <summary>Every request up to this one has committed.</summary>
    public long CommittedSoFar(string groupId) => _committed.GetValueOrDefault(groupId);

    /// <summary>A pass that began at <paramref name="upTo"/> has finished.</summary>
    public void Covered(string groupId, long upTo)
    {
        _covered.AddOrUpdate(groupId, upTo, (_, c) => Math.Max(c, upTo));
        _passes.AddOrUpdate(groupId, 1, (_, n) => n + 1);
    }

    /// <summary>How many passes over the pool's holds have run (since start).</summary>
    public long Passes(string groupId) => _passes.GetValueOrDefault(groupId);

    public bool IsCovered(string groupId, long number) => _covered.GetValueOrDefault(groupId) >= number;
}
