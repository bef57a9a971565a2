namespace Credit.Api.Tests.Infrastructure;

/// <summary>The checkout the tests run from, for tests that read files of the repository itself.</summary>
public static class Repository
{
    private const string SolutionFileName = "CreditLedger.sln";
    private static readonly Lazy<string> RootValue = new(FindRoot);

    /// <summary>The folder holding CreditLedger.sln, above the test binaries.</summary>
    public static string Root => RootValue.Value;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, SolutionFileName))) return dir.FullName;
        throw new InvalidOperationException($"No folder containing {SolutionFileName} above {AppContext.BaseDirectory}.");
    }
}
