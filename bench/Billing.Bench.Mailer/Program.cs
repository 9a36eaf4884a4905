using Billing.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Mail;
using System.Net.Sockets;
using Billing.Mail;

// Usage: dotnet run -c Release --project bench/Billing.Bench.Mailer -- [--count 5000] [--bare-single-count 1000]
//        [--pool 4] [--warmup 1000] [--port N (use a running SMTP server on 127.0.0.1 instead of starting deploy/local/smtp_maildir.py)]
// Prints emails/s and the CPU milliseconds this process spends per email on each path (the SMTP server is another process).
var count = IntArg("--count", 5000);
var singleCount = IntArg("--bare-single-count", Math.Min(count, 1000));
var pool = IntArg("--pool", 4);
var port = IntArg("--port", 0);
// Emails sent on each path before it is measured: the first thousand pay for compiling the SMTP and MIME code (once
// per process, a few seconds of CPU); the measurement is what every email of a monthly run costs after that.
var warmup = IntArg("--warmup", 1000);

var pdf = FakePdf(30 * 1024);
Process? smtpd = null;
string? maildir = null;
if (port == 0)
{
    maildir = Path.Combine(Path.GetTempPath(), "billing-bench-mailer-" + Guid.NewGuid().ToString("N"));
    port = ServiceProcess.FreePort();
    smtpd = await LocalSmtpServer.StartAsync(port, maildir);
    Console.WriteLine($"smtp_maildir on 127.0.0.1:{port}, Maildir {maildir}");
}
try
{
    Console.WriteLine($"attachment {pdf.Length:N0} bytes, pool {pool}, {Environment.ProcessorCount} cores, warm-up {warmup:N0} emails per path");
    // Warm up both paths (JIT, first connection) so neither measurement pays for it.
    var cold = await PooledAsync(port, warmup, pool, pdf);
    Report($"mailer path, warm-up (compiling as it goes)", warmup, cold);
    await BareAsync(port, Math.Min(warmup, 200), pool, pdf);

    var single = await BareAsync(port, singleCount, 1, pdf);
    Report($"bare SmtpClient, 1 client", singleCount, single);
    var bare = await BareAsync(port, count, pool, pdf);
    Report($"bare SmtpClient, {pool} parallel clients", count, bare);
    var pooled = await PooledAsync(port, count, pool, pdf);
    Report($"mailer path (composer + {pool} pooled connections)", count, pooled);
    var ratio = bare.Elapsed / pooled.Elapsed;
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

static void Report(string what, int n, (TimeSpan Elapsed, TimeSpan Cpu) m) =>
    Console.WriteLine($"{what,-48} {n,6:N0} emails in {m.Elapsed.TotalSeconds,7:N2} s = {n / m.Elapsed.TotalSeconds,7:N1} emails/s, " +
                      $"client CPU {m.Cpu.TotalMilliseconds / n,5:N2} ms/email");

static async Task<(TimeSpan Elapsed, TimeSpan Cpu)> Measure(Func<Task> run)
{
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var watch = Stopwatch.StartNew();
    await run();
    return (watch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
}

// The baseline: SmtpClient as a sample would use it, one message per client at a time, `parallel` loops.
static Task<(TimeSpan Elapsed, TimeSpan Cpu)> BareAsync(int port, int n, int parallel, byte[] pdf) => Measure(async () =>
{
    var next = -1;
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
});

// What the mailer does per email: compose text + HTML + PDF and send through the pool, many sends in flight
// (the consumer runs up to 16 at once) competing for `pool` connections.
static Task<(TimeSpan Elapsed, TimeSpan Cpu)> PooledAsync(int port, int n, int pool, byte[] pdf) => Measure(async () =>
{
    using var sender = new PooledSmtpSender(new SmtpOptions { Host = "127.0.0.1", Port = port, PoolSize = pool });
    var composer = new InvoiceEmailComposer(new MailOptions
    {
        From = "Example Billing <billing@example.com>",
        ReplyTo = "accounts@example.com",
        PublicPdfBaseUrl = "https://billing.example.com/pdfs",
    });
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            var email = new InvoiceEmail(Guid.NewGuid(), 1, $"customer{i}@example.org", $"Customer {i} GmbH", $"INV-2026-{i:D6}",
                "2026-10", 1_234_567 + i, "EUR", new DateOnly(2026, 11, 30), pdf);
            using var outgoing = composer.Compose(email, DateTimeOffset.UtcNow);
            await sender.SendAsync(outgoing, CancellationToken.None);
        }
    }));
});

// Incompressible bytes behind a PDF header: the attachment costs what a real invoice PDF of that size costs on the wire.
static byte[] FakePdf(int size)
{
    var bytes = new byte[size];
    new Random(42).NextBytes(bytes);
    "%PDF-1.7\n"u8.CopyTo(bytes);
    return bytes;
}

int IntArg(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var v) ? v : fallback;
}
