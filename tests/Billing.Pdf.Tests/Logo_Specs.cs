using System.Text;

namespace Billing.Pdf.Tests;

public class When_the_issuer_has_a_logo
{
    [Fact]
    public void Does_embed_it_as_an_image_from_bytes()
    {
        var doc = TestInvoices.Typical() with { Issuer = TestInvoices.Typical().Issuer with { LogoBytes = TestPng.Solid(120, 40, 0x1F, 0x3A, 0x5F) } };
        var pdf = new InvoicePdfRenderer().Render(doc);
        Assert.Matches(@"/Subtype\s*/Image", Encoding.Latin1.GetString(pdf));
        Assert.Contains("INV-0001", PdfText.Extract(pdf));
    }

    [Fact]
    public void Does_embed_it_as_an_image_from_a_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"billing-logo-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, TestPng.Solid(300, 300, 200, 30, 30));
        try
        {
            var doc = TestInvoices.Typical() with { Issuer = TestInvoices.Typical().Issuer with { LogoPath = path } };
            Assert.Matches(@"/Subtype\s*/Image", Encoding.Latin1.GetString(new InvoicePdfRenderer().Render(doc)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Does_not_embed_an_image_without_one()
    {
        Assert.DoesNotMatch(@"/Subtype\s*/Image", Encoding.Latin1.GetString(new InvoicePdfRenderer().Render(TestInvoices.Typical())));
    }
}
