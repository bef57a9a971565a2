using System.Text.Json;
using Credit.Api.Hosting;

namespace Credit.Api.Tests.Hosting;

public class MoneyJsonTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new MoneyJson() } };

    [Theory]
    [InlineData("1725.0", "1725")]
    [InlineData("71.00", "71")]
    [InlineData("862.50", "862.5")]
    [InlineData("0.0", "0")]
    [InlineData("0.001", "0.001")]
    [InlineData("1000000000000.00", "1000000000000")]
    [InlineData("-12.340", "-12.34")]
    public void Amounts_are_written_in_their_shortest_form(string value, string written) =>
        JsonSerializer.Serialize(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), Options).ShouldBe(written);

    [Fact]
    public void Nullable_amounts_too_and_reading_keeps_the_value_and_refuses_strings()
    {
        JsonSerializer.Serialize(new { a = (decimal?)20.0m, b = (decimal?)null }, Options).ShouldBe("""{"a":20,"b":null}""");
        JsonSerializer.Deserialize<decimal>("100.10", Options).ShouldBe(100.10m);
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<decimal>("\"100\"", Options));
    }
}
