using Credit.Api.Tests.Infrastructure;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Credit.Api.Tests.Hosting;

/// <summary>
/// The API loads Wolverine's handler code pre-generated (src/Credit.Api/Internal/Generated) instead of compiling it
/// with Roslyn at start-up (TypeLoadMode.Auto: ~100 MB less memory). Code that no longer matches the handlers,
/// their middleware or policies would run stale, so this test generates it afresh and compares: regenerate with
/// <c>scripts/codegen</c>.
/// </summary>
public class GeneratedCodeTests(AppFixture app)
{
    [Fact]
    public void The_committed_handler_code_is_what_the_handlers_generate_now()
    {
        var services = app.Host.Services;
        var collections = services.GetServices<ICodeFileCollection>().ToArray();
        collections.ShouldNotBeEmpty();
        var fresh = Directory.CreateTempSubdirectory("credit-codegen").FullName;
        var rules = collections.Select(c => c.Rules).Distinct().ToList();
        var paths = rules.Select(r => r.GeneratedCodeOutputPath).ToList();
        try
        {
            // As the codegen command does (scripts/codegen runs it).
            DynamicCodeBuilder.WithinCodegenCommand = true;
            foreach (var r in rules) r.GeneratedCodeOutputPath = fresh;
            new DynamicCodeBuilder(services, collections) { ServiceVariableSource = services.GetService<IServiceVariableSource>() }
                .WriteGeneratedCode(_ => { });
        }
        finally
        {
            DynamicCodeBuilder.WithinCodegenCommand = false;
            for (var i = 0; i < rules.Count; i++) rules[i].GeneratedCodeOutputPath = paths[i];
        }

        var committed = Path.Combine(Repository.Root, "src", "Credit.Api", "Internal", "Generated");
        var expected = Files(fresh);
        var actual = Files(committed);
        expected.Keys.ShouldNotBeEmpty();
        actual.Keys.Order().ShouldBe(expected.Keys.Order(), "files missing or left over: run scripts/codegen");
        foreach (var (name, code) in expected)
            actual[name].ShouldBe(code, $"{name} is stale: run scripts/codegen");
        Directory.Delete(fresh, recursive: true);
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.Exists(root)
            ? Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), f => File.ReadAllText(f).ReplaceLineEndings("\n"))
            : [];
}
