namespace Billing.Pdf;

/// <summary>
/// Where PDFs are kept (<c>PdfStorage__*</c>): a directory by default, an S3-compatible bucket when
/// <c>PdfStorage__S3__ServiceUrl</c> is set.
/// </summary>
public sealed class PdfStorageOptions
{
    public const string Section = "PdfStorage";

    /// <summary>Root directory for the file system backend; relative paths start at the working directory.</summary>
    public string Directory { get; set; } = ".local/pdfs";

    public PdfStorageS3Settings S3 { get; set; } = new();

    public bool UsesS3 => !string.IsNullOrWhiteSpace(S3.ServiceUrl);

    /// <summary>The first setting that cannot work, named as its environment variable, or null.</summary>
    public string? Problem()
    {
        if (!UsesS3)
            return string.IsNullOrWhiteSpace(Directory) ? "PdfStorage__Directory must name a directory" : null;
        try
        {
            S3.ToOptions().Validate();
            return null;
        }
        catch (ArgumentException e)
        {
            return $"PdfStorage__S3__{(e.ParamName == "key" ? "KeyPrefix" : e.ParamName)} is invalid: {e.Message.Split(" (Parameter", 2)[0]}";
        }
    }
}

/// <summary><c>PdfStorage__S3__*</c>: an S3-compatible store (AWS S3, MinIO, Cloudflare R2).</summary>
public sealed class PdfStorageS3Settings
{
    public string? ServiceUrl { get; set; }
    public string? Bucket { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public string Region { get; set; } = "us-east-1";
    public bool ForcePathStyle { get; set; } = true;
    public string KeyPrefix { get; set; } = "";

    public S3PdfStorageOptions ToOptions() => new()
    {
        ServiceUrl = ServiceUrl ?? "",
        Bucket = Bucket ?? "",
        AccessKey = AccessKey ?? "",
        SecretKey = SecretKey ?? "",
        Region = Region,
        ForcePathStyle = ForcePathStyle,
        KeyPrefix = KeyPrefix,
    };
}
