using Credit.Api.Errors;
using Credit.Api.Validation;
using Credit.Domain.Accounts;
using Credit.Domain.Decisions;
using Credit.Domain.Orders;
using FluentValidation;

namespace Credit.Api.Orders;

public sealed record OrderResponse(string OrderId, [property: OneOf(typeof(OrderStatus))] string Status, decimal Amount, IReadOnlyList<ReasonView> Reasons, IReadOnlyList<ReasonView> Warnings)
{
    public static OrderResponse Of(OrderResult r) =>
        new(r.OrderId, StatusName(r.Status), r.Amount, Problems.Reasons(r.Reasons), Problems.Reasons(r.Warnings));

    public static string StatusName(OrderStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>201 for a new order, 200 for a repeat or a state change, problem+json otherwise.</summary>
    public static IResult From(Outcome<OrderResult> outcome, string? createdAt = null) =>
        outcome.Rejection is { } rejection ? Problems.From(rejection)
        : createdAt is not null && outcome.Events.Count > 0 ? Results.Created(createdAt, Of(outcome.Result!))
        : Results.Ok(Of(outcome.Result!));
}

/// <summary>Body of release, reject and cancel: the reason goes on the event.</summary>
public sealed record ReasonRequest([property: Required] string? Reason);

public sealed class ReasonValidator : AbstractValidator<ReasonRequest>
{
    public ReasonValidator() => RuleFor(x => x.Reason).Reason();
}
