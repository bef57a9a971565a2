using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Decisions;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace Credit.Api.Audit;

public static class VerifyHistoryEndpoint
{
    /// <summary>
    /// <c>{ valid, events, headHash }</c>; when invalid, <c>firstBadVersion</c> and what is wrong there. Pass an earlier
    /// review's <c>events</c> and <c>headHash</c> as <c>knownEvents</c> and <c>knownHeadHash</c> to check that history is
    /// still there, unchanged: the only way to catch the newest events removed together with their hashes.
    /// </summary>
    [WolverineGet("/api/customers/{customerId}/history/verify")]
    [Authorize(Roles = Roles.Auditors)]
    [Responds(typeof(HashChain.Verification), 200)]
    public static Task<IResult> Get(string customerId, long? knownEvents, string? knownHeadHash, IQuerySession session, HashChain chain,
        CancellationToken ct) =>
        Answer(customerId, Problems.Result(404, ErrorCodes.CustomerNotFound), knownEvents, knownHeadHash, session, chain, ct);

    /// <summary>One stream's verification; <paramref name="missing"/>: the answer when it does not exist (null: verify the empty history).</summary>
    public static async Task<IResult> Answer(string streamId, IResult? missing, long? knownEvents, string? knownHeadHash,
        IQuerySession session, HashChain chain, CancellationToken ct)
    {
        var bad = new List<(string, string)>();
        if (knownEvents is not null && knownEvents < 1) bad.Add(("knownEvents", "INVALID_RANGE"));
        if (knownHeadHash is not null && !HeadHash.IsMatch(knownHeadHash)) bad.Add(("knownHeadHash", "INVALID_VALUE"));
        if ((knownEvents is null) != (knownHeadHash is null)) bad.Add((knownEvents is null ? "knownEvents" : "knownHeadHash", "REQUIRED"));
        if (bad.Count > 0) return Problems.Validation(bad);
        if (missing is not null && await session.Events.FetchStreamStateAsync(streamId, ct) is null) return missing;
        var known = knownEvents is { } events ? new HashChain.KnownHead(events, knownHeadHash!) : null;
        return Results.Ok(await chain.Verify(streamId, ct, known));
    }

    private static readonly System.Text.RegularExpressions.Regex HeadHash = new(@"^[0-9a-fA-F]{64}\z");
}
