using System.Diagnostics;
using Billing.Pdf;

namespace Billing.Bench.Pdf;

/// <summary>Renders one-page sample invoices as fast as it can, for capacity planning of the pdf-renderer.</summary>
public static class PdfRenderBenchmark
{
    private const int Variants = 64;

    public static async Task<PdfBenchmarkResult> RunAsync(int count, int parallelism, TextWriter progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelism);
        ArgumentNullException.ThrowIfNull(progress);
        var renderer = new InvoicePdfRenderer();
        // Varying documents, built up front so only rendering is measured.
        var documents = Enumerable.Range(0, Variants).Select(i => SampleInvoices.OnePage(i)).ToArray();
        renderer.Render(documents[0]); // warm-up: font loading and JIT are start-up costs, not throughput
        await progress.WriteLineAsync($"Rendering {count} invoices, parallelism {parallelism}, fonts: {PdfFonts.Description}");

        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        var allocated = GC.GetTotalAllocatedBytes();
        long bytes = 0, done = 0;
        var step = Math.Max(1, count / 10);
        var watch = Stopwatch.StartNew();
        await Task.Run(() => Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, i =>
        {
            var pdf = renderer.Render(documents[i % Variants]);
            Interlocked.Add(ref bytes, pdf.Length);
            var n = Interlocked.Increment(ref done);
            if (n % step == 0)
            {
                lock (progress) progress.WriteLine($"  {n}/{count} ({n / watch.Elapsed.TotalSeconds:F0}/s)");
            }
        }), ct);
        watch.Stop();

        var rate = count / watch.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        return new PdfBenchmarkResult(
            count, parallelism, watch.Elapsed, rate, rate / Math.Min(parallelism, Environment.ProcessorCount),
            cpu, count / Math.Max(cpu.TotalSeconds, 1e-9),
            bytes, process.PeakWorkingSet64, GC.GetTotalMemory(false), GC.GetTotalAllocatedBytes() - allocated,
            GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2, PdfFonts.Description);
    }
}
