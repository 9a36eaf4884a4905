using Billing.Pdf;

namespace Billing.Mailer;

/// <summary>
/// Where the mailer reads rendered PDFs: the directory the renderer writes to (<c>PdfStorage__Directory</c>,
/// default <c>.local/pdfs</c> relative to the working directory). Lives here until a shared registration exists.
/// </summary>
public static class PdfStorageExtensions
{
    public const string DirectorySetting = "PdfStorage:Directory";
    public static readonly string DefaultDirectory = Path.Combine(".local", "pdfs");

    public static IHostApplicationBuilder AddPdfStorage(this IHostApplicationBuilder builder)
    {
        var directory = builder.Configuration[DirectorySetting] is { Length: > 0 } configured ? configured : DefaultDirectory;
        var root = Path.GetFullPath(directory);
        builder.Services.AddSingleton<IPdfStorage>(new FileSystemPdfStorage(root));
        return builder;
    }
}
