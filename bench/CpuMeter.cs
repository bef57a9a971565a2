using System.Globalization;

namespace CreditLedger.Bench;

/// <summary>Shares of the whole machine (all cores = 100 %) used over an interval; Other is everything else that ran.</summary>
public sealed record CpuSplit(double Api, double Postgres, double Bench, double Other, double Idle)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"api {Api:F0}% pg {Postgres:F0}% bench {Bench:F0}% other {Other:F0}% idle {Idle:F0}%");
}

/// <summary>
/// Where the CPU goes during a level, from /proc: the API process, the postmaster and its backends, this
/// process with its children (the load generator: HTTP clients, or pgbench), and the idle rest. All in clock ticks, so shares are
/// exact within /proc's resolution. Backends that come and go (pgbench's) are covered by the postmaster's
/// cutime/cstime, which collect the CPU of every child it has reaped.
/// </summary>
public sealed class CpuMeter(Func<int?> postmasterPid, Func<int?> apiPid)
{
    public sealed record Snapshot(long Total, long Idle, long Api, long Postgres, long Bench);

    public Snapshot Take()
    {
        var (total, idle) = MachineTicks();
        var api = apiPid() is { } a ? ProcessTicks(a)?.Ticks ?? 0 : 0;
        long pg = 0;
        if (postmasterPid() is { } master)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
                if (ProcessTicks(pid) is not { } t) continue;
                if (pid == master) pg += t.Ticks + t.ReapedChildren;
                else if (t.Parent == master) pg += t.Ticks;
            }
        }
        // The bench's reaped children are pgbench and short tools: the load generator's side too.
        var bench = ProcessTicks(Environment.ProcessId) is { } self ? self.Ticks + self.ReapedChildren : 0;
        return new Snapshot(total, idle, api, pg, bench);
    }

    public static CpuSplit Between(Snapshot a, Snapshot b)
    {
        double total = Math.Max(1, b.Total - a.Total);
        double api = b.Api - a.Api, pg = b.Postgres - a.Postgres, bench = b.Bench - a.Bench, idle = b.Idle - a.Idle;
        var other = Math.Max(0, total - api - pg - bench - idle);
        return new CpuSplit(100 * api / total, 100 * pg / total, 100 * bench / total, 100 * other / total, 100 * idle / total);
    }

    private static (long Total, long Idle) MachineTicks()
    {
        // "cpu  user nice system idle iowait irq softirq steal ..."
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return (f.Sum(), f[3] + f[4]);
    }

    private static (long Ticks, long ReapedChildren, int Parent)? ProcessTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after "(comm)": state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17), numbered as in proc(5).
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int n) => long.Parse(f[n - 3], CultureInfo.InvariantCulture);
            return (Field(14) + Field(15), Field(16) + Field(17), (int)Field(4));
        }
        catch (IOException) { return null; } // the process went away meanwhile
        catch (UnauthorizedAccessException) { return null; }
    }
}
