using System.Security.Cryptography;
using System.Text;
using Credit.Api.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Credit.Api.Auth;

/// <summary>
/// The HMAC key that signs bearer tokens. Local mode generates one once into the data directory; any other
/// mode must be given Auth:SigningKey and refuses to start without it.
/// </summary>
public static class SigningKey
{
    public const string Issuer = "credit-ledger";
    public const string Audience = "credit-ledger";
    private const int MinimumLength = 32;

    public static SymmetricSecurityKey Resolve(IConfiguration config, CreditHosting hosting)
    {
        var configured = config["Auth:SigningKey"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (configured.Length < MinimumLength)
                throw new InvalidOperationException($"Auth:SigningKey must be at least {MinimumLength} characters.");
            return new SymmetricSecurityKey(Encoding.UTF8.GetBytes(configured));
        }
        if (!hosting.LocalMode)
            throw new InvalidOperationException(
                "No signing key: set Auth:SigningKey (env Auth__SigningKey) when ConnectionStrings:Credit is set. " +
                "Only local mode generates its own key.");
        return new SymmetricSecurityKey(LocalKey(hosting.DataDirectory));
    }

    private static byte[] LocalKey(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, "signing.key");
        if (!File.Exists(path))
        {
            var fresh = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
            File.WriteAllText(path, fresh);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }
}
