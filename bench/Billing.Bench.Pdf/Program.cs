using Billing.Bench.Pdf;

// Usage: Billing.Bench.Pdf [count=5000] [parallelism list=1,2]
var count = args.Length > 0 ? int.Parse(args[0]) : 5000;
var parallelisms = (args.Length > 1 ? args[1] : "1,2").Split(',').Select(int.Parse).ToArray();
Console.WriteLine($"pdf render benchmark: {count} one-page invoices, {Environment.ProcessorCount} processors, target 200 renders/s per core");
foreach (var parallelism in parallelisms)
{
    var r = await PdfRenderBenchmark.RunAsync(count, parallelism, Console.Out, CancellationToken.None);
    Console.WriteLine(
        $"parallelism {r.Parallelism}: {r.RendersPerSecond:F0} renders/s ({r.RendersPerSecondPerCore:F0}/s per core, " +
        $"{r.RendersPerCpuSecond:F0} per CPU-second) in {r.Elapsed.TotalSeconds:F1} s; " +
        $"peak working set {r.PeakWorkingSetBytes / 1048576.0:F0} MiB, managed heap {r.ManagedHeapBytes / 1048576.0:F0} MiB, " +
        $"{r.AllocatedBytes / (double)r.Count / 1024:F0} KiB allocated per render, gen0 {r.Gen0Collections}, gen2 {r.Gen2Collections}, " +
        $"average PDF {r.TotalPdfBytes / r.Count / 1024.0:F1} KiB");
}
