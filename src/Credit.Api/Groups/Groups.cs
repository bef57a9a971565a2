using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Domain.Decisions;
using Credit.Api.Holds;
using Credit.Api.Policy;
using Credit.Api.Validation;
using Credit.Domain.Money;
using Credit.Domain.Policy;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine;
using Wolverine.Http;

namespace Credit.Api.Groups;

/// <summary>PUT /api/groups/{groupId}: a customer group's default limit and optional shared pool.</summary>
public sealed record SaveGroupRequest([property: Required] string? Name, decimal? DefaultCreditLimit, decimal? SharedCreditLimit);

/// <summary>Limits, exposure and available in the company currency; members in another currency count at the policy's rate.
/// <c>MissingExchangeRate</c>: a member's currency without one, left out of the exposure (its pool decisions are refused).</summary>
public sealed record GroupView(string GroupId, string Name, string Currency, decimal? DefaultCreditLimit, decimal? SharedCreditLimit,
    decimal Exposure, decimal? Available, int Members, string? MissingExchangeRate);

public sealed class SaveGroupValidator : AbstractValidator<SaveGroupRequest>
{
    public SaveGroupValidator()
    {
        RuleFor(x => x.Name).Must(n => !Rules.IsBlank(n)).WithCode("REQUIRED").Must(n => n is null || n.Length <= 200).WithCode("TOO_LONG")
            .Must(n => Rules.IsPrintable(n)).WithCode("CONTROL_CHARACTERS");
        RuleFor(x => x.DefaultCreditLimit).OptionalLimit();
        RuleFor(x => x.SharedCreditLimit).OptionalLimit();
    }
}

public static class GroupEndpoints
{
    /// <summary>
    /// Creates or replaces a customer group: its default limit for members without their own, and an optional shared
    /// pool checked in addition to each member's limit (both in the company currency). Held orders of its members are
    /// re-checked afterwards.
    /// </summary>
    [WolverinePut("/api/groups/{groupId}")]
    [Authorize(Roles = Roles.Controllers)]
    [Responds(typeof(GroupView), 201)]
    [Responds(typeof(GroupView), 200)]
    public static async Task<IResult> Put(string groupId, SaveGroupRequest request, HttpContext http, IDocumentStore store,
        TimeProvider clock, IMessageBus bus, AccountCache cache, GroupCache groups, CreditContexts contexts, PolicyStore policies,
        SettingsChanges settings, CancellationToken ct)
    {
        // A group's limits are in the company's currency (the policy's), so that currency's minor unit bounds them.
        var currency = (await policies.Current(ct)).Currency;
        var imprecise = new[] { ("defaultCreditLimit", request.DefaultCreditLimit), ("sharedCreditLimit", request.SharedCreditLimit) }
            .Where(f => f.Item2 is { } a && !Currency.FitsMinorUnit(a, currency)).Select(f => (f.Item1, "AMOUNT_PRECISION")).ToList();
        if (imprecise.Count > 0) return Problems.Validation(imprecise);

        var caller = Caller.Of(http);
        // The pool's gate: no member decision is between reading and rewriting the group meanwhile.
        var gate = cache.PoolGate(groupId);
        await gate.WaitAsync(ct);
        try
        {
            return await Save(groupId, request, caller, store, clock, bus, groups, contexts, policies, settings, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<IResult> Save(string groupId, SaveGroupRequest request, Caller caller, IDocumentStore store,
        TimeProvider clock, IMessageBus bus, GroupCache groups, CreditContexts contexts, PolicyStore policies, SettingsChanges settings,
        CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.CorrelationId = caller.CorrelationId;
        session.LastModifiedBy = caller.User;
        // Read and written between two commits of decisions. A member's decision on the group as it was is decided again
        // (a member inheriting the group's default limit takes no pool gate, nor does one of a group about to become a
        // pool); and no member's commit (a customer joining rewrites the pool's record) comes between the read and the
        // write, which failed on the record's version with a 409 to the controller.
        var (group, created, changed) = await settings.ChangeGroup(groupId, async () =>
        {
            var group = await session.LoadAsync<CustomerGroup>(groupId, ct);
            // Saved as it stands: nothing changed, nothing recorded (its history lists changes, not saves).
            // (A record whose seal fails is saved again, so it is whole.)
            if (group is not null && group.Name == request.Name!.Trim() && group.DefaultCreditLimit == request.DefaultCreditLimit
                && group.SharedCreditLimit == request.SharedCreditLimit && contexts.Seals.GroupHolds(group))
                return ((group, false, false), false);
            var created = group is null;
            group ??= new CustomerGroup { Id = groupId };
            group.Name = request.Name!.Trim();
            group.DefaultCreditLimit = request.DefaultCreditLimit;
            group.SharedCreditLimit = request.SharedCreditLimit;
            group.UpdatedBy = caller.User;
            group.UpdatedAt = clock.GetUtcNow();
            group.Seal = contexts.Seals.Group(group);
            session.Store(group);
            session.Events.Append(CustomerGroup.StreamOf(groupId), new GroupSaved(groupId, group.Name, group.DefaultCreditLimit, group.SharedCreditLimit));
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch
            {
                groups.Forget(groupId); // it may have committed before it failed
                throw;
            }
            groups.Saved(group); // before the turn ends: the next decision reads it
            return ((group, created, true), true);
        }, ct);
        if (!changed) return Results.Ok(await View(group, contexts, await policies.Current(ct), ct));
        await bus.PublishAsync(new ReviewGroupHolds(groupId), new DeliveryOptions { CorrelationId = caller.CorrelationId });

        var view = await View(group, contexts, await policies.Current(ct), ct);
        return created ? Results.Created($"/api/groups/{groupId}", view) : Results.Ok(view);
    }

    /// <summary>
    /// A customer group with its members' combined exposure and the pool's available credit, in the company currency
    /// (members in other currencies at the policy's rates; missingExchangeRate names one without).
    /// </summary>
    [WolverineGet("/api/groups/{groupId}")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(GroupView), 200)]
    public static async Task<IResult> Get(string groupId, CreditContexts contexts, PolicyStore policies, CancellationToken ct)
    {
        var group = await contexts.Group(groupId, ct);
        return group is null ? Problems.Result(404, ErrorCodes.GroupNotFound)
            : Results.Ok(await View(group, contexts, await policies.Current(ct), ct));
    }

    /// <summary>
    /// Every customer group, by id, with its pool's exposure and available credit (a controller's overview; a group's members
    /// and their figures are GET /api/customers?groupId=). Optional limit/offset page it (X-Total-Count, Link rel="next").
    /// </summary>
    [WolverineGet("/api/groups")]
    [Authorize(Roles = Roles.Readers)]
    [Responds(typeof(GroupView[]), 200)]
    public static async Task<IResult> List(int? limit, int? offset, HttpContext http, IQuerySession session, CreditContexts contexts,
        PolicyStore policies, CancellationToken ct)
    {
        if (Hosting.Paging.Invalid(limit, offset) is { } badPage) return badPage;
        var ids = (await session.Query<CustomerGroup>().Select(g => g.Id).ToListAsync(ct)).Order(StringComparer.Ordinal).ToList();
        var page = Hosting.Paging.Slice(ids, limit, offset, http);
        var policy = await policies.Current(ct);
        var views = new List<GroupView>(page.Count);
        foreach (var id in page)
            if (await contexts.Group(id, ct) is { } group) views.Add(await View(group, contexts, policy, ct));
        return Results.Ok(views);
    }

    private static async Task<GroupView> View(CustomerGroup group, CreditContexts contexts, CreditPolicy policy, CancellationToken ct)
    {
        var members = await contexts.Members(group.Id, ct);
        var (exposure, unrated) = await contexts.PoolExposure(group.Id, policy, ct);
        exposure = Currency.Round(exposure, policy.Currency);
        return new GroupView(group.Id, group.Name, policy.Currency, group.DefaultCreditLimit, group.SharedCreditLimit, exposure,
            group.SharedCreditLimit - exposure, members.Count, unrated);
    }
}
