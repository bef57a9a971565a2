using System.Text.Json;
using System.Text.Json.Serialization;
using Credit.Api.Accounts;
using Credit.Api.Auth;
using Credit.Api.Errors;
using Credit.Api.Hosting;
using Credit.Api.Localization;
using Credit.Api.Policy;
using Credit.Api.Validation;
using JasperFx;
using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.Http;

// Sub-commands that need neither the web server nor Wolverine: settings from appsettings.json, the environment
// and the command line.
// `token --user U --role R` prints a bearer token for local mode; `projections rebuild` rebuilds every read model
// from the events (stop the API first).
if (args is ["token", ..] or ["projections", "rebuild", ..])
{
    var config = new ConfigurationBuilder()
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .AddCommandLine(args)
        .Build();
    return args[0] == "token"
        ? TokenIssuer.RunCommand(args, config, Console.Out)
        : await Credit.Api.Operations.RebuildCommand.Run(config, Console.Out);
}

// Content root = the binary's folder, so appsettings.json is found wherever the API is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var hosting = CreditHosting.From(builder.Configuration);

// Local mode: a private PostgreSQL from the machine's binaries, stopped when the API stops however it stops (a start
// that fails included: the finally below).
LocalInstance? local = null;
var connectionString = hosting.ConfiguredConnectionString;
SymmetricSecurityKey signingKey;
try
{
    if (hosting.LocalMode)
    {
        local = await LocalInstance.StartAsync(hosting, Console.WriteLine);
        connectionString = local.Postgres.ConnectionString;
    }
    signingKey = SigningKey.Resolve(builder.Configuration, hosting);
}
catch (InvalidOperationException ex)
{
    // Refused before serving (data directory in use, no PostgreSQL binaries, signing key): the message, not a stack trace.
    Console.Error.WriteLine(ex.Message);
    if (local is not null) await local.DisposeAsync();
    return 1;
}

try
{
    builder.Services.AddSingleton(hosting);
    if (local is not null)
    {
        builder.Services.AddSingleton(local.Postgres);
        builder.Services.AddHostedService<LocalPostgresWatch>();
    }
    builder.Services.AddSingleton(TimeProvider.System);
    builder.Services.AddSingleton(sp => BusinessCalendar.From(sp.GetRequiredService<TimeProvider>(), builder.Configuration));
    builder.Services.AddSingleton<CreditContexts>();
    builder.Services.AddSingleton(new Credit.Api.Audit.Seals(signingKey.Key));
    builder.Services.AddSingleton<Checkpoints>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<Checkpoints>());
    builder.Services.AddSingleton<AccountCache>();
    builder.Services.AddSingleton<GroupCache>();
    builder.Services.AddSingleton<BatchAppend>();
    builder.Services.AddSingleton<GroupCommit>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<GroupCommit>());
    builder.Services.AddSingleton<AccountStore>();
    builder.Services.AddSingleton<Credit.Api.Holds.PoolReviews>();
    builder.Services.AddSingleton<Credit.Api.Audit.TimeTravel>();
    builder.Services.AddSingleton<PolicyStore>();
    builder.Services.AddSingleton<SettingsChanges>();
    builder.Services.AddSingleton<ReadModelCatchUp>();
    builder.Services.AddSingleton<Credit.Api.Reporting.ReportingReads>();
    builder.Services.AddValidators();
    builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.AddCode);
    // Wolverine logs a request body that does not parse at Error, under the request type's name. That is the client's
    // 400 (MALFORMED_JSON, or VALIDATION_FAILED for a value of the wrong type), not a fault of ours: kept out of the error
    // log, where it would page someone.
    // The rule takes the place of the configured level for our categories, so it carries that level itself.
    var ourLevel = Enum.TryParse<LogLevel>(builder.Configuration["Logging:LogLevel:Credit.Api"] ?? builder.Configuration["Logging:LogLevel:Default"],
        out var configured) ? configured : LogLevel.Information;
    builder.Services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(null, "Credit.Api", ourLevel,
        (_, category, level) => !(level == LogLevel.Error && category?.EndsWith("Request", StringComparison.Ordinal) == true))));
    builder.Services.AddOpenApi(options => ApiDocument.Describe(options));
    builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));

    builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
    {
        o.MapInboundClaims = false;
        o.SaveToken = false; // nothing reads the raw token back; storing it cost a dictionary per request
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = SigningKey.Issuer,
            ValidAudience = SigningKey.Audience,
            IssuerSigningKey = signingKey,
            NameClaimType = "sub",
            RoleClaimType = "role",
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        // Every write records the token's subject as its user: a token without a usable one is not accepted.
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (Caller.IsValidUser(context.Principal?.FindFirst("sub")?.Value)) return Task.CompletedTask;
                context.HttpContext.Items[ProblemAuthorizationResultHandler.WhyKey] = Caller.InvalidSubject;
                context.Fail(Caller.InvalidSubject);
                return Task.CompletedTask;
            },
            // Kept for the 401's detail: the failure itself is not left on the request.
            OnAuthenticationFailed = context =>
            {
                context.HttpContext.Items[ProblemAuthorizationResultHandler.WhyKey] = ProblemAuthorizationResultHandler.Why(context.Exception);
                return Task.CompletedTask;
            },
        };
    });
    builder.Services.AddAuthorization();
    builder.Services.AddCreditRateLimits(builder.Configuration);
    builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = RequestPipeline.MaxBodyBytes);
    builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();

    // First of our hosted services: a second API on this database is refused before it migrates or projects anything.
    builder.Services.AddHostedService<Credit.Api.Operations.RunningApi>();
    // Database objects beyond Marten's: the hash chain and the reporting schema. Marten applies its own schema first (its
    // activator goes ahead of every hosted service); these are registered before the store so that they are in place
    // before its projection daemon starts: after a rebuild killed mid-replay, the reporting indexes were recreated
    // under the daemon's replay from zero, and the two deadlocked.
    builder.Services.AddSingleton<Credit.Api.Audit.HashChain>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<Credit.Api.Audit.HashChain>());
    builder.Services.AddHostedService<Credit.Api.Reporting.ReportingSchema>();
    builder.Services.AddHostedService<Credit.Api.Operations.InterruptedRebuild>(); // takes the rebuild gate before any read
    builder.Services.AddCreditStore(connectionString!, BusinessCalendar.ZoneFrom(builder.Configuration));
    builder.Services.AddHostedService<Credit.Api.Groups.SealEarlierGroups>();
    builder.Services.AddSingleton<Credit.Api.Operations.RebuildGate>();
    builder.Services.AddHostedService<Credit.Api.Reminders.WaitingReminders>();
    builder.Host.UseWolverine(opts =>
    {
        // Under test runners the entry assembly is the test assembly; point discovery at ours.
        opts.ApplicationAssembly = typeof(Program).Assembly;
        opts.Durability.Mode = DurabilityMode.Solo; // the stand-in DistributedLock cannot elect a leader
        opts.Policies.AutoApplyTransactions();
        opts.Policies.UseDurableLocalQueues();
        // Handler code pre-generated by scripts/codegen (checked by GeneratedCodeTests): no Roslyn compilation at start-up,
        // ~100 MB less memory. A handler without pre-generated code is still compiled at run time.
        opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Auto;
    });
    builder.Services.AddWolverineHttp();

    var app = builder.Build();
    var started = false;
    app.Lifetime.ApplicationStarted.Register(() => started = true);

    // Localization first, so even the error pages below answer in the caller's language.
    app.UseRequestLocalization(o =>
    {
        o.SetDefaultCulture("en");
        o.SupportedCultures = Text.Supported;
        o.SupportedUICultures = Text.Supported;
        o.RequestCultureProviders = [new AcceptedLanguage()];
    });
    app.UseCreditErrors();
    app.UseSecurityHeaders();
    app.UseCorrelationIds();
    app.UseBodyLimit();
    app.UseCaseInsensitiveMediaTypes();
    app.UseHeadAsGet();
    app.UseDocsAtTheirAddress();
    app.UseRouting();
    app.UseRouteIdValidation();
    app.UseAuthentication();
    app.UseRateLimiter(); // after authentication: the limit is per user
    app.UseAuthorization();

    app.MapOpenApi("/openapi/{documentName}.json");
    app.MapScalarApiReference("/docs", o => o.WithTitle("CreditLedger API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
    app.MapWolverineEndpoints(opts =>
    {
        opts.RejectUnparseableQueryValues = true; // '?limit=abc' is a 400, not a silent default
        opts.AddPolicy<FluentValidationPolicy>();
    });

    var exitCode = await app.RunJasperFxCommands(args);
    // A server that failed to start (port taken, database unreachable) must not exit 0: supervisors restart on failure.
    var serving = args.Length == 0 || args[0] == "run" || args[0].StartsWith('-');
    return serving && !started ? Math.Max(exitCode, 1) : exitCode;
}
finally
{
    if (local is not null) await local.DisposeAsync();
}

static void ConfigureJson(JsonSerializerOptions o)
{
    o.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
    o.NumberHandling = JsonNumberHandling.Strict; // money is a JSON number, never "100"
    o.AllowDuplicateProperties = false; // {"invoiceId":"a",…,"invoiceId":"b"}: which one did the client mean? Neither: 400
    o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
    o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
    o.Converters.Add(new Credit.Api.Hosting.MoneyJson());
    o.Converters.Add(new Credit.Api.Hosting.BusinessDateJson());
    o.Converters.Add(new Credit.Api.Hosting.TimestampJson());
    o.Converters.Add(new Credit.Api.Hosting.TextJson());
}

public partial class Program;
