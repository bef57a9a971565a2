using System.Text.Json;
using System.Text.Json.Serialization;

namespace Credit.Api.Hosting;

/// <summary>
/// Strings in request bodies without U+0000: PostgreSQL's jsonb cannot store it, so a name or reason carrying one
/// failed at the append (a 500). Refused here, the 400 names the field like any value of the wrong form.
/// </summary>
public sealed class TextJson : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException();
        var text = reader.GetString()!;
        return text.Contains('\0') ? throw new JsonException() : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
