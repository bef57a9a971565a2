using Credit.Api.Accounts;
using Credit.Api.Errors;
using Credit.Api.Groups;
using Credit.Api.Localization;
using Credit.Domain.Decisions;
using Credit.Domain.Policy;

namespace Credit.Api.Policy;

/// <summary>
/// What a save says at once when a missing exchange rate leaves customers without credit (a customer's save, the
/// policy's), rather than their first refused order: an inherited limit that cannot be converted, a pool that cannot be summed.
/// </summary>
public static class RateWarnings
{
    /// <summary>Whether a customer with these settings inherits a limit the policy cannot convert to its currency.</summary>
    public static bool InheritsUnconvertible(bool unlimitedCredit, decimal? ownLimit, string currency, CustomerGroup? group, CreditPolicy policy) =>
        CreditRules.EffectiveLimitOf(unlimitedCredit, ownLimit, currency, group?.Position(), policy).Unrated;

    /// <summary>The warning for a shared pool the policy cannot sum, as its members' decisions sum it (null: none).</summary>
    public static async Task<ReasonView?> ForPool(CustomerGroup group, CreditPolicy policy, CreditContexts contexts,
        CancellationToken ct) =>
        group.SharedCreditLimit is not null && (await contexts.PoolExposure(group.Id, policy, ct)).Unrated is { } unrated
            ? new(ReasonCodes.ExchangeRateMissing, Text.Phrase("RATE_MISSING_FOR_POOL", unrated, group.Name))
            : null;
}
