using Credit.Api.Auth;
using Credit.Api.Holds;
using Credit.Api.Validation;
using Credit.Domain.Money;
using Credit.Domain.Policy;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine;
using Wolverine.Http;

namespace Credit.Api.Policy;

/// <summary>PUT /api/policy: the company-wide credit settings. Absent fields take their defaults.</summary>
public sealed record PolicyRequest(
    decimal? DefaultCreditLimit,
    int? GraceDays,
    decimal? OrderReviewThreshold,
    int? ReminderDaysBefore,
    int[]? AgingBuckets,
    int[]? DsoWindowsMonths,
    string? Currency,
    [property: OneOf(typeof(RuleMode))] Dictionary<string, string>? Rules,
    Dictionary<string, decimal>? ExchangeRates);

public sealed record PolicyView(
    decimal? DefaultCreditLimit, int GraceDays, decimal? OrderReviewThreshold, int ReminderDaysBefore,
    IReadOnlyList<int> AgingBuckets, IReadOnlyList<int> DsoWindowsMonths, string Currency, [property: OneOf(typeof(RuleMode))] IReadOnlyDictionary<string, string> Rules,
    IReadOnlyDictionary<string, decimal> ExchangeRates,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<Errors.ReasonView>? Warnings = null)
{
    public static PolicyView Of(CreditPolicy p) => new(p.DefaultCreditLimit, p.GraceDays, p.OrderReviewThreshold, p.ReminderDaysBefore,
        p.AgingBuckets, p.DsoWindowsMonths, p.Currency,
        ReasonCodes.Configurable.ToDictionary(c => c, c => p.ModeOf(c).ToString().ToLowerInvariant()), p.ExchangeRates);
}

public sealed class PolicyValidator : AbstractValidator<PolicyRequest>
{
    public const int MaxFigures = 12;

    private static readonly string[] Modes = ["block", "warn", "off"];

    public PolicyValidator()
    {
        RuleFor(x => x.DefaultCreditLimit).OptionalLimit().FitsCurrency(x => x.Currency);
        RuleFor(x => x.OrderReviewThreshold).OptionalLimit().FitsCurrency(x => x.Currency);
        RuleFor(x => x.GraceDays).InclusiveBetween(0, 3650).WithCode("INVALID_RANGE");
        RuleFor(x => x.ReminderDaysBefore).InclusiveBetween(0, 365).WithCode("INVALID_RANGE");
        // At most 12 of each: every balance, report row and statistics answer carries one figure per bucket or window
        // (5,000 windows made the DSO report 40 MB).
        RuleFor(x => x.AgingBuckets).Must(b => b!.Length is > 0 and <= MaxFigures && b.All(d => d is > 0 and <= 3650) && b.Zip(b.Skip(1)).All(p => p.First < p.Second))
            .When(x => x.AgingBuckets is not null).WithCode("INVALID_VALUE");
        RuleFor(x => x.DsoWindowsMonths).Must(w => w!.Length is > 0 and <= MaxFigures && w.All(m => m is > 0 and <= 120) && w.Distinct().Count() == w.Length)
            .When(x => x.DsoWindowsMonths is not null).WithCode("INVALID_VALUE");
        RuleFor(x => x.Currency).Must(c => c is null || Currency.IsKnown(c)).WithCode("INVALID_CURRENCY");
        // Each bad entry named by its rule ("rules[NO_CREDIT]"), not by its place in the object.
        RuleFor(x => x.Rules).Custom((rules, context) =>
        {
            foreach (var (code, mode) in rules ?? [])
                if (!ReasonCodes.Configurable.Contains(code) || !Modes.Contains(mode))
                    context.AddFailure(new FluentValidation.Results.ValidationFailure($"Rules[{code}]", Localization.Text.Of("INVALID_VALUE"))
                        { ErrorCode = "INVALID_VALUE" });
        });
        // A rate is company-currency units per unit of another currency; the company's own currency needs none.
        RuleFor(x => x.ExchangeRates).Must(rates => rates!.Keys.All(Currency.IsKnown))
            .When(x => x.ExchangeRates is not null).WithCode("INVALID_CURRENCY");
        RuleFor(x => x.ExchangeRates).Must((x, rates) => !rates!.ContainsKey(x.Currency ?? Currency.Default))
            .When(x => x.ExchangeRates is not null).WithCode("RATE_FOR_COMPANY_CURRENCY");
        RuleFor(x => x.ExchangeRates).Must(rates => rates!.Values.All(r => r is > 0m and <= 1_000_000m && decimal.Round(r, 10) == r))
            .When(x => x.ExchangeRates is not null).WithCode("INVALID_RATE");
    }

    public static CreditPolicy ToPolicy(PolicyRequest r) => new()
    {
        DefaultCreditLimit = r.DefaultCreditLimit,
        GraceDays = r.GraceDays ?? 0,
        OrderReviewThreshold = r.OrderReviewThreshold,
        ReminderDaysBefore = r.ReminderDaysBefore ?? 3,
        AgingBuckets = r.AgingBuckets ?? [30, 60, 90],
        DsoWindowsMonths = r.DsoWindowsMonths ?? [3, 12],
        Currency = r.Currency ?? Currency.Default,
        Rules = ReasonCodes.Configurable.ToDictionary(c => c,
            c => r.Rules?.GetValueOrDefault(c) switch { "warn" => RuleMode.Warn, "off" => RuleMode.Off, _ => RuleMode.Block }),
        ExchangeRates = new SortedDictionary<string, decimal>(r.ExchangeRates ?? [], StringComparer.Ordinal),
    };
}

public static class PolicyEndpoints
{
    /// <summary>
    /// The company credit policy: default limit, grace days, order review threshold, reminder lead, aging buckets, DSO
    /// windows, currency, exchange rates and each configurable rule's mode (block, warn, off).
    /// </summary>
    [WolverineGet("/api/policy")]
    [Authorize(Roles = Roles.Controllers + "," + Roles.Auditor)]
    public static async Task<PolicyView> Get(PolicyStore policies, CancellationToken ct) => PolicyView.Of(await policies.Current(ct));

    /// <summary>
    /// Replaces the company credit policy (a field left out takes its default: send the whole object). Group and
    /// company limits are in its currency; exchangeRates (company-currency units per unit) convert them for customers
    /// in other currencies (the review threshold too: an order in another currency is converted to be compared). Held orders
    /// are re-checked when the default limit rose or the currency changed, and for a new or changed rate those it can free
    /// (customers in its currency inheriting a limit, orders in it held for the review threshold when the rate is new or
    /// lower, shared pools with a member in it); rule modes, grace days and the review threshold apply to documents decided
    /// afterwards. The answer's warnings name who the policy leaves without credit for want of a rate.
    /// </summary>
    [WolverinePut("/api/policy")]
    [Authorize(Roles = Roles.Controllers)]
    public static async Task<PolicyView> Put(PolicyRequest request, HttpContext http, PolicyStore policies, IMessageBus bus,
        Reporting.ReportingReads reads, Accounts.AccountCache cache, Accounts.CreditContexts contexts, Marten.IQuerySession session,
        CancellationToken ct)
    {
        var policy = PolicyValidator.ToPolicy(request);
        var caller = Caller.Of(http);
        var before = await policies.Save(policy, caller, ct);
        // A new company limit is a new limit for every customer inheriting it: their held orders may pass now. A new rate
        // only for the customers in its currency and the pools they are in (a review under the policy of the day would
        // otherwise release, across the company, orders held for a rule relaxed since: left to a controller).
        var options = new DeliveryOptions { CorrelationId = caller.CorrelationId };
        if (policy.MayRaiseEveryLimit(before)) await bus.PublishAsync(new ReviewAllHolds(), options);
        else if (policy.ChangedRates(before) is { Count: > 0 } rates)
            await bus.PublishAsync(new ReviewAllHolds([.. rates], [.. rates.Where(r => !before.ExchangeRates.ContainsKey(r))],
                [.. policy.LoweredRates(before)]), options);
        return PolicyView.Of(policy) with { Warnings = await WarningsOf(policy, reads, cache, contexts, session, ct) };
    }

    /// <summary>
    /// Who the policy as saved leaves without credit for want of a rate, said at once (a rate removed, a currency changed):
    /// customers in a currency without one that inherit a limit, and shared pools with such a member. Reads the customers
    /// from the reporting model (a customer saved a moment ago may be missing) and each pool as its members' decisions sum it.
    /// </summary>
    private static async Task<IReadOnlyList<Errors.ReasonView>> WarningsOf(CreditPolicy policy, Reporting.ReportingReads reads,
        Accounts.AccountCache cache, Accounts.CreditContexts contexts, Marten.IQuerySession session, CancellationToken ct)
    {
        // Each group as decisions read it (its seal checked), not the row as stored.
        var groups = new Dictionary<string, Groups.CustomerGroup>(StringComparer.Ordinal);
        foreach (var id in await session.Query<Groups.CustomerGroup>().Select(g => g.Id).ToListAsync(ct))
            if (await contexts.Group(id, ct) is { } group) groups[id] = group;
        var inheriting = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in await reads.Customers(null, ct))
        {
            if (c.Currency == policy.Currency || policy.ExchangeRates.ContainsKey(c.Currency)) continue;
            var g = c.GroupId is null ? null : groups.GetValueOrDefault(c.GroupId);
            // A supplier-only contact is sold nothing: its limit matters to no one.
            if (RateWarnings.InheritsUnconvertible(c.UnlimitedCredit, c.CreditLimit, c.Currency, g, policy)
                && (await cache.Loaded(c.CustomerId, ct)).Position.BuysFromUs)
                inheriting[c.Currency] = inheriting.GetValueOrDefault(c.Currency) + 1;
        }
        var warnings = inheriting.Select(x => new Errors.ReasonView(ReasonCodes.ExchangeRateMissing,
            Localization.Text.Phrase("RATE_MISSING_FOR_INHERITING_CUSTOMERS", x.Value, x.Key))).ToList();
        foreach (var group in groups.Values.OrderBy(g => g.Id, StringComparer.Ordinal))
            if (await RateWarnings.ForPool(group, policy, contexts, ct) is { } pool) warnings.Add(pool);
        return warnings;
    }
}
