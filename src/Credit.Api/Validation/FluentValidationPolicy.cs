using Credit.Api.Errors;
using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace Credit.Api.Validation;

/// <summary>
/// Runs the request's FluentValidation validator before every endpoint that has one (the official
/// WolverineFx.FluentValidation package is not available here).
/// </summary>
public sealed class FluentValidationPolicy : IHttpPolicy
{
    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HasRequestType))
        {
            var validatorType = typeof(IValidator<>).MakeGenericType(chain.RequestType!);
            var executor = container.HasRegistrationFor(validatorType)
                ? nameof(FluentValidationExecutor.ValidateAsync) : nameof(FluentValidationExecutor.RequireBody);
            var method = typeof(FluentValidationExecutor).GetMethod(executor)!.MakeGenericMethod(chain.RequestType!);
            var call = new MethodCall(typeof(FluentValidationExecutor), method);
            chain.Metadata.ProducesValidationProblem();
            chain.Middleware.InsertRange(0, [call, new MaybeEndWithResultFrame(call.ReturnVariable!)]);
        }
    }
}

public static class FluentValidationExecutor
{
    /// <summary>A JSON <c>null</c> body reaches the endpoint as a null request: a 400, not a crash.</summary>
    public static IResult RequireBody<T>(T? request) => request is null ? Problems.Result(400, "BODY_REQUIRED") : WolverineContinue.Result();

    public static async Task<IResult> ValidateAsync<T>(IValidator<T> validator, T? request)
    {
        if (request is null) return RequireBody(request);
        var result = await validator.ValidateAsync(request);
        return result.IsValid
            ? WolverineContinue.Result()
            : Problems.Validation(result.Errors.Select(e => (JsonPath(e.PropertyName), e.ErrorCode)));
    }

    /// <summary>Installments[0].DueOn -> installments[0].dueOn, the names the client sent.</summary>
    public static string JsonPath(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}

/// <summary>Registers every validator of this assembly as a singleton (validators are stateless).</summary>
public static class ValidatorRegistration
{
    public static IServiceCollection AddValidators(this IServiceCollection services)
    {
        foreach (var type in typeof(ValidatorRegistration).Assembly.GetTypes().Where(t => t is { IsAbstract: false, IsGenericTypeDefinition: false }))
        {
            foreach (var contract in type.GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValidator<>)))
                services.AddSingleton(contract, type);
        }
        return services;
    }
}
