namespace Billing.Pdf;

/// <param name="RendersPerSecondPerCore">Throughput divided by the cores actually usable: min(parallelism, processor count).</param>
/// <param name="PeakWorkingSetBytes">Process.PeakWorkingSet64 after the run (the whole process, not only the benchmark).</param>
public sealed record PdfBenchmarkResult(
    int Count,
    int Parallelism,
    TimeSpan Elapsed,
    double RendersPerSecond,
    double RendersPerSecondPerCore,
    long TotalPdfBytes,
    long PeakWorkingSetBytes,
    long ManagedHeapBytes,
    long AllocatedBytes,
    int Gen0Collections,
    int Gen2Collections,
    string Fonts);
