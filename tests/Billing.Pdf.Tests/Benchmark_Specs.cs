using Billing.Bench.Pdf;

namespace Billing.Pdf.Tests;

public class When_the_render_benchmark_runs
{
    [Fact]
    public async Task Does_report_what_it_rendered()
    {
        var progress = new StringWriter();
        var result = await PdfRenderBenchmark.RunAsync(20, 2, progress, CancellationToken.None);
        Assert.Equal(20, result.Count);
        Assert.Equal(2, result.Parallelism);
        Assert.True(result.RendersPerSecond > 0);
        Assert.True(result.TotalPdfBytes > 20 * 1000, $"{result.TotalPdfBytes} bytes for 20 PDFs");
        Assert.True(result.PeakWorkingSetBytes > 0);
        Assert.Contains("Rendering 20 invoices", progress.ToString());
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 0)]
    public async Task Does_refuse_non_positive_counts(int count, int parallelism)
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => PdfRenderBenchmark.RunAsync(count, parallelism, TextWriter.Null, CancellationToken.None));
    }

    [Fact]
    public async Task Does_stop_when_cancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PdfRenderBenchmark.RunAsync(1000, 1, TextWriter.Null, cts.Token));
    }

    [Fact]
    public void Does_use_sample_invoices_that_pass_validation_and_fit_one_page()
    {
        for (var seed = 0; seed < 12; seed++)
        {
            var pdf = new InvoicePdfRenderer().Render(SampleInvoices.OnePage(seed));
            Assert.Equal(1, PdfText.PageCount(pdf));
        }
    }
}
