namespace Billing.Pdf.Tests;

internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("billing-pdf-").FullName;

    public IEnumerable<string> TempFiles() =>
        Directory.EnumerateFiles(Path, "*.tmp", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 });

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
