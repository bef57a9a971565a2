namespace Credit.Api.Auth;

/// <summary>The contract's roles and who may do what (the role table in the API contract).</summary>
public static class Roles
{
    public const string Clerk = "clerk";
    public const string Controller = "controller";
    public const string Auditor = "auditor";
    public const string Reporter = "reporter";
    public const string Admin = "admin";

    public static readonly string[] All = [Clerk, Controller, Auditor, Reporter, Admin];

    /// <summary>Create customers, orders, invoices, payments, credit notes.</summary>
    public const string Writers = "clerk,controller,admin";
    /// <summary>Limits, terms, policy, groups, holds, releases, overrides.</summary>
    public const string Controllers = "controller,admin";
    /// <summary>Customer data and read models.</summary>
    public const string Readers = "clerk,controller,auditor,reporter,admin";
    /// <summary>History and time travel.</summary>
    public const string Auditors = "auditor,admin";
    /// <summary>Company-wide reports.</summary>
    public const string Reporting = "controller,auditor,reporter,admin";
}
