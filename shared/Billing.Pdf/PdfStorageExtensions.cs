using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Billing.Pdf;

public static class PdfStorageExtensions
{
    /// <summary>
    /// Registers <see cref="IPdfStorage"/> from the <c>PdfStorage</c> settings, validated at start: the pdf-renderer
    /// writes through it, the mailer and the admin API read the same objects.
    /// </summary>
    public static IHostApplicationBuilder AddPdfStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PdfStorageOptions>()
            .BindConfiguration(PdfStorageOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PdfStorageOptions>, PdfStorageOptionsValidator>();
        builder.Services.AddSingleton<IPdfStorage>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PdfStorageOptions>>().Value;
            return options.UsesS3
                ? new S3PdfStorage(options.S3.ToOptions())
                : new FileSystemPdfStorage(options.Directory);
        });
        return builder;
    }
}

/// <summary>Reports the setting to fix by its environment variable name.</summary>
internal sealed class PdfStorageOptionsValidator : IValidateOptions<PdfStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, PdfStorageOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
