namespace Credit.Api.Hosting;

/// <summary>
/// Where the data lives. Local mode (no ConnectionStrings:Credit) runs a private PostgreSQL from the
/// machine's binaries with its data and the token signing key in CREDIT_DATA_DIR.
/// </summary>
public sealed record CreditHosting(bool LocalMode, string DataDirectory, string? ConfiguredConnectionString)
{
    public static CreditHosting From(IConfiguration config)
    {
        var connection = config.GetConnectionString("Credit");
        var dataDir = config["CREDIT_DATA_DIR"];
        if (string.IsNullOrWhiteSpace(dataDir)) dataDir = "./.data";
        return new CreditHosting(string.IsNullOrWhiteSpace(connection), Path.GetFullPath(dataDir), connection);
    }

    public string PostgresDirectory => Path.Combine(DataDirectory, "pg");
}
