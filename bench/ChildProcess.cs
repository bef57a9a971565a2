using System.Diagnostics;
using System.Text;

namespace CreditLedger.Bench;

public sealed record ProcessResult(int ExitCode, string Output, TimeSpan Elapsed, bool TimedOut)
{
    public bool Ok => ExitCode == 0 && !TimedOut;

    /// <summary>The last lines of the output, for error reports.</summary>
    public string Tail(int lines = 12) => string.Join('\n', Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));
}

/// <summary>Runs a tool to completion with stdout and stderr captured together, in order of arrival.</summary>
public static class ChildProcess
{
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args,
        IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) limit.CancelAfter(t);
        try
        {
            await p.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            lock (output) return new ProcessResult(-1, output.ToString(), clock.Elapsed, TimedOut: true);
        }
        var elapsed = clock.Elapsed;
        p.WaitForExit(); // drains the redirected streams
        lock (output) return new ProcessResult(p.ExitCode, output.ToString(), elapsed, TimedOut: false);
    }
}
