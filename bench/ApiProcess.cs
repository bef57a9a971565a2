using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace CreditLedger.Bench;

/// <summary>
/// The product as deployed: the Release Credit.Api.dll against the bench's PostgreSQL, output to a log file.
/// Its pid goes to a file so bench/run can still stop it if this process dies first.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ApiProcess(Process process, StreamWriter log, Uri baseUrl) => (_process, _log, BaseUrl) = (process, log, baseUrl);

    public Uri BaseUrl { get; }
    public int Pid => _process.Id;
    public bool Exited => _process.HasExited;

    public static ApiProcess Start(string dll, int port, IReadOnlyDictionary<string, string> env, string logPath, string pidFile)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("--urls");
        psi.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (k, v) in env) psi.Environment[k] = v;

        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        File.WriteAllText(pidFile, process.Id.ToString(CultureInfo.InvariantCulture));
        return new ApiProcess(process, log, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Polls GET /health until 200; the first start in a fresh database also creates the schema.</summary>
    public async Task<TimeSpan> WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Exited) throw new InvalidOperationException($"the API exited with code {_process.ExitCode} while starting");
            try
            {
                using var response = await http.GetAsync("health", ct);
                if (response.StatusCode == HttpStatusCode.OK) return clock.Elapsed;
            }
            catch (HttpRequestException) { } // not listening yet
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"the API did not report healthy within {timeout.TotalSeconds:F0} s");
    }

    /// <summary>Peak resident set (VmHWM) in MB.</summary>
    public double PeakRssMb()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kb = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return kb / 1024.0;
    }

    /// <summary>SIGTERM for a clean shutdown (the projection daemon stops), then a kill after a grace period.</summary>
    public async Task StopAsync()
    {
        if (Exited) return;
        await ChildProcess.RunAsync("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try { await _process.WaitForExitAsync(grace.Token); }
        catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); await _process.WaitForExitAsync(); }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
