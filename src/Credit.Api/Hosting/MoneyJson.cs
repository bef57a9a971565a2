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

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // Without a message the serializer writes its own, with the field's path: the 400 then names the field.
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException();
        var value = reader.GetDecimal();
        // decimal keeps 28-29 digits: 1e-30 read as 0 made a limit of "0.000…1" cash only. A number decimal cannot
        // hold exactly is refused, not rounded.
        var raw = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan;
        // At most 28 characters and no exponent always fit exactly (the usual amount: nothing more to do).
        if (raw.Length <= 28 && raw.IndexOfAny((byte)'e', (byte)'E') < 0) return value;
        return IsExactly(value, System.Text.Encoding.ASCII.GetString(raw)) ? value : throw new JsonException();
    }

    /// <summary>Whether the JSON number text is exactly this decimal (compared as digits × 10^exponent, trailing zeros dropped).</summary>
    public static bool IsExactly(decimal value, string text)
    {
        var e = text.IndexOfAny(['e', 'E']);
        var number = (e < 0 ? text : text[..e]).TrimStart('-');
        var dot = number.IndexOf('.');
        var digits = number.Replace(".", "").TrimStart('0');
        var trimmed = digits.TrimEnd('0');
        if (trimmed.Length == 0) return value == 0m; // 0e99999999999 is 0 too
        // An exponent beyond int is far outside decimal's range (and int.Parse would throw: a 500, not a 400).
        if (!int.TryParse(e < 0 ? "0" : text.AsSpan(e + 1), System.Globalization.CultureInfo.InvariantCulture, out var exponent)) return false;
        if (dot >= 0) exponent -= number.Length - dot - 1;
        exponent += digits.Length - trimmed.Length;

        var bits = decimal.GetBits(value);
        var scale = (bits[3] >> 16) & 0xFF;
        var mantissa = new System.Numerics.BigInteger(new[] { bits[0], bits[1], bits[2], 0 }.SelectMany(BitConverter.GetBytes).ToArray());
        var own = mantissa.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ownTrimmed = own.TrimEnd('0');
        return ownTrimmed == trimmed && own.Length - ownTrimmed.Length - scale == exponent;
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(value / One);
}
