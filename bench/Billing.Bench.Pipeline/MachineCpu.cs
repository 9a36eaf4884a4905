namespace Billing.Bench.Pipeline;

/// <summary>
/// Where the whole machine's CPU goes during a run, read from /proc (Linux): the busy time of all cores, and the CPU of
/// the local servers the pipeline leans on (PostgreSQL's processes, RabbitMQ's Erlang VM, the SMTP server), so the
/// services' CPU per invoice can be read against everything else the box spends on an invoice.
/// </summary>
public static class MachineCpu
{
    public const string Busy = "the machine (all cores busy)";
    /// <summary>The servers the pipeline leans on, and the benchmark process itself.</summary>
    public static readonly string[] Groups = ["PostgreSQL", "RabbitMQ", "SMTP server", "benchmark"];

    /// <summary>CPU seconds by group at this moment: <see cref="Busy"/> and each of <see cref="Groups"/>.</summary>
    public static Dictionary<string, double> Snapshot()
    {
        var seconds = Groups.ToDictionary(s => s, _ => 0.0);
        var self = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText($"{dir}/stat");
                var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var group = pid == self ? "benchmark" : comm switch
                {
                    "postgres" => "PostgreSQL",
                    "beam.smp" or "erl_child_setup" or "epmd" or "inet_gethost" => "RabbitMQ",
                    "python3" when File.ReadAllText($"{dir}/cmdline").Contains("smtp", StringComparison.Ordinal) => "SMTP server",
                    _ => null,
                };
                if (group is null) continue;
                seconds[group] += ProcessSampler.CpuSecondsOf(stat);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            catch (FormatException) { }
        }
        // The first line of /proc/stat: user nice system idle iowait irq softirq steal … in ticks of all cores.
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        seconds[Busy] = (cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + cpu[7]) / ProcessSampler.TicksPerSecond;
        return seconds;
    }

    /// <summary>CPU milliseconds per invoice of each group between two snapshots.</summary>
    public static Dictionary<string, double> PerInvoice(Dictionary<string, double> before, Dictionary<string, double> after, int invoices) =>
        after.ToDictionary(x => x.Key, x => invoices > 0 ? (x.Value - before.GetValueOrDefault(x.Key)) * 1000 / invoices : 0);
}
