using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Credit.Api.Accounts;

/// <summary>
/// A hash of a create request's body, kept on the event: same id + same fingerprint is a harmless repeat,
/// same id + another fingerprint is DUPLICATE_ID. Decimals are normalised so 1725 and 1725.00 match.
/// </summary>
public static class Fingerprint
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new NormalisedDecimal(), new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Of<T>(T request) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, Options)))[..32];

    /// <summary>The request's prints (<see cref="Domain.Decisions.RequestPrint"/>): <paramref name="resolve"/> fills in the dates
    /// it left out from the document's (its date, its due date).</summary>
    public static Domain.Decisions.RequestPrint Print<T>(T request, Func<T, DateOnly, DateOnly?, T> resolve) =>
        new(() => Of(request), (date, dueOn) => Of(resolve(request, date, dueOn)));

    private sealed class NormalisedDecimal : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteNumberValue(value / 1.000000000000000000000000000000000m);
    }
}
