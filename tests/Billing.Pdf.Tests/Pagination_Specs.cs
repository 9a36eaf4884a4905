using System.Text.RegularExpressions;
using Billing.Bench.Pdf;

namespace Billing.Pdf.Tests;

public class When_an_invoice_has_500_lines
{
    private static readonly Lazy<(byte[] Pdf, int Pages, string[] PageTexts)> Rendered = new(() =>
    {
        var pdf = new InvoicePdfRenderer().Render(TestInvoices.ManyLines(500));
        var pages = PdfText.PageCount(pdf);
        var texts = Enumerable.Range(1, pages).Select(p => PdfText.Extract(pdf, p)).ToArray();
        return (pdf, pages, texts);
    });

    [Fact]
    public void Does_span_several_pages()
    {
        Assert.True(Rendered.Value.Pages >= 5, $"500 lines fit on {Rendered.Value.Pages} pages");
    }

    [Fact]
    public void Does_repeat_the_table_header_on_every_page()
    {
        Assert.All(Rendered.Value.PageTexts, text => Assert.Matches(@"Description\s+Quantity\s+Unit price\s+Amount \(EUR\)", text));
    }

    [Fact]
    public void Does_number_every_page_with_the_correct_total()
    {
        var (_, pages, texts) = Rendered.Value;
        for (var i = 0; i < pages; i++)
        {
            var numbers = Regex.Matches(texts[i], @"Page (\d+) of (\d+)");
            var number = Assert.Single(numbers);
            Assert.Equal($"{i + 1}", number.Groups[1].Value);
            Assert.Equal($"{pages}", number.Groups[2].Value);
        }
    }

    [Fact]
    public void Does_print_every_line_exactly_once_in_order()
    {
        var found = Rendered.Value.PageTexts
            .SelectMany(t => Regex.Matches(t, @"Consulting item number (\d{3})"))
            .Select(m => int.Parse(m.Groups[1].Value))
            .ToList();
        Assert.Equal(Enumerable.Range(1, 500), found);
    }

    [Fact]
    public void Does_print_the_totals_only_on_the_last_page()
    {
        var texts = Rendered.Value.PageTexts;
        Assert.All(texts[..^1], t => Assert.DoesNotContain("Subtotal", t));
        // Sum of i × 1.50 for i = 1..500 = 187,875.00
        Assert.Matches(@"Subtotal\s+EUR 187,875\.00", texts[^1]);
        Assert.Matches(@"Tax \(19%\)\s+EUR 35,696\.25", texts[^1]);
        Assert.Matches(@"Total\s+EUR 223,571\.25", texts[^1]);
    }

    [Fact]
    public void Does_show_the_full_header_only_on_the_first_page()
    {
        var texts = Rendered.Value.PageTexts;
        Assert.Contains("BILL TO", texts[0]);
        Assert.All(texts[1..], t => Assert.DoesNotContain("BILL TO", t));
        Assert.All(texts[1..], t => Assert.Contains("Invoice INV-0001 (continued)", t));
    }
}

public class When_rows_are_distributed_over_pages
{
    private static List<Rendering.PagePlan> Paginate(double[] heights, bool[] startsGroup, double totals) =>
        Rendering.Paginator.Paginate(firstBodyTop: 100, nextBodyTop: 50, bodyBottom: 400, heights, startsGroup, totals);

    [Fact]
    public void Does_keep_everything_on_one_page_when_it_fits()
    {
        var page = Assert.Single(Paginate([100, 100], [true, true], 90));
        Assert.True(page.HasTotals);
        Assert.Equal([0, 1], page.Rows);
    }

    [Fact]
    public void Does_carry_the_last_row_over_when_the_totals_do_not_fit()
    {
        var pages = Paginate([100, 100, 90], [true, true, true], 50);
        Assert.Equal(2, pages.Count);
        Assert.Equal([0, 1], pages[0].Rows);
        Assert.Equal([2], pages[1].Rows);
        Assert.False(pages[0].HasTotals);
        Assert.True(pages[1].HasTotals);
    }

    [Fact]
    public void Does_carry_a_whole_tier_group_over_with_the_totals()
    {
        var pages = Paginate([100, 60, 40, 40], [true, true, false, false], 70);
        Assert.Equal([0], pages[0].Rows);
        Assert.Equal([1, 2, 3], pages[1].Rows);
    }

    [Fact]
    public void Does_move_a_usage_line_to_the_next_page_with_its_tiers()
    {
        // Row 1 fits on page one, but not together with its two tiers.
        var pages = Paginate([150, 100, 40, 40, 10], [true, true, false, false, true], 10);
        Assert.Equal([0], pages[0].Rows);
        Assert.Equal([1, 2, 3, 4], pages[1].Rows);
    }

    [Fact]
    public void Does_split_a_group_taller_than_a_page()
    {
        var heights = new double[] { 100, 200, 200, 200 };
        var pages = Paginate(heights, [true, false, false, false], 10);
        Assert.Equal([0, 1], pages[0].Rows);
        Assert.Equal(4, pages.Sum(p => p.Rows.Count));
    }

    [Fact]
    public void Does_place_a_row_taller_than_a_page_alone_instead_of_looping()
    {
        var pages = Paginate([1000, 10], [true, true], 10);
        Assert.Equal([0], pages[0].Rows);
        Assert.Contains(1, pages[^1].Rows);
    }
}

public class When_an_invoice_has_many_usage_lines_with_tiers
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Does_not_start_a_page_with_a_tier_line(int extraAddressLines)
    {
        // Extra address lines shift where the page breaks fall, so some break would land inside a group.
        var doc = SampleInvoices.Create(1, "EUR", usageLines: 40);
        doc = doc with { BillTo = doc.BillTo with { AddressLines = [.. doc.BillTo.AddressLines, .. Enumerable.Repeat("c/o Accounts", extraAddressLines)] } };
        var pdf = new InvoicePdfRenderer().Render(doc);
        var pages = PdfText.PageCount(pdf);
        Assert.True(pages > 2);
        for (var page = 2; page <= pages; page++)
        {
            var rows = PdfText.Extract(pdf, page).Split('\n').Where(r => r.Trim().Length > 0).ToList();
            var header = rows.FindIndex(r => r.Contains("Unit price", StringComparison.Ordinal));
            var first = rows[header + 1].Trim();
            Assert.False(first.StartsWith("First ", StringComparison.Ordinal) || first.StartsWith("Units above", StringComparison.Ordinal), $"page {page} starts with tier row '{first}'");
        }
    }
}
