using System.Diagnostics;
using Billing.Testing;

namespace Billing.PdfRenderer.Tests;

// Read-only directories are made with Unix file modes or ext4's immutable attribute.
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class When_the_pdf_storage_cannot_be_written : IAsyncLifetime
{
    private const int RetryLimit = 2;
    private RendererHost host = null!;

    public async Task InitializeAsync() =>
        host = await RendererHost.StartAsync("pdfstore", new Dictionary<string, string?> { ["RabbitMq:RetryLimit"] = RetryLimit.ToString() });

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Does_retry_then_dead_letter_and_leave_nothing_half_written()
    {
        var invoice = await TestInvoices.InsertAsync(host.Db.DataSource, TestInvoices.Typical);
        DeadLetter? dead;
        using (ReadOnly(host.StorageDirectory))
        {
            await host.PublishAsync(invoice.Finalized());
            dead = await Eventually.Until(() => DeadLetters.FindAsync(host.Vhost.AmqpUrl, DeadLetters.FinalizedErrorQueue, invoice.InvoiceId),
                d => d is not null, TimeSpan.FromSeconds(90));
        }

        Assert.Equal(RetryLimit + 1, host.Storage.Puts);
        Assert.Contains(dead!.Header("MT-Fault-ExceptionType"), new[] { "System.IO.IOException", "System.UnauthorizedAccessException" });
        Assert.Empty(host.StoredFiles());
        var columns = await TestInvoices.PdfColumnsAsync(host.Db.DataSource, invoice.InvoiceId);
        Assert.Equal(new PdfColumns(), columns);
        Assert.Empty(host.Captured.RenderedFor(invoice.InvoiceId));
    }

    /// <summary>Root ignores permission bits, so as root the directory is made immutable instead.</summary>
    private static IDisposable ReadOnly(string directory)
    {
        if (Environment.UserName != "root")
        {
            var mode = File.GetUnixFileMode(directory);
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return new Undo(() => File.SetUnixFileMode(directory, mode));
        }
        Chattr("+i", directory);
        return new Undo(() => Chattr("-i", directory));
    }

    private static void Chattr(string flag, string path)
    {
        using var process = Process.Start("chattr", [flag, path]);
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"chattr {flag} {path} failed: this test needs a file system with immutable attributes (ext4)");
    }

    private sealed class Undo(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
