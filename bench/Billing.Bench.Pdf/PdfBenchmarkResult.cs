namespace Billing.Bench.Pdf;

/// <param name="RendersPerSecondPerCore">Throughput divided by the cores actually usable: min(parallelism, processor count).</param>
/// <param name="RendersPerCpuSecond">Renders per second of CPU time the process used: the per-core rate even on a busy machine.</param>
/// <param name="PeakWorkingSetBytes">Process.PeakWorkingSet64 after the run (the whole process, not only the benchmark).</param>
public sealed record PdfBenchmarkResult(
    int Count,
    int Parallelism,
    TimeSpan Elapsed,
    double RendersPerSecond,
    double RendersPerSecondPerCore,
    TimeSpan CpuTime,
    double RendersPerCpuSecond,
    long TotalPdfBytes,
    long PeakWorkingSetBytes,
    long ManagedHeapBytes,
    long AllocatedBytes,
    int Gen0Collections,
    int Gen2Collections,
    string Fonts);
