using Credit.Api.Auth;
using Credit.Api.Hosting;
using Microsoft.Extensions.Configuration;

namespace Credit.Api.Tests.Auth;

public class SigningKeyTests
{
    private static IConfiguration Config(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Outside_local_mode_the_app_refuses_to_start_without_a_configured_key()
    {
        var config = Config(("ConnectionStrings:Credit", "Host=db"));
        var error = Should.Throw<InvalidOperationException>(() => SigningKey.Resolve(config, CreditHosting.From(config)));
        error.Message.ShouldContain("Auth:SigningKey");
    }

    [Fact]
    public void A_configured_key_shorter_than_32_characters_is_refused()
    {
        var config = Config(("ConnectionStrings:Credit", "Host=db"), ("Auth:SigningKey", "short"));
        Should.Throw<InvalidOperationException>(() => SigningKey.Resolve(config, CreditHosting.From(config)));
    }

    [Fact]
    public void Local_mode_generates_a_key_once_into_the_data_directory_and_reuses_it()
    {
        var dir = Path.Combine(Path.GetTempPath(), "credit-key-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = Config(("CREDIT_DATA_DIR", dir));
            var hosting = CreditHosting.From(config);
            hosting.LocalMode.ShouldBeTrue();
            var first = SigningKey.Resolve(config, hosting);
            var second = SigningKey.Resolve(config, hosting);
            File.Exists(Path.Combine(dir, "signing.key")).ShouldBeTrue();
            second.Key.ShouldBe(first.Key);
            first.Key.Length.ShouldBeGreaterThanOrEqualTo(32);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_token_command_prints_a_token_the_local_key_validates()
    {
        var dir = Path.Combine(Path.GetTempPath(), "credit-key-" + Guid.NewGuid().ToString("N"));
        var output = new StringWriter();
        try
        {
            var config = Config(("CREDIT_DATA_DIR", dir));
            TokenIssuer.RunCommand(["token", "--user", "alice", "--role", "clerk"], config, output).ShouldBe(0);
            var jwt = new System.IdentityModel.Tokens.Jwt.JwtSecurityTokenHandler { MapInboundClaims = false }.ValidateToken(output.ToString().Trim(),
                new Microsoft.IdentityModel.Tokens.TokenValidationParameters
                {
                    ValidIssuer = SigningKey.Issuer, ValidAudience = SigningKey.Audience,
                    IssuerSigningKey = SigningKey.Resolve(config, CreditHosting.From(config)),
                }, out _);
            jwt.FindFirst("role")!.Value.ShouldBe("clerk");
            jwt.FindFirst("sub")!.Value.ShouldBe("alice");
            // A user the API would not accept gets no token: "system" is the automatic releases' name.
            var refused = new StringWriter();
            TokenIssuer.RunCommand(["token", "--user", "system", "--role", "clerk"], config, refused).ShouldBe(2);
            refused.ToString().ShouldBeEmpty();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
