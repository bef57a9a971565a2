using System.Globalization;
using System.Resources;

namespace Credit.Api.Localization;

/// <summary>Messages by stable code, in the request's language (Accept-Language: ar or en; default en).</summary>
public static class Text
{
    private static readonly ResourceManager Resources = new("Credit.Api.Localization.Messages", typeof(Text).Assembly);

    public static readonly CultureInfo[] Supported = [new("en"), new("ar")];

    public static string Of(string code) => Resources.GetString(code, CultureInfo.CurrentUICulture) ?? code;
}
