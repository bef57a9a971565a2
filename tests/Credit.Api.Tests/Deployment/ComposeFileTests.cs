using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Credit.Api.Tests.Deployment;

/// <summary>
/// Checks the real docker-compose.yml and Dockerfile at the repository root, so a broken
/// deployment file fails the build instead of a user's <c>docker compose up</c>.
/// </summary>
public sealed class ComposeFileTests
{
    private const string ComposeFileName = "docker-compose.yml";

    private static string RepoRoot => Infrastructure.Repository.Root;

    [Fact]
    public void Compose_file_parses_and_defines_postgres_and_api_services()
    {
        var services = Services();

        services.ContainsKey("postgres").ShouldBeTrue("docker-compose.yml has no 'postgres' service");
        services.ContainsKey("api").ShouldBeTrue("docker-compose.yml has no 'api' service");
    }

    [Fact]
    public void Postgres_service_uses_postgres_15_image()
    {
        var image = Scalar(Service("postgres"), "image");

        image.ShouldNotBeNull("the postgres service has no image");
        image.ShouldStartWith("postgres:15");
    }

    [Fact]
    public void Api_is_built_from_a_dockerfile_that_exists()
    {
        var path = DockerfilePath();

        File.Exists(path).ShouldBeTrue($"the api service builds from '{path}', which does not exist");
    }

    [Fact]
    public void Api_publishes_container_port_8080_on_host_port_5000()
    {
        var ports = Child(Service("api"), "ports") as YamlSequenceNode;
        ports.ShouldNotBeNull("the api service publishes no ports");

        var mappings = ports.Children.Select(PortMapping).ToList();

        mappings.ShouldContain(
            m => m.Host == "5000" && m.Container == "8080",
            $"api ports are [{string.Join(", ", mappings.Select(m => $"{m.Host}->{m.Container}"))}]");
    }

    [Fact]
    public void Api_waits_for_a_healthy_postgres()
    {
        var dependsOn = Child(Service("api"), "depends_on") as YamlMappingNode;
        dependsOn.ShouldNotBeNull(
            "the api service needs depends_on in long form, e.g. postgres: { condition: service_healthy }");

        var postgres = Child(dependsOn, "postgres") as YamlMappingNode;
        postgres.ShouldNotBeNull("the api service does not depend on postgres");
        Scalar(postgres, "condition").ShouldBe("service_healthy");

        Child(Service("postgres"), "healthcheck")
            .ShouldNotBeNull("condition service_healthy needs a healthcheck on the postgres service");
    }

    [Fact]
    public void Api_connection_string_targets_the_postgres_service_database_and_user()
    {
        var postgresEnvironment = EnvironmentOf(Service("postgres"));
        var database = postgresEnvironment.GetValueOrDefault("POSTGRES_DB");
        var user = postgresEnvironment.GetValueOrDefault("POSTGRES_USER");
        database.ShouldNotBeNullOrWhiteSpace("the postgres service does not set POSTGRES_DB");
        user.ShouldNotBeNullOrWhiteSpace("the postgres service does not set POSTGRES_USER");

        var connectionString = EnvironmentOf(Service("api")).GetValueOrDefault("ConnectionStrings__Credit");
        connectionString.ShouldNotBeNullOrWhiteSpace("the api service does not set ConnectionStrings__Credit");

        var parts = ParseConnectionString(connectionString);
        parts.GetValueOrDefault("host").ShouldBe("postgres", $"connection string: {connectionString}");
        parts.GetValueOrDefault("database").ShouldBe(database, $"connection string: {connectionString}");
        parts.GetValueOrDefault("username").ShouldBe(user, $"connection string: {connectionString}");
    }

    [Fact]
    public void Api_signing_key_comes_from_an_environment_variable()
    {
        var signingKey = EnvironmentOf(Service("api")).GetValueOrDefault("Auth__SigningKey");

        signingKey.ShouldNotBeNull("the api service does not set Auth__SigningKey");
        signingKey.ShouldContain("${CREDIT_SIGNING_KEY", Case.Sensitive);
    }

    [Fact]
    public void Dockerfile_final_stage_runs_the_api_on_port_8080()
    {
        var finalStage = FinalStage(DockerfileInstructions());

        var entrypoint = finalStage.Where(i => i.Keyword == "ENTRYPOINT").Select(i => i.Arguments).LastOrDefault();
        entrypoint.ShouldNotBeNull("the Dockerfile's final stage has no ENTRYPOINT");
        entrypoint.ShouldContain("Credit.Api.dll", Case.Sensitive);

        var exposed = finalStage
            .Where(i => i.Keyword == "EXPOSE")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(port => port.Split('/')[0])
            .ToList();
        exposed.ShouldContain("8080", "the Dockerfile's final stage does not EXPOSE 8080");

        // appsettings.json's Urls (127.0.0.1:5000) outranks ASPNETCORE_URLS: only Urls (or --urls) moves the API in a container.
        finalStage.Where(i => i.Keyword == "ENV").Select(i => i.Arguments).ShouldContain(a => a.StartsWith("Urls=http://+:8080", StringComparison.Ordinal));
        ((YamlMappingNode)Child(Service("api"), "environment")!).Children
            .ShouldContain(e => e.Key.ToString() == "Urls" && e.Value.ToString() == "http://+:8080", "the api service does not set Urls");
    }


    [Fact]
    public void Dockerfile_copies_the_restore_inputs()
    {
        var copies = DockerfileInstructions()
            .Where(i => i.Keyword is "COPY" or "ADD")
            .Select(i => i.Arguments)
            .ToList();

        copies.ShouldContain(
            c => c.Contains("nuget.config", StringComparison.Ordinal),
            "no COPY of nuget.config: restore would miss the local package feed");
        copies.ShouldContain(
            c => c.Contains("build/local-feed", StringComparison.Ordinal),
            "no COPY of build/local-feed: restore would miss the stand-in package");
    }

    // ---- repository and compose helpers ----------------------------------------------------

    private static YamlMappingNode ComposeRoot()
    {
        var path = Path.Combine(RepoRoot, ComposeFileName);
        File.Exists(path).ShouldBeTrue($"{path} does not exist");

        var stream = new YamlStream();
        using (var reader = new StringReader(File.ReadAllText(path)))
        {
            stream.Load(reader);
        }

        stream.Documents.Count.ShouldBe(1, $"{ComposeFileName} should hold exactly one YAML document");
        var root = stream.Documents[0].RootNode as YamlMappingNode;
        root.ShouldNotBeNull($"{ComposeFileName} is not a YAML mapping");
        return root;
    }

    private static Dictionary<string, YamlMappingNode> Services()
    {
        var services = Child(ComposeRoot(), "services") as YamlMappingNode;
        services.ShouldNotBeNull($"{ComposeFileName} has no 'services' mapping");

        var result = new Dictionary<string, YamlMappingNode>(StringComparer.Ordinal);
        foreach (var (key, value) in services.Children)
        {
            if (key is YamlScalarNode { Value: { } name } && value is YamlMappingNode service)
            {
                result[name] = service;
            }
        }

        return result;
    }

    private static YamlMappingNode Service(string name)
    {
        var services = Services();
        services.ContainsKey(name).ShouldBeTrue($"{ComposeFileName} has no '{name}' service");
        return services[name];
    }

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        (Child(mapping, key) as YamlScalarNode)?.Value;

    /// <summary>A service's environment, written either as a map or as a list of K=V strings.</summary>
    private static Dictionary<string, string?> EnvironmentOf(YamlMappingNode service)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        switch (Child(service, "environment"))
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    if (key is YamlScalarNode { Value: { } name })
                    {
                        result[name] = (value as YamlScalarNode)?.Value;
                    }
                }

                break;

            case YamlSequenceNode list:
                foreach (var item in list.Children.OfType<YamlScalarNode>())
                {
                    var entry = item.Value ?? string.Empty;
                    var equals = entry.IndexOf('=', StringComparison.Ordinal);
                    if (equals < 0)
                    {
                        result[entry] = null; // "- NAME": value passed through from the host.
                    }
                    else
                    {
                        result[entry[..equals]] = entry[(equals + 1)..];
                    }
                }

                break;
        }

        return result;
    }

    private static (string? Host, string? Container) PortMapping(YamlNode node)
    {
        switch (node)
        {
            // Long syntax: { target: 8080, published: "5000", protocol: tcp, host_ip: ... }
            case YamlMappingNode map:
                return (Scalar(map, "published"), Scalar(map, "target"));

            // Short syntax: [HOST_IP:][HOST:]CONTAINER[/PROTOCOL]
            case YamlScalarNode { Value: { } text }:
                var withoutProtocol = text.Split('/')[0];
                var pieces = withoutProtocol.Split(':');
                var container = pieces[^1];
                var host = pieces.Length >= 2 ? pieces[^2] : null;
                return (host, container);

            default:
                return (null, null);
        }
    }

    private static string DockerfilePath()
    {
        var api = Service("api");
        string? context;
        string? dockerfile = null;
        switch (Child(api, "build"))
        {
            case YamlScalarNode scalar:
                context = scalar.Value;
                break;
            case YamlMappingNode build:
                context = Scalar(build, "context");
                dockerfile = Scalar(build, "dockerfile");
                break;
            default:
                throw new ShouldAssertException("the api service has no 'build' section");
        }

        var contextPath = Path.GetFullPath(Path.Combine(RepoRoot, context ?? "."));
        return Path.GetFullPath(Path.Combine(contextPath, dockerfile ?? "Dockerfile"));
    }

    private static Dictionary<string, string> ParseConnectionString(string connectionString)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                var key = part[..equals].Trim().ToLowerInvariant();
                key = key switch
                {
                    "server" => "host",
                    "user id" or "userid" or "user" or "user name" => "username",
                    "db" => "database",
                    _ => key,
                };
                result[key] = part[(equals + 1)..].Trim();
            }
        }

        return result;
    }

    // ---- Dockerfile helpers ----------------------------------------------------------------

    private sealed record Instruction(string Keyword, string Arguments);

    /// <summary>The Dockerfile's instructions, with comments dropped and '\' continuations joined.</summary>
    private static List<Instruction> DockerfileInstructions()
    {
        var path = DockerfilePath();
        File.Exists(path).ShouldBeTrue($"{path} does not exist");

        var instructions = new List<Instruction>();
        var pending = string.Empty;
        foreach (var rawLine in File.ReadAllLines(path))
        {
            var line = rawLine.Trim();
            // Comment and blank lines are dropped, also inside a continued instruction.
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            AddInstruction(instructions, pending + line);
            pending = string.Empty;
        }

        AddInstruction(instructions, pending);
        return instructions;
    }

    private static void AddInstruction(List<Instruction> instructions, string text)
    {
        var match = Regex.Match(text.Trim(), @"^(?<keyword>[A-Za-z]+)\s*(?<args>.*)$");
        if (match.Success)
        {
            instructions.Add(new Instruction(
                match.Groups["keyword"].Value.ToUpperInvariant(),
                Regex.Replace(match.Groups["args"].Value, @"\s+", " ").Trim()));
        }
    }

    private static List<Instruction> FinalStage(List<Instruction> instructions)
    {
        var lastFrom = instructions.FindLastIndex(i => i.Keyword == "FROM");
        lastFrom.ShouldBeGreaterThanOrEqualTo(0, "the Dockerfile has no FROM");
        return instructions.Skip(lastFrom + 1).ToList();
    }
}

/// <summary>Tests that set the process's environment: run alone, so no host starting meanwhile reads it.</summary>
[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

[Collection(nameof(ProcessEnvironment))]
public sealed class ContainerUrlsTests
{
    /// <summary>The precedence the container relies on, with the app's own appsettings.json: an environment Urls wins over
    /// it, ASPNETCORE_URLS does not.</summary>
    [Fact]
    public void An_environment_Urls_outranks_appsettings_and_ASPNETCORE_URLS_does_not()
    {
        var appsettings = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        File.Exists(appsettings).ShouldBeTrue(appsettings);
        string? UrlsWith(string name)
        {
            Environment.SetEnvironmentVariable(name, "http://+:8080");
            try
            {
                var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateBuilder(new Microsoft.AspNetCore.Builder.WebApplicationOptions
                    { ContentRootPath = AppContext.BaseDirectory });
                return builder.Configuration[Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey];
            }
            finally
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
        UrlsWith("ASPNETCORE_URLS").ShouldBe("http://127.0.0.1:5000");
        UrlsWith("Urls").ShouldBe("http://+:8080");
    }
}
