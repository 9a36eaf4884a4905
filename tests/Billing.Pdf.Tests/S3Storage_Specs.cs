namespace Billing.Pdf.Tests;

public class When_s3_storage_gets_a_bad_key
{
    // Nothing listens on port 9: if a request were sent, the error would not be an ArgumentException.
    private readonly S3PdfStorage _storage = new(new S3PdfStorageOptions
    {
        ServiceUrl = "http://127.0.0.1:9", Bucket = "invoices", AccessKey = "key", SecretKey = "secret",
    });

    [Theory]
    [InlineData("../escape.pdf")]
    [InlineData("/absolute.pdf")]
    [InlineData("a/../b.pdf")]
    [InlineData("")]
    public async Task Does_refuse_it_before_any_request(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.PutAsync(key, new byte[] { 1 }, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.GetAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.ExistsAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.DeleteAsync(key, CancellationToken.None));
    }

    [Fact]
    public void Does_put_the_prefix_in_front_of_valid_keys()
    {
        using var client = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("k", "s"), new Amazon.S3.AmazonS3Config { ServiceURL = "http://127.0.0.1:9" });
        var storage = new S3PdfStorage(client, "invoices", "pdf");
        Assert.Equal("pdf/a/b.pdf", storage.ObjectKey("a/b.pdf"));
    }
}

public class When_s3_storage_options_are_wrong
{
    private static readonly S3PdfStorageOptions Valid = new()
    {
        ServiceUrl = "http://127.0.0.1:9000", Bucket = "invoices", AccessKey = "key", SecretKey = "secret",
    };

    public static TheoryData<string, S3PdfStorageOptions> Broken() => new()
    {
        { "ServiceUrl", Valid with { ServiceUrl = "not a url" } },
        { "ServiceUrl", Valid with { ServiceUrl = "ftp://host" } },
        { "Bucket", Valid with { Bucket = "" } },
        { "AccessKey", Valid with { AccessKey = " " } },
        { "SecretKey", Valid with { SecretKey = "" } },
        { "key", Valid with { KeyPrefix = "../up" } },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Does_name_the_setting(string setting, S3PdfStorageOptions options)
    {
        var e = Assert.Throws<ArgumentException>(() => new S3PdfStorage(options));
        Assert.Equal(setting, e.ParamName);
    }

    [Fact]
    public void Does_accept_valid_settings()
    {
        using var storage = new S3PdfStorage(Valid with { KeyPrefix = "invoices/" });
        Assert.Equal("invoices/a.pdf", storage.ObjectKey("a.pdf"));
    }
}
