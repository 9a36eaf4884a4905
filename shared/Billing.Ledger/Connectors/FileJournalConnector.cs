using System.Text;
using System.Text.Json;

namespace Billing.Ledger;

/// <summary>
/// The shipped connector: appends one JSON line per entry to <c>journal.jsonl</c> in a directory, for an
/// accounting tool to import. An in-memory index of source keys is caught up from the bytes appended since the
/// last read, so several processes may share the directory.
/// </summary>
/// <remarks>
/// Appends hold an exclusive file lock (.NET maps <see cref="FileShare.None"/> to flock on Unix) while they re-read
/// the tail and check the key, so two processes never append the same entry. A crash mid-write leaves a torn last
/// line; it is skipped when read and the next record starts on a fresh line.
/// </remarks>
public sealed class FileJournalConnector(string directory) : IAccountingConnector, IDisposable
{
    public const string FileName = "journal.jsonl";

    readonly string _path = Path.Combine(Directory.CreateDirectory(directory).FullName, FileName);
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Dictionary<string, ExternalDocument> _index = new(StringComparer.Ordinal);
    long _indexedBytes;

    public string Name => "file";

    public string FilePath => _path;

    public async Task<ExternalDocument?> FindAsync(string sourceKey, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_index.TryGetValue(sourceKey, out var known) || !File.Exists(_path))
                return known;
            await using var stream = await OpenAsync(FileMode.Open, FileAccess.Read, FileShare.ReadWrite, ct);
            await CatchUpAsync(stream, ct);
            return _index.GetValueOrDefault(sourceKey);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<ExternalDocument> PostAsync(JournalEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.EnsureBalanced();
        await _gate.WaitAsync(ct);
        try
        {
            await using var stream = await OpenAsync(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, ct);
            await CatchUpAsync(stream, ct);
            if (_index.TryGetValue(entry.SourceKey, out var existing))
                return existing;

            var document = new ExternalDocument(Name, entry.SourceKey, entry.Id.ToString());
            var record = new JournalRecord(document.SourceKey, document.ExternalId, entry);
            var text = JsonSerializer.Serialize(record, LedgerJson.Options) + "\n";
            if (stream.Length > 0 && !await EndsWithNewlineAsync(stream, ct))
                text = "\n" + text;
            stream.Seek(0, SeekOrigin.End);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            stream.Flush(flushToDisk: true);
            _indexedBytes = stream.Length;
            _index[document.SourceKey] = document;
            return document;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    async Task CatchUpAsync(FileStream stream, CancellationToken ct)
    {
        if (stream.Length < _indexedBytes)
        {
            // The file was replaced or truncated: what we indexed may be gone.
            _index.Clear();
            _indexedBytes = 0;
        }
        if (stream.Length == _indexedBytes)
            return;
        stream.Seek(_indexedBytes, SeekOrigin.Begin);
        var buffer = new byte[stream.Length - _indexedBytes];
        await stream.ReadExactlyAsync(buffer, ct);
        var complete = Array.LastIndexOf(buffer, (byte)'\n') + 1;
        foreach (var line in Encoding.UTF8.GetString(buffer, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryReadDocument(line) is { } document)
                _index[document.SourceKey] = document;
        }
        _indexedBytes += complete;
    }

    ExternalDocument? TryReadDocument(string line)
    {
        try
        {
            var record = JsonSerializer.Deserialize<JournalRecord>(line, LedgerJson.Options);
            return record is { SourceKey: not null, ExternalId: not null } ? new ExternalDocument(Name, record.SourceKey, record.ExternalId) : null;
        }
        catch (JsonException)
        {
            return null; // a torn line left by a crashed writer holds no complete document
        }
    }

    static async Task<bool> EndsWithNewlineAsync(FileStream stream, CancellationToken ct)
    {
        stream.Seek(-1, SeekOrigin.End);
        var last = new byte[1];
        await stream.ReadExactlyAsync(last, ct);
        return last[0] == (byte)'\n';
    }

    async Task<FileStream> OpenAsync(FileMode mode, FileAccess access, FileShare share, CancellationToken ct)
    {
        // Another process holding the lock surfaces as an IOException; its append takes milliseconds.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new FileStream(_path, mode, access, share, bufferSize: 4096, useAsync: true);
            }
            catch (IOException) when (attempt < 100 && File.Exists(_path))
            {
                await Task.Delay(20, ct);
            }
        }
    }

    sealed record JournalRecord(string SourceKey, string ExternalId, JournalEntry Entry);
}
