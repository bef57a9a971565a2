using System.Globalization;

namespace CreditLedger.Bench;

/// <summary>
/// Shares of the whole machine (all cores = 100 %) used over an interval. Kernel is kernel threads plus interrupt
/// time no process was charged for (disk and loopback network work done on the benchmark's behalf); Other is
/// everything else that ran (other users' processes, hypervisor steal), the biggest named in <see cref="TopOthers"/>.
/// </summary>
public sealed record CpuSplit(double Api, double Postgres, double Bench, double Kernel, double Other, double Idle, string TopOthers)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"api {Api:F0}% pg {Postgres:F0}% bench {Bench:F0}% kernel {Kernel:F0}% other {Other:F0}% idle {Idle:F0}%");

    /// <summary>Milliseconds of machine CPU (all cores) per unit of work done at this rate with this share of the machine.</summary>
    public static double Ms(double share, double perSecond) => share / 100 * Environment.ProcessorCount * 1000 / perSecond;
}

/// <summary>
/// Where the CPU goes during a level, from /proc: the API process, the postmaster and its backends, this
/// process with its children (the load generator: HTTP clients, or pgbench), everything else, and idle. All in
/// clock ticks, so shares are exact within /proc's resolution. Processes that exit in between are covered by
/// their parent's cutime/cstime (the postmaster reaps backends, the bench reaps pgbench).
/// </summary>
public sealed class CpuMeter(Func<int?> postmasterPid, Func<int?> apiPid)
{
    private const int KernelThreads = 2; // kthreadd, parent of every kernel thread
    public sealed record Proc(string Name, long Ticks, long ReapedChildren, int Parent, long Started);

    public sealed record Snapshot(long Total, long Idle, long Interrupts, int? Api, int? Master, Dictionary<int, Proc> Procs);

    public Snapshot Take()
    {
        var (total, idle, interrupts) = MachineTicks();
        var procs = new Dictionary<int, Proc>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && Read(pid) is { } p) procs[pid] = p;
        }
        return new Snapshot(total, idle, interrupts, apiPid(), postmasterPid(), procs);
    }

    public static CpuSplit Between(Snapshot a, Snapshot b)
    {
        double total = Math.Max(1, b.Total - a.Total);
        var self = Environment.ProcessId;
        double api = 0, pg = 0, bench = 0, kernel = 0;
        var others = new List<(string Name, double Ticks)>();
        foreach (var (pid, p) in b.Procs)
        {
            // A pid seen only in b (or reused: another start time) started in between and counts from zero. Not the
            // name: a kernel worker's changes with its work ("kworker/1:1H-kblockd"), which counted its whole life.
            var before = a.Procs.TryGetValue(pid, out var q) && q.Started == p.Started ? q : null;
            var own = p.Ticks - (before?.Ticks ?? 0);
            var reaped = p.ReapedChildren - (before?.ReapedChildren ?? 0);
            if (pid == b.Api) api += own;
            else if (pid == b.Master) pg += own + reaped;
            else if (b.Master is not null && p.Parent == b.Master) pg += own;
            else if (pid == self) bench += own + reaped;
            else if (pid == KernelThreads || p.Parent == KernelThreads) kernel += own;
            else if (own > 0) others.Add(($"{p.Name}[{pid}]", own));
        }
        double idle = b.Idle - a.Idle;
        // The remainder: interrupt time no process was charged with, other processes (including ones that came and
        // went unseen) and steal. Tick-based accounting charges interrupt time to the process it interrupted as well
        // as to /proc/stat's irq and softirq, so those count to the kernel only as far as the remainder holds them
        // (adding them whole gave splits of over 140 % under loopback-heavy load).
        var remainder = Math.Max(0, total - api - pg - bench - kernel - idle);
        var interrupts = Math.Min(b.Interrupts - a.Interrupts, remainder);
        kernel += interrupts;
        var other = remainder - interrupts;
        var top = string.Join(", ", others.OrderByDescending(o => o.Ticks).Take(3)
            .Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Name} {100 * o.Ticks / total:F0}%")));
        return new CpuSplit(100 * api / total, 100 * pg / total, 100 * bench / total, 100 * kernel / total, 100 * other / total,
            100 * idle / total, top);
    }

    /// <summary>
    /// Waits until other processes use at most <paramref name="maxOther"/> % of the machine over a second, or the
    /// limit passes; returns how long it waited. On a shared machine this keeps a level from starting mid-build.
    /// </summary>
    public async Task<TimeSpan> WaitForQuietAsync(double maxOther, TimeSpan limit, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            var before = Take();
            await Task.Delay(1000, ct);
            if (Between(before, Take()).Other <= maxOther) break;
        }
        return clock.Elapsed;
    }

    private static (long Total, long Idle, long Interrupts) MachineTicks()
    {
        // "cpu  user nice system idle iowait irq softirq steal ..."
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
            .Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return (f.Sum(), f[3] + f[4], f[5] + f[6]);
    }

    private static Proc? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            // Fields after "(comm)": state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17) ... starttime(22),
            // numbered as in proc(5).
            var f = stat[(close + 2)..].Split(' ');
            long Field(int n) => long.Parse(f[n - 3], CultureInfo.InvariantCulture);
            return new Proc(stat[(open + 1)..close], Field(14) + Field(15), Field(16) + Field(17), (int)Field(4), Field(22));
        }
        catch (IOException) { return null; } // the process went away meanwhile
        catch (UnauthorizedAccessException) { return null; }
    }
}
