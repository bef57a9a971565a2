// In the root namespace: every slice's views use it without an import.
namespace Credit.Api;

/// <summary>
/// The values a text field can take, for the OpenAPI document (our enums go out as text, so the generator sees only
/// <c>string</c>). Given an enum type, its members as the API writes them: lower case, words joined by '-'
/// (OrderStatus.Approved -> "approved", ReminderKind.DueSoon -> "due-soon"). On a map, the values' set.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class OneOfAttribute : Attribute
{
    public OneOfAttribute(params string[] values) => Values = values;

    public OneOfAttribute(Type enumType) => Values = Enum.GetNames(enumType).Select(Kebab).ToArray();

    public IReadOnlyList<string> Values { get; }

    private static string Kebab(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
