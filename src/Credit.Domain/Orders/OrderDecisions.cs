using Credit.Domain.Accounts;
using Credit.Domain.Decisions;

namespace Credit.Domain.Orders;

public sealed record PlaceOrder(string OrderId, decimal Amount, DateOnly OrderedOn, PaymentTerms? PaymentTerms, RequestPrint Fingerprint);

/// <summary>A payment that bounced in a shared pool: whose, which, and what it was worth in the company currency;
/// BouncedSince, what that customer's payments that came before a grant and bounced since it were worth (this one among
/// them): more than the pool had to spare at the grant, and the grant needed them.</summary>
public sealed record PoolBounce(string CustomerId, string PaymentId, decimal Worth, decimal? BouncedSince = null);

public sealed record OrderResult(string OrderId, OrderStatus Status, decimal Amount, IReadOnlyList<string> Reasons, IReadOnlyList<string> Warnings);

/// <summary>Orders are approved or held by the same credit decision as invoices; controllers settle holds.</summary>
public static class OrderDecisions
{
    public const string SystemUser = "system";

    public static Outcome<OrderResult> Place(CreditAccount account, PlaceOrder cmd, CreditContext ctx)
    {
        if (account.Orders.TryGetValue(cmd.OrderId, out var existing))
            return Outcome<OrderResult>.Again(cmd.Fingerprint.Repeats(existing.Fingerprint, existing.OrderedOn), () => PlacementOf(existing));
        if (!account.Profile.BuysFromUs) return Outcome<OrderResult>.Reject(RejectionKind.InvalidState, ErrorCodes.NotACustomer);
        if (!Money.Currency.FitsMinorUnit(cmd.Amount, account.Currency))
            return Outcome<OrderResult>.Invalid("amount", "AMOUNT_PRECISION");

        var request = new CreditRequest(DocumentKind.Order, cmd.Amount, cmd.OrderedOn, cmd.PaymentTerms);
        var decision = CreditRules.Decide(account, ctx.Policy, ctx.Group, request, ctx.Today);
        var (spare, poolSpare) = SpareAfter(decision, request, ctx, account.Profile.BypassCreditCheckAtOrder);
        object placed = decision.Allowed
            ? new OrderApproved(cmd.OrderId, cmd.Amount, cmd.OrderedOn, cmd.PaymentTerms, decision.Warnings, cmd.Fingerprint.For(cmd.OrderedOn),
                spare, poolSpare)
            : new OrderHeld(cmd.OrderId, cmd.Amount, cmd.OrderedOn, cmd.PaymentTerms, decision.Reasons, decision.Warnings, cmd.Fingerprint.For(cmd.OrderedOn));
        var status = decision.Allowed ? OrderStatus.Approved : OrderStatus.Held;
        return Outcome<OrderResult>.Accept(new OrderResult(cmd.OrderId, status, cmd.Amount, decision.Reasons, decision.Warnings), placed);
    }

    /// <summary>Releasing grants the sale: not to a contact that has become a supplier only (reject or cancel it instead).
    /// A controller releasing what the system released records it as theirs (<see cref="ReleaseConfirmed"/>): answered as a
    /// repeat, it stayed the system's, which a bounced payment takes back.</summary>
    public static Outcome<OrderResult> Release(CreditAccount account, string orderId, string reason, string by)
    {
        var order = account.Orders.GetValueOrDefault(orderId);
        if (!account.Profile.BuysFromUs && order?.Status == OrderStatus.Held)
            return Outcome<OrderResult>.Reject(RejectionKind.InvalidState, ErrorCodes.NotACustomer);
        if (order is { Status: OrderStatus.Released, GrantedAt: > 0 } && by != SystemUser)
            return Outcome<OrderResult>.Accept(ResultOf(order), new ReleaseConfirmed(orderId, reason, by));
        return Settle(account, orderId, OrderStatus.Released, [OrderStatus.Held], () => new HoldReleased(orderId, reason, by));
    }

    public static Outcome<OrderResult> Reject(CreditAccount account, string orderId, string reason) =>
        Settle(account, orderId, OrderStatus.Rejected, [OrderStatus.Held], () => new OrderRejected(orderId, reason));

    public static Outcome<OrderResult> Cancel(CreditAccount account, string orderId, string reason) =>
        Settle(account, orderId, OrderStatus.Cancelled, [OrderStatus.Approved, OrderStatus.Held, OrderStatus.Released],
            () => new OrderCancelled(orderId, reason));

    public const string AutoReleaseReason = "Credit position improved: no blocking rule holds it";

    /// <summary>
    /// Held orders, oldest first, released when they now pass every rule. Each release counts towards the
    /// next one's exposure, so together they never exceed a limit. One still held whose failing rules changed records
    /// the ones that hold it now (the queue showed a hold reason long lifted). The result: how many were released.
    /// </summary>
    public static Outcome<int> ReleaseWhatNowPasses(CreditAccount account, CreditContext ctx)
    {
        if (!account.Profile.BuysFromUs) return Outcome<int>.Accept(0); // a supplier's orders wait for a controller to reject them
        var happened = new List<object>();
        var granted = 0m;
        foreach (var order in account.HeldOrders.OrderBy(o => o.HeldSince).ThenBy(o => o.Sequence))
        {
            if (Recheck(account, order, granted, ctx) is not { } change) continue;
            happened.Add(change);
            if (change is HoldReleased && order.Counted) granted += order.Amount;
        }
        return Outcome<int>.Accept(happened.Count(e => e is HoldReleased), [.. happened]);
    }

    /// <summary>
    /// One held order re-checked on its own (a pool's holds are taken across its members, longest waiting first): released
    /// by the system when no blocking rule holds it now, else left held (with the rules that hold it now, if they changed).
    /// </summary>
    public static Outcome<int> ReleaseIfPasses(CreditAccount account, string orderId, CreditContext ctx)
    {
        if (!account.Profile.BuysFromUs || !account.Orders.TryGetValue(orderId, out var order) || order.Status != OrderStatus.Held)
            return Outcome<int>.Accept(0);
        return Recheck(account, order, 0m, ctx) is { } change ? Outcome<int>.Accept(change is HoldReleased ? 1 : 0, change) : Outcome<int>.Accept(0);
    }

    /// <summary>The rules a payment can have made pass: what it paid counted against the limits and settled overdue items.</summary>
    private static readonly HashSet<string> RestOnPayments =
    [
        Policy.ReasonCodes.NoCredit, Policy.ReasonCodes.CreditLimitExceeded, Policy.ReasonCodes.GroupLimitExceeded,
        Policy.ReasonCodes.OverdueInvoices, Policy.ReasonCodes.ExchangeRateMissing,
    ];

    /// <summary>
    /// After a payment bounced (<paramref name="reversal"/>: the account before and after it): the orders the system granted
    /// after that payment came, and still open, are decided again oldest grant first as if it had never come, and those
    /// that no longer pass for a rule the payment had satisfied are held again (a clerk recording a payment, then
    /// reversing it, must not leave credit nobody approved). A controller's release stands: a person decided it. So does
    /// an order that now fails only rules no payment touches (a review threshold lowered since it was approved).
    /// </summary>
    public static IReadOnlyList<object> HoldAgainWhatRestedOn(Entailment reversal, string paymentId)
    {
        var (before, after) = (reversal.Before, reversal.After);
        if (!after.Payments.TryGetValue(paymentId, out var payment) || !payment.Reversed) return [];
        var granted = after.Orders.Values
            .Where(o => o.GrantedAt > payment.ReceivedAt && o.CountsAsExposure)
            .OrderBy(o => o.GrantedAt)
            .ToList();
        var withdrawn = granted.Sum(o => o.Amount);
        var kept = 0m;
        var heldAgain = new List<object>();
        foreach (var order in granted)
        {
            // The exposure without any of them, plus those kept so far: together they never exceed a limit again.
            var request = new CreditRequest(DocumentKind.Order, order.Amount, order.OrderedOn, order.PaymentTerms, kept - withdrawn, Unchecked: false);
            var without = CreditRules.Decide(after, reversal.AfterContext.Policy, reversal.AfterContext.Group, request, reversal.AfterContext.Today);
            if (!without.Allowed)
            {
                // Held again for a rule the payment satisfied: one that fails without it and passed with it. An order
                // failing as much with the payment counted (a limit lowered since, an invoice fallen overdue) is left to a
                // controller, as a lowered limit leaves what it already granted...
                var with = CreditRules.Decide(before, reversal.BeforeContext.Policy, reversal.BeforeContext.Group, request, reversal.BeforeContext.Today);
                var satisfied = without.Reasons.Any(r => RestOnPayments.Contains(r) && !with.Reasons.Contains(r));
                // ...unless it needed the payment when it was granted (more than its limit, or its pool, had to spare then,
                // less the payments bounced since that came before it): a limit cut since does not launder the grant.
                var neededIt = (order.SpareAtGrant < 0m
                        && without.Reasons.Any(r => r is Policy.ReasonCodes.CreditLimitExceeded or Policy.ReasonCodes.NoCredit))
                    || (order.PoolSpareAtGrant < 0m && without.Reasons.Contains(Policy.ReasonCodes.GroupLimitExceeded));
                if (satisfied || neededIt)
                {
                    heldAgain.Add(new OrderHeldAgain(order.Id, paymentId, without.Reasons, without.Warnings));
                    continue;
                }
            }
            kept += order.Amount;
        }
        return heldAgain;
    }

    /// <summary>
    /// After another member's payment bounced (<paramref name="bounce"/>): an order the system granted on this account after
    /// that payment came (at version <paramref name="grantedAt"/>), if the grant still stands, decided again with the pool as
    /// it stands without the grants still under review (<paramref name="poolChange"/>, in the company currency: less those not
    /// yet decided again, this one included; those kept count); held again when the pool fails without the payment and
    /// passed with it, or needed it when granted. Only the pool can have rested on another member's payment; the order's
    /// own rules are as they were.
    /// </summary>
    public static Outcome<bool> HoldAgainInPool(CreditAccount account, CreditContext ctx, PoolBounce bounce, string orderId, int grantedAt,
        decimal poolChange)
    {
        if (!account.Orders.TryGetValue(orderId, out var order) || order.GrantedAt != grantedAt || !order.CountsAsExposure
            || ctx.Group is not { SharedCreditLimit: not null } pool
            || ctx.Policy.ToCompanyCurrency(order.Amount, account.Currency) is not { } worth)
            return Outcome<bool>.Accept(false);
        // Counted once: in the account's exposure, and in the pool as the request.
        var request = new CreditRequest(DocumentKind.Order, order.Amount, order.OrderedOn, order.PaymentTerms, -order.Amount, Unchecked: false);
        var withoutPool = pool with { Exposure = pool.Exposure + poolChange + worth };
        var without = CreditRules.Decide(account, ctx.Policy, withoutPool, request, ctx.Today);
        if (!without.Reasons.Contains(Policy.ReasonCodes.GroupLimitExceeded)) return Outcome<bool>.Accept(false);
        var with = CreditRules.Decide(account, ctx.Policy, withoutPool with { Exposure = withoutPool.Exposure - bounce.Worth }, request, ctx.Today);
        // As for the payer's own grants: one the pool passed only with the payment, or one that needed it when granted (the
        // pool had less to spare than the payment: a pool cut since does not keep it granted).
        var neededIt = order.PoolSpareAtGrant is { } spare && ctx.Policy.ToCompanyCurrency(spare, account.Currency) < (bounce.BouncedSince ?? bounce.Worth);
        if (with.Reasons.Contains(Policy.ReasonCodes.GroupLimitExceeded) && !neededIt) return Outcome<bool>.Accept(false);
        return Outcome<bool>.Accept(true, new OrderHeldAgain(order.Id, bounce.PaymentId, without.Reasons, without.Warnings, bounce.CustomerId));
    }

    /// <summary>A held order decided again as it was placed (with credit already granted in this decision): the system's
    /// release with the warnings it still carries; while a blocking rule holds it, the rules that hold it now if they are
    /// not those on record; else null.</summary>
    private static object? Recheck(CreditAccount account, OrderState order, decimal granted, CreditContext ctx)
    {
        var request = new CreditRequest(DocumentKind.Order, order.Amount, order.OrderedOn, order.PaymentTerms, granted, order.Unchecked);
        var decision = CreditRules.Decide(account, ctx.Policy, ctx.Group, request, ctx.Today);
        if (decision.Allowed)
        {
            var (spare, poolSpare) = SpareAfter(decision, request, ctx, order.Unchecked);
            return new HoldReleased(order.Id, AutoReleaseReason, SystemUser, decision.Warnings.Count == 0 ? null : decision.Warnings, spare, poolSpare);
        }
        return decision.Reasons.Order().SequenceEqual(order.CurrentReasons.Order())
            ? null : new HoldReasonsChanged(order.Id, decision.Reasons, decision.Warnings);
    }

    /// <summary>What the customer's limit and its pool have left once the request is granted, in the customer's currency
    /// (null: unlimited, no pool, or a currency without a rate): a bounced payment larger than that was needed for it.</summary>
    /// <remarks>The pool's spare is taken from its exposure as the decision compared it, unrounded: the figures' rounded
    /// one recorded a grant that fitted by a fraction of a halala as over by one (poolSpare -0.0001).</remarks>
    private static (decimal? Spare, decimal? PoolSpare) SpareAfter(CreditDecision decision, CreditRequest request, CreditContext ctx,
        bool bypassed)
    {
        if (bypassed) return (null, null); // a bypass order uses no credit
        var spare = decision.Available - request.Amount;
        if (ctx.Group is not { SharedCreditLimit: { } pool } group || ctx.Policy.ToCompanyCurrency(1m, decision.Currency) is not { } rate)
            return (spare, null);
        var asked = (request.ExtraExposure + request.Amount) * rate;
        return (spare, (pool - group.Exposure - asked) / rate);
    }

    private static Outcome<OrderResult> Settle(
        CreditAccount account, string orderId, OrderStatus target, OrderStatus[] from, Func<object> happened)
    {
        if (!account.Orders.TryGetValue(orderId, out var order))
            return Outcome<OrderResult>.Reject(RejectionKind.NotFound, ErrorCodes.OrderNotFound);
        if (order.Status == target) return Outcome<OrderResult>.Repeat(ResultOf(order));
        if (!from.Contains(order.Status))
            return Outcome<OrderResult>.Reject(NotInState(order));
        return Outcome<OrderResult>.Accept(ResultOf(order) with { Status = target }, happened());
    }

    /// <summary>INVALID_STATE naming where the order stands (a POS can tell cancelled from already invoiced).</summary>
    public static Rejection NotInState(OrderState order) =>
        new(RejectionKind.InvalidState, ErrorCodes.InvalidState, Detail: $"ORDER_IS_{order.Status.ToString().ToUpperInvariant()}");

    public static OrderResult ResultOf(OrderState o) => new(o.Id, o.Status, o.Amount, o.CurrentReasons, o.CurrentWarnings);

    /// <summary>
    /// The answer the order got when it was placed, whatever became of it since (a repeated create returns the
    /// original result): held exactly when it had reasons, since only a hold records them.
    /// </summary>
    public static OrderResult PlacementOf(OrderState o) =>
        new(o.Id, o.Reasons.Count > 0 ? OrderStatus.Held : OrderStatus.Approved, o.Amount, o.Reasons, o.Warnings);
}
