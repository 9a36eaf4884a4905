namespace Billing.Bench.Pipeline;

/// <summary>CPU seconds and peak resident memory of a process, read from /proc (Linux).</summary>
public sealed class ProcessSampler(int pid)
{
    internal const double TicksPerSecond = 100.0; // USER_HZ on Linux

    public double CpuSeconds { get; private set; }
    public long PeakRssBytes { get; private set; }

    /// <summary>The user and system CPU seconds in the text of a <c>/proc/{pid}/stat</c> file.</summary>
    public static double CpuSecondsOf(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the command name.
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / TicksPerSecond;
    }

    public void Sample()
    {
        try
        {
            CpuSeconds = CpuSecondsOf(File.ReadAllText($"/proc/{pid}/stat"));
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    PeakRssBytes = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException) { }
        catch (FormatException) { }
    }
}
