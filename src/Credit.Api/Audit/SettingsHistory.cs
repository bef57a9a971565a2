using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Decisions;
using Credit.Api.Groups;
using Credit.Api.Policy;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace Credit.Api.Audit;

/// <summary>
/// Who changed the company policy or a group, when and to what: the settings that decide every customer's credit
/// have their own hash-chained history, read and verified like an account's.
/// </summary>
public static class SettingsHistoryEndpoints
{
    /// <summary>Every change of the company policy (PolicySet, the whole policy each time), oldest first, paged like an account's
    /// history; empty while the policy was never set.</summary>
    [WolverineGet("/api/policy/history")]
    [Authorize(Roles = Roles.Auditors)]
    [Responds(typeof(HistoryEntry[]), 200)]
    public static Task<IResult> Policy(long? fromVersion, int? limit, string? format, HttpContext http, IQuerySession session,
        HashChain chain, IOptions<JsonOptions> json, CancellationToken ct) =>
        GetHistoryEndpoint.Answer(PolicyStore.StreamId, null, fromVersion, limit, format, http, session, chain, json, ct);

    /// <summary>The policy history's hash chain, checked like an account's (knownEvents/knownHeadHash).</summary>
    [WolverineGet("/api/policy/history/verify")]
    [Authorize(Roles = Roles.Auditors)]
    [Responds(typeof(HashChain.Verification), 200)]
    public static Task<IResult> VerifyPolicy(long? knownEvents, string? knownHeadHash, IQuerySession session, HashChain chain, CancellationToken ct) =>
        VerifyHistoryEndpoint.Answer(PolicyStore.StreamId, null, knownEvents, knownHeadHash, session, chain, ct);

    /// <summary>Every change of a customer group (GroupSaved: name, default and shared limits), oldest first.</summary>
    [WolverineGet("/api/groups/{groupId}/history")]
    [Authorize(Roles = Roles.Auditors)]
    [Responds(typeof(HistoryEntry[]), 200)]
    public static Task<IResult> Group(string groupId, long? fromVersion, int? limit, string? format, HttpContext http, IQuerySession session,
        HashChain chain, IOptions<JsonOptions> json, CancellationToken ct) =>
        GetHistoryEndpoint.Answer(CustomerGroup.StreamOf(groupId), Problems.Result(404, ErrorCodes.GroupNotFound), fromVersion, limit, format,
            http, session, chain, json, ct);

    /// <summary>A group history's hash chain, checked like an account's.</summary>
    [WolverineGet("/api/groups/{groupId}/history/verify")]
    [Authorize(Roles = Roles.Auditors)]
    [Responds(typeof(HashChain.Verification), 200)]
    public static Task<IResult> VerifyGroup(string groupId, long? knownEvents, string? knownHeadHash, IQuerySession session, HashChain chain,
        CancellationToken ct) =>
        VerifyHistoryEndpoint.Answer(CustomerGroup.StreamOf(groupId), Problems.Result(404, ErrorCodes.GroupNotFound), knownEvents, knownHeadHash,
            session, chain, ct);
}
