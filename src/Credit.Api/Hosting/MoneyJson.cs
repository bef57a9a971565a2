using System.Text.Json;
using System.Text.Json.Serialization;

namespace Credit.Api.Hosting;

/// <summary>
/// Amounts go out in their shortest form: sums of decimals carry the scale of their terms, so an aging bucket came
/// out as 1725.0 and a DSO as 71.00 next to amounts written 1725. Reading is the serializer's own strict number.
/// </summary>
public sealed class MoneyJson : JsonConverter<decimal>
{
    // Dividing by one with 28 zeros keeps the value and drops trailing zeros from the scale.
    private const decimal One = 1.0000000000000000000000000000m;

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        // Without a message the serializer writes its own, with the field's path: the 400 then names the field.
        reader.TokenType == JsonTokenType.Number ? reader.GetDecimal() : throw new JsonException();

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value / One);
}
