using Microsoft.AspNetCore.Localization;
using Microsoft.Net.Http.Headers;

namespace Credit.Api.Localization;

/// <summary>
/// The request's language from Accept-Language, as RFC 9110 reads it: highest quality first, and a language with
/// <c>q=0</c> is one the caller does not accept (ASP.NET's own provider ranks it last but still picks it when alone:
/// <c>ar;q=0</c> was answered in Arabic).
/// </summary>
public sealed class AcceptedLanguage : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var accepted = httpContext.Request.GetTypedHeaders().AcceptLanguage;
        var languages = accepted
            .Where(l => l.Quality is not 0)
            .OrderByDescending(l => l.Quality ?? 1) // stable: equal qualities keep the caller's order
            .Select(l => l.Value)
            .Take(10)
            .ToList();
        return Task.FromResult(languages.Count == 0 ? null : new ProviderCultureResult(languages));
    }
}
