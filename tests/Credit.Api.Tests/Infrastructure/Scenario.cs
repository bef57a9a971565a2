namespace Credit.Api.Tests.Infrastructure;

/// <summary>Small arrangements through the real API, shared by the flow tests.</summary>
public static class Scenario
{
    public static async Task<string> Customer(this AppFixture app, object profile, string prefix = "c")
    {
        var id = AppFixture.NewId(prefix);
        var created = await app.Controller.Put($"/api/customers/{id}", profile);
        created.Status.ShouldBe(201, created.ToString());
        return id;
    }

    public static string ReasonCode(this ApiResponse r, int index = 0) =>
        r.Body.GetProperty("reasons")[index].GetProperty("code").GetString()!;

    public static IReadOnlyList<string> Codes(this ApiResponse r, string property) =>
        r.Body.GetProperty(property).EnumerateArray().Select(x => x.GetProperty("code").GetString()!).ToList();

    public static IReadOnlyList<string> Strings(this ApiResponse r, string property) =>
        r.Body.GetProperty(property).EnumerateArray().Select(x => x.GetString()!).ToList();

    /// <summary>Polls until the condition holds (for effects of cascaded messages), failing after the timeout.</summary>
    public static async Task<ApiResponse> Eventually(Func<Task<ApiResponse>> read, Func<ApiResponse, bool> condition, int seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var r = await read();
            if (condition(r)) return r;
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException($"Condition not met within {seconds}s; last: {r}");
            await Task.Delay(100);
        }
    }
}
