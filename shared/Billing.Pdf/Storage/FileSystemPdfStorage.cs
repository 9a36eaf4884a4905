namespace Billing.Pdf;

/// <summary>
/// PDFs as files under a root directory. Writes go to a temporary file in the target directory, are flushed to
/// disk and then renamed over the target: a reader sees the old file or the new one, never half of one.
/// </summary>
public sealed class FileSystemPdfStorage : IPdfStorage
{
    private const string TempSuffix = ".tmp";
    private readonly string _root;

    public FileSystemPdfStorage(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory));
    }

    public async Task<PdfStoredObject> PutAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var path = PathFor(key);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        // Leading '.' keeps temp files out of the key space: a valid key never names one.
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, ct);
                await stream.FlushAsync(ct);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        return new PdfStoredObject(key, content.Length, PdfKeys.Sha256Hex(content.Span));
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        var path = PathFor(key);
        try
        {
            return await File.ReadAllBytesAsync(path, ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathFor(key)));

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathFor(key);
        if (File.Exists(path)) File.Delete(path);
        return Task.CompletedTask;
    }

    private string PathFor(string key)
    {
        PdfKeys.Validate(key);
        var path = Path.GetFullPath(Path.Combine(_root, key));
        // Belt and braces after Validate: whatever the key, the file stays under the root.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"The storage key '{key}' leaves the storage root.", nameof(key));
        return path;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Nothing more to do: the original error is what the caller needs to see.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
