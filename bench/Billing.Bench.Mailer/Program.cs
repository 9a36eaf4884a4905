using System.Diagnostics;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using Billing.Mail;

// Usage: dotnet run -c Release --project bench/Billing.Bench.Mailer -- [--count 5000] [--bare-single-count 1000]
//        [--pool 4] [--port N (use a running SMTP server on 127.0.0.1 instead of starting aiosmtpd)]
var count = IntArg("--count", 5000);
var singleCount = IntArg("--bare-single-count", Math.Min(count, 1000));
var pool = IntArg("--pool", 4);
var port = IntArg("--port", 0);

var pdf = FakePdf(30 * 1024);
Process? smtpd = null;
string? maildir = null;
if (port == 0)
{
    (smtpd, port, maildir) = await StartAiosmtpdAsync();
    Console.WriteLine($"aiosmtpd on 127.0.0.1:{port}, Maildir {maildir}");
}
try
{
    Console.WriteLine($"attachment {pdf.Length:N0} bytes, pool {pool}, {Environment.ProcessorCount} cores");
    // Warm up both paths (JIT, first connection) so neither measurement pays for it.
    await BareAsync(port, 20, 1, pdf);
    await PooledAsync(port, 20, pool, pdf);

    var single = await BareAsync(port, singleCount, 1, pdf);
    Report($"bare SmtpClient, 1 client", singleCount, single);
    var bare = await BareAsync(port, count, pool, pdf);
    Report($"bare SmtpClient, {pool} parallel clients", count, bare);
    var pooled = await PooledAsync(port, count, pool, pdf);
    Report($"mailer path (composer + PooledSmtpSender({pool}))", count, pooled);
    var ratio = (count / pooled.TotalSeconds) / (count / bare.TotalSeconds);
    Console.WriteLine($"mailer path / bare {pool} parallel: {ratio:P0} (target >= 80%)");
    if (maildir is not null) Console.WriteLine($"messages in Maildir: {Directory.GetFiles(Path.Combine(maildir, "new")).Length:N0}");
}
finally
{
    if (smtpd is not null)
    {
        smtpd.Kill(entireProcessTree: true);
        await smtpd.WaitForExitAsync();
    }
    if (maildir is not null) Directory.Delete(maildir, recursive: true);
}
return 0;

static void Report(string what, int n, TimeSpan elapsed) =>
    Console.WriteLine($"{what,-48} {n,6:N0} emails in {elapsed.TotalSeconds,7:N2} s = {n / elapsed.TotalSeconds,7:N1} emails/s");

// The baseline: SmtpClient as a sample would use it, one message per client at a time, `parallel` loops.
static async Task<TimeSpan> BareAsync(int port, int n, int parallel, byte[] pdf)
{
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
    {
        using var client = new SmtpClient("127.0.0.1", port);
        while (Interlocked.Increment(ref next) < n)
        {
            using var message = new MailMessage("billing@example.com", "customer@example.org", "Invoice", "Your invoice is attached.");
            message.Attachments.Add(new Attachment(new MemoryStream(pdf), "invoice.pdf", "application/pdf"));
            await client.SendMailAsync(message);
        }
    }));
    return watch.Elapsed;
}

// What the mailer does per email: compose text + HTML + PDF and send through the pool, many sends in flight
// (the consumer runs up to 16 at once) competing for `pool` clients.
static async Task<TimeSpan> PooledAsync(int port, int n, int pool, byte[] pdf)
{
    using var sender = new PooledSmtpSender(new SmtpOptions { Host = "127.0.0.1", Port = port, PoolSize = pool });
    var composer = new InvoiceEmailComposer(new MailOptions
    {
        From = "Example Billing <billing@example.com>",
        ReplyTo = "accounts@example.com",
        PublicPdfBaseUrl = "https://billing.example.com/pdfs",
    });
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            var email = new InvoiceEmail(Guid.NewGuid(), 1, $"customer{i}@example.org", $"Customer {i} GmbH", $"INV-2026-{i:D6}",
                "2026-10", 1_234_567 + i, "EUR", new DateOnly(2026, 11, 30), pdf);
            using var message = composer.Compose(email);
            await sender.SendAsync(message, CancellationToken.None);
        }
    }));
    return watch.Elapsed;
}

// Incompressible bytes behind a PDF header: the attachment costs what a real invoice PDF of that size costs on the wire.
static byte[] FakePdf(int size)
{
    var bytes = new byte[size];
    new Random(42).NextBytes(bytes);
    "%PDF-1.7\n"u8.CopyTo(bytes);
    return bytes;
}

static async Task<(Process, int, string)> StartAiosmtpdAsync()
{
    var dir = Path.Combine(Path.GetTempPath(), "billing-bench-mailer-" + Guid.NewGuid().ToString("N"));
    foreach (var sub in new[] { "tmp", "new", "cur" }) Directory.CreateDirectory(Path.Combine(dir, sub));
    int free;
    using (var listener = new TcpListener(IPAddress.Loopback, 0))
    {
        listener.Start();
        free = ((IPEndPoint)listener.LocalEndpoint).Port;
    }
    var info = new ProcessStartInfo("/usr/bin/python3") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{free}", "-c", "aiosmtpd.handlers.Mailbox", dir }) info.ArgumentList.Add(a);
    var process = Process.Start(info)!;
    process.BeginErrorReadLine();
    process.BeginOutputReadLine();
    for (var i = 0; i < 100; i++)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", free);
            return (process, free, dir);
        }
        catch (SocketException)
        {
            await Task.Delay(100);
        }
    }
    throw new InvalidOperationException("aiosmtpd did not open its port");
}

int IntArg(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var v) ? v : fallback;
}
