using System.Collections.Concurrent;

namespace Credit.Api.Holds;

/// <summary>
/// Which review requests of a pool a pass has already covered. Every member payment asks for a review of the pool's
/// holds; under load thousands queued, each a full pass, and the queue fell half an hour behind (a released order waited
/// that long). A request is numbered under the pool's gate and counts once its decision has committed; a pass reads,
/// under the same gate, the number reached before it looks at anything, so it sees every decision up to that number,
/// and requests up to it need no pass of their own. In memory: this node is the only one (Solo mode), and after a restart
/// the first pass covers all that came before.
/// </summary>
public sealed class PoolReviews
{
    private readonly ConcurrentDictionary<string, long> _committed = new(), _covered = new(), _passes = new();

    /// <summary>The number a decision's request will carry; asked under the pool's gate, before the commit.</summary>
    public long Next(string groupId) => _committed.GetValueOrDefault(groupId) + 1;

    /// <summary>The decision asking for review <paramref name="number"/> committed; told under the pool's gate.</summary>
    public void Committed(string groupId, long number) => _committed[groupId] = number;

    /// <summary>Every request up to this one has committed; read under the pool's gate, as a pass begins.</summary>
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
