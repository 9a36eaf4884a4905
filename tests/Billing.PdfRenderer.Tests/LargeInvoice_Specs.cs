using System.Text.RegularExpressions;

namespace Billing.PdfRenderer.Tests;

/// <summary>The 500-line invoice is rendered once for the whole class.</summary>
public sealed class RenderedLargeInvoice : IAsyncLifetime
{
    private RendererHost host = null!;
    public int Pages { get; private set; }
    public string[] PageTexts { get; private set; } = [];

    public async Task InitializeAsync()
    {
        host = await RendererHost.StartAsync("pdflarge");
        // 500 charges: item i costs i × 1.50, so the subtotal is 1.50 × (1 + … + 500) = 187,875.00
        var lines = Enumerable.Range(1, 500)
            .Select(i => new LineSpec(i, "charge", $"Consulting item number {i:D3}", i, 1.50m, i * 150L))
            .ToList();
        var invoice = await TestInvoices.InsertAsync(host.Db.DataSource, lines);
        await host.PublishAsync(invoice.Finalized());
        var rendered = (await host.Captured.WaitRenderedAsync(invoice.InvoiceId, 1)).Single();
        var pdf = host.ReadStored(rendered.StorageKey);
        Pages = PdfText.PageCount(pdf);
        PageTexts = Enumerable.Range(1, Pages).Select(p => PdfText.Extract(pdf, p)).ToArray();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();
}

public sealed class When_a_finalized_invoice_has_500_lines(RenderedLargeInvoice fixture) : IClassFixture<RenderedLargeInvoice>
{
    private readonly int pages = fixture.Pages;
    private readonly string[] pageTexts = fixture.PageTexts;

    [Fact]
    public void Does_span_several_pages_each_with_the_table_header_and_the_right_page_count()
    {
        Assert.True(pages >= 5, $"500 lines on {pages} pages");
        for (var i = 0; i < pages; i++)
        {
            Assert.Matches(@"Description\s+Quantity\s+Unit price\s+Amount \(EUR\)", pageTexts[i]);
            var number = Assert.Single(Regex.Matches(pageTexts[i], @"Page (\d+) of (\d+)"));
            Assert.Equal((i + 1, pages), (int.Parse(number.Groups[1].Value), int.Parse(number.Groups[2].Value)));
        }
    }

    [Fact]
    public void Does_print_every_line_once_in_order_and_the_totals_on_the_last_page()
    {
        var found = pageTexts.SelectMany(t => Regex.Matches(t, @"Consulting item number (\d{3})")).Select(m => int.Parse(m.Groups[1].Value));
        Assert.Equal(Enumerable.Range(1, 500), found);
        Assert.Matches(@"Consulting item number 500.*\s750\.00\s*$", pageTexts[^1].Split('\n').First(l => l.Contains("number 500")));
        Assert.Matches(@"Subtotal\s+EUR 187,875\.00", pageTexts[^1]);
        Assert.Matches(@"Tax \(19%\)\s+EUR 35,696\.25", pageTexts[^1]);
        Assert.Matches(@"Total\s+EUR 223,571\.25", pageTexts[^1]);
    }
}
