using Billing.Testing;

namespace Billing.PdfRenderer.Tests;

public sealed class When_a_pdf_renderer_setting_is_wrong
{
    public static TheoryData<string, string?, string> Cases() => new()
    {
        { "Issuer__Name", "", "setting Issuer__Name is required" },
        { "Issuer__LogoPath", "/nonexistent/logo.png", "setting Issuer__LogoPath must name an existing PNG or JPEG file" },
        { "Issuer__PaymentTerms", "Payable within 14 days.", "setting Issuer__PaymentTerms is no longer read: the term is Invoicing__PaymentTermDays" },
        { "Invoicing__PaymentTermDays", "-1", "setting Invoicing__PaymentTermDays must be a number of days from 0 to 365" },
        { "Invoicing__PaymentTermDays", "thirty", "setting Invoicing__PaymentTermDays has value 'thirty', which is not a valid Int32" },
        { "PdfRenderer__ConcurrentRenders", "0", "setting PdfRenderer__ConcurrentRenders" },
        { "PdfRenderer__ConcurrentMessages", "0", "setting PdfRenderer__ConcurrentMessages" },
        { "PdfStorage__S3__ServiceUrl", "http://127.0.0.1:9000", "setting PdfStorage__S3__Bucket is invalid" },
        { "PdfStorage__S3__ServiceUrl", "ftp://minio", "setting PdfStorage__S3__ServiceUrl is invalid" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Does_exit_2_naming_the_setting(string name, string? value, string expected)
    {
        await using var service = ServiceProcess.Start("pdf-renderer", "Billing.PdfRenderer", new Dictionary<string, string?>
        {
            ["Postgres__ConnectionString"] = TestServers.PostgresAdmin,
            ["RabbitMq__Url"] = TestServers.RabbitUrl,
            [name] = value,
        });
        Assert.Equal(2, await service.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains($"pdf-renderer: {expected}", service.Output);
    }
}
