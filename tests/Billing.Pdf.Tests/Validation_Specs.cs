using Billing.Bench.Pdf;

namespace Billing.Pdf.Tests;

public class When_template_data_is_missing_or_wrong
{
    private static readonly InvoiceDocument Valid = TestInvoices.Typical();

    public static TheoryData<string, InvoiceDocument> Broken() => new()
    {
        { "Number", Valid with { Number = "" } },
        { "Number", Valid with { Number = "   " } },
        { "Issuer.Name", Valid with { Issuer = Valid.Issuer with { Name = "" } } },
        { "BillTo.Name", Valid with { BillTo = Valid.BillTo with { Name = "" } } },
        { "Currency", Valid with { Currency = "" } },
        { "Currency", Valid with { Currency = "XYZ" } },
        { "Currency", Valid with { Currency = "eur" } },
        { "Period", Valid with { Period = "October" } },
        { "Period", Valid with { Period = "2026-13" } },
        { "IssueDate", Valid with { IssueDate = default } },
        { "DueDate", Valid with { DueDate = new DateOnly(2026, 10, 1) } },
        { "TaxRatePercent", Valid with { TaxRatePercent = -1 } },
        { "Lines", Valid with { Lines = [] } },
        { "Lines[0].Description", Valid with { Lines = [Valid.Lines[0] with { Description = "" }, .. Valid.Lines.Skip(1)] } },
        { "Lines[1].LineNo", Valid with { Lines = [Valid.Lines[0], Valid.Lines[1] with { LineNo = 1 }, .. Valid.Lines.Skip(2)] } },
        { "Lines[2].ParentLineNo", Valid with { Lines = [.. Valid.Lines.Take(2), Valid.Lines[2] with { ParentLineNo = null }, .. Valid.Lines.Skip(3)] } },
        { "Lines[2].ParentLineNo", Valid with { Lines = [.. Valid.Lines.Take(2), Valid.Lines[2] with { ParentLineNo = 1 }, .. Valid.Lines.Skip(3)] } },
        { "SubtotalMinor", Valid with { SubtotalMinor = Valid.SubtotalMinor + 1, TotalMinor = Valid.TotalMinor + 1 } },
        { "TotalMinor", Valid with { TotalMinor = Valid.TotalMinor + 1 } },
        { "Issuer.LogoBytes", Valid with { Issuer = Valid.Issuer with { LogoBytes = [] } } },
        { "Issuer.LogoPath", Valid with { Issuer = Valid.Issuer with { LogoPath = "/nonexistent/logo.png" } } },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Does_name_the_field_in_the_exception(string field, InvoiceDocument doc)
    {
        var e = Assert.Throws<InvoiceDocumentException>(doc.Validate);
        Assert.Equal(field, e.Field);
        Assert.Contains(field, e.Message);
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void Does_refuse_to_render(string field, InvoiceDocument doc)
    {
        var e = Assert.Throws<InvoiceDocumentException>(() => new InvoicePdfRenderer().Render(doc));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Does_name_the_logo_when_it_is_not_an_image()
    {
        var doc = Valid with { Issuer = Valid.Issuer with { LogoBytes = "not an image"u8.ToArray() } };
        var e = Assert.Throws<InvoiceDocumentException>(() => new InvoicePdfRenderer().Render(doc));
        Assert.Equal("Issuer.LogoBytes", e.Field);
    }

    [Fact]
    public void Does_accept_a_valid_document()
    {
        Valid.Validate();
        SampleInvoices.OnePage(7).Validate();
    }

    [Theory]
    [InlineData("base_fee")]
    [InlineData("usage")]
    [InlineData("charge")]
    public void Does_accept_every_billable_line_kind_of_the_database(string kind)
    {
        (Valid with { Lines = [TestInvoices.Line(1, kind, "Line", 1, 10m, Valid.SubtotalMinor)] }).Validate();
    }

    [Fact]
    public void Does_refuse_an_unknown_database_line_kind()
    {
        var e = Assert.Throws<InvoiceDocumentException>(() =>
            (Valid with { Lines = [TestInvoices.Line(1, "discount", "Line", 1, 10m, Valid.SubtotalMinor)] }).Validate());
        Assert.Equal("Lines[0].Kind", e.Field);
        Assert.Contains("discount", e.Message);
    }
}
