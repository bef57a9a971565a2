using System.Text.Json;
using Credit.Api.Hosting;
using Credit.Api.Tests.Infrastructure;

namespace Credit.Api.Tests.Hosting;

/// <summary>Amounts are read exactly or refused: decimal rounds what it cannot hold (1e-30 became a limit of 0, cash only).</summary>
public class MoneyJsonTests(AppFixture app)
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new MoneyJson() } };

    [Theory]
    [InlineData("100", "100")]
    [InlineData("1e2", "100")]
    [InlineData("1E-2", "0.01")]
    [InlineData("-0.0", "0")]
    [InlineData("0e-40", "0")]
    [InlineData("0e99999999999", "0")]
    [InlineData("100.0000000000000000000000000000000", "100")]
    [InlineData("1000000000000", "1000000000000")]
    [InlineData("12.3456789012345678901234567", "12.3456789012345678901234567")]
    public void Numbers_decimal_holds_exactly_are_read(string json, string expected) =>
        JsonSerializer.Deserialize<decimal>(json, Options).ShouldBe(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("1e-30")]
    [InlineData("-1e-29")]
    [InlineData("0.00000000000000000000000000001")]
    [InlineData("1.0000000000000000000000000000001")]
    [InlineData("12.34567890123456789012345678901")]
    [InlineData("1e-99999999999")]
    public void Numbers_decimal_would_round_are_refused(string json) =>
        Should.Throw<JsonException>(() => JsonSerializer.Deserialize<decimal>(json, Options));

    [Fact]
    public async Task A_limit_too_small_for_decimal_is_a_400_naming_the_field_not_cash_only()
    {
        var id = await app.Customer(new { name = "Tiny", creditLimit = 1000 });
        var tiny = await app.Controller.SendRaw(HttpMethod.Post, $"/api/customers/{id}/credit-limit", """{"amount":1e-30,"reason":"r"}""", "application/json");
        tiny.Status.ShouldBe(400, tiny.ToString());
        tiny.Body.GetProperty("errors").TryGetProperty("amount", out _).ShouldBeTrue(tiny.ToString());
        (await app.Clerk.Get($"/api/customers/{id}/balance")).Decimal("creditLimit").ShouldBe(1000m);
    }
}
