namespace Billing.Pdf;

/// <summary>Connection to an S3-compatible store (AWS S3, MinIO, Cloudflare R2).</summary>
public sealed record S3PdfStorageOptions
{
    /// <summary>Endpoint, e.g. "http://127.0.0.1:9000" for MinIO or "https://ACCOUNT.r2.cloudflarestorage.com".</summary>
    public required string ServiceUrl { get; init; }
    public required string Bucket { get; init; }
    public required string AccessKey { get; init; }
    public required string SecretKey { get; init; }
    /// <summary>Signing region; MinIO accepts us-east-1, R2 expects "auto".</summary>
    public string Region { get; init; } = "us-east-1";
    /// <summary>bucket-in-path addressing, needed by MinIO and most self-hosted stores.</summary>
    public bool ForcePathStyle { get; init; } = true;
    /// <summary>Optional prefix in front of every key, e.g. "invoices/".</summary>
    public string KeyPrefix { get; init; } = "";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (!Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"ServiceUrl '{ServiceUrl}' is not an absolute http(s) URL.", nameof(ServiceUrl));
        if (string.IsNullOrWhiteSpace(Bucket)) throw new ArgumentException("Bucket is empty.", nameof(Bucket));
        if (string.IsNullOrWhiteSpace(AccessKey)) throw new ArgumentException("AccessKey is empty.", nameof(AccessKey));
        if (string.IsNullOrWhiteSpace(SecretKey)) throw new ArgumentException("SecretKey is empty.", nameof(SecretKey));
        if (string.IsNullOrWhiteSpace(Region)) throw new ArgumentException("Region is empty.", nameof(Region));
        if (KeyPrefix.Length > 0) PdfKeys.Validate(KeyPrefix.TrimEnd('/'));
    }
}
