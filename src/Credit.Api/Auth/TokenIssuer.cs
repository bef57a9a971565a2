using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Credit.Api.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Credit.Api.Auth;

/// <summary>Mints bearer tokens: the `token` sub-command of local mode, and the tests.</summary>
public static class TokenIssuer
{
    public static string Issue(SecurityKey key, string user, IEnumerable<string> roles, TimeSpan lifetime, DateTimeOffset now)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, user), new("name", user) };
        claims.AddRange(roles.Select(r => new Claim("role", r)));
        var token = new JwtSecurityToken(SigningKey.Issuer, SigningKey.Audience, claims,
            now.UtcDateTime.AddSeconds(-1), now.UtcDateTime.Add(lifetime),
            new SigningCredentials(key, SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    /// <summary>`token --user alice --role clerk [--role auditor] [--hours 12]`: prints a token and exits.</summary>
    public static int RunCommand(string[] args, IConfiguration config, TextWriter output)
    {
        string? user = null;
        var roles = new List<string>();
        var hours = 12.0;
        for (var i = 1; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--user": user = args[++i]; break;
                case "--role": roles.Add(args[++i]); break;
                case "--hours": hours = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }
        if (!Caller.IsValidUser(user) || roles.Count == 0 || roles.Any(r => !Roles.All.Contains(r)))
        {
            Console.Error.WriteLine($"usage: token --user <name, 1-{Caller.MaxUserLength} visible characters, not {Caller.System}> --role <{string.Join('|', Roles.All)}> [--role ...] [--hours 12]");
            return 2;
        }
        var key = SigningKey.Resolve(config, CreditHosting.From(config));
        output.WriteLine(Issue(key, user, roles, TimeSpan.FromHours(hours), DateTimeOffset.UtcNow));
        return 0;
    }
}
