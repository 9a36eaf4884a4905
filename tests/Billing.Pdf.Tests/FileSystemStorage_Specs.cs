using System.Security.Cryptography;

namespace Billing.Pdf.Tests;

public class When_a_pdf_is_stored_on_the_file_system : IDisposable
{
    private static readonly Guid Account = Guid.Parse("5f0c2f8e-9d7b-4a51-9a43-6c1d8f7e2b10");
    private static readonly Guid Invoice = Guid.Parse("0b7e6d5c-4a3b-4c2d-8e1f-0a9b8c7d6e5f");
    private readonly TempDirectory _dir = new();
    private readonly FileSystemPdfStorage _storage;
    private readonly string _key = PdfKeys.For(Account, Invoice);

    public When_a_pdf_is_stored_on_the_file_system() => _storage = new FileSystemPdfStorage(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Does_build_keys_as_account_slash_invoice_pdf()
    {
        Assert.Equal("5f0c2f8e-9d7b-4a51-9a43-6c1d8f7e2b10/0b7e6d5c-4a3b-4c2d-8e1f-0a9b8c7d6e5f.pdf", _key);
    }

    [Fact]
    public async Task Does_return_the_sha256_of_the_file_on_disk()
    {
        var pdf = new InvoicePdfRenderer().Render(TestInvoices.Typical());
        var stored = await _storage.PutAsync(_key, pdf, CancellationToken.None);
        var onDisk = await File.ReadAllBytesAsync(Path.Combine(_dir.Path, _key));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(onDisk)), stored.Sha256);
        Assert.Equal(pdf.Length, stored.Size);
        Assert.Equal(_key, stored.Key);
        Assert.Matches("^[0-9a-f]{64}$", stored.Sha256);
    }

    [Fact]
    public async Task Does_read_back_what_was_stored()
    {
        await _storage.PutAsync(_key, new byte[] { 1, 2, 3 }, CancellationToken.None);
        Assert.Equal(new byte[] { 1, 2, 3 }, await _storage.GetAsync(_key, CancellationToken.None));
        Assert.True(await _storage.ExistsAsync(_key, CancellationToken.None));
    }

    [Fact]
    public async Task Does_replace_the_content_when_the_same_key_is_written_again()
    {
        var first = await _storage.PutAsync(_key, new byte[] { 1 }, CancellationToken.None);
        var second = await _storage.PutAsync(_key, new byte[] { 2, 2 }, CancellationToken.None);
        Assert.Equal(first.Key, second.Key);
        Assert.NotEqual(first.Sha256, second.Sha256);
        Assert.Equal(new byte[] { 2, 2 }, await _storage.GetAsync(_key, CancellationToken.None));
        Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, Account.ToString())));
    }

    [Fact]
    public async Task Does_return_null_and_false_for_a_missing_key()
    {
        Assert.Null(await _storage.GetAsync(_key, CancellationToken.None));
        Assert.False(await _storage.ExistsAsync(_key, CancellationToken.None));
    }

    [Fact]
    public async Task Does_delete_and_tolerate_deleting_twice()
    {
        await _storage.PutAsync(_key, new byte[] { 1 }, CancellationToken.None);
        await _storage.DeleteAsync(_key, CancellationToken.None);
        await _storage.DeleteAsync(_key, CancellationToken.None);
        Assert.False(await _storage.ExistsAsync(_key, CancellationToken.None));
    }

    [Fact]
    public async Task Does_never_show_a_reader_half_a_file()
    {
        var small = new byte[10_000];
        var large = Enumerable.Repeat((byte)7, 2_000_000).ToArray();
        await _storage.PutAsync(_key, small, CancellationToken.None);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++) await _storage.PutAsync(_key, i % 2 == 0 ? large : small, CancellationToken.None);
        });
        var reads = 0;
        while (!writer.IsCompleted || reads == 0)
        {
            var read = await _storage.GetAsync(_key, CancellationToken.None);
            Assert.NotNull(read);
            Assert.True(read.Length == small.Length || read.Length == large.Length, $"read {read.Length} bytes");
            reads++;
        }
        await writer;
        Assert.Empty(_dir.TempFiles());
    }

    [Fact]
    public async Task Does_throw_and_leave_no_temp_file_when_the_final_rename_fails()
    {
        // A directory where the file should go makes the rename fail after the temp file was written.
        Directory.CreateDirectory(Path.Combine(_dir.Path, _key));
        await Assert.ThrowsAnyAsync<IOException>(() => _storage.PutAsync(_key, new byte[] { 1, 2, 3 }, CancellationToken.None));
        Assert.Empty(_dir.TempFiles());
    }

    [Fact]
    public async Task Does_throw_and_leave_no_temp_file_in_a_read_only_directory()
    {
        var accountDir = Path.Combine(_dir.Path, Account.ToString());
        Directory.CreateDirectory(accountDir);
        using (ReadOnlyDirectory.Make(accountDir))
        {
            var e = await Assert.ThrowsAnyAsync<Exception>(() => _storage.PutAsync(_key, new byte[] { 1, 2, 3 }, CancellationToken.None));
            Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        }
        Assert.Empty(_dir.TempFiles());
        Assert.False(await _storage.ExistsAsync(_key, CancellationToken.None));
    }

    [Theory]
    [InlineData("../escape.pdf")]
    [InlineData("a/../../escape.pdf")]
    [InlineData("a/./b.pdf")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b.pdf")]
    [InlineData("a\\b.pdf")]
    [InlineData("C:/x.pdf")]
    [InlineData(".hidden.pdf")]
    [InlineData("a/b.pdf/")]
    [InlineData("")]
    [InlineData("name with space.pdf")]
    public async Task Does_refuse_keys_that_could_leave_the_root(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.PutAsync(key, new byte[] { 1 }, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _storage.GetAsync(key, CancellationToken.None));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Path));
    }
}
