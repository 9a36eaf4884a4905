using System.Security.Cryptography;
using Billing.Bench.Pdf;
using Billing.Contracts;
using Billing.Mail;
using Billing.Pdf;
using Billing.Testing;
using Dapper;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Mailer.Tests.Infrastructure;

public sealed record SeededInvoice(Guid InvoiceId, Guid AccountId, string Number, string PdfKey, byte[]? Pdf, string Email)
{
    public string? Sha256 => Pdf is null ? null : Convert.ToHexStringLower(SHA256.HashData(Pdf));
}

/// <summary>
/// One test class's world: a fresh database and vhost, its own SMTP server (aiosmtpd unless a port is given), a PDF
/// directory, and the mailer running in-process with the real service wiring, plus a recorder on the same bus.
/// </summary>
public sealed class MailerHarness : IAsyncDisposable
{
    public const string From = "Example Billing <billing@example.com>";
    public const string ReplyTo = "accounts@example.com";
    public const string PdfBaseUrl = "https://billing.example.com/pdfs";
    public const string InputQueue = "invoice-pdf-rendered";
    private static readonly InvoicePdfRenderer Renderer = new();
    private Guid _planId;
    private int _seq;

    private MailerHarness(TestDatabase db, TestVhost vhost, SmtpTestServer? smtp, string pdfDir)
    {
        Db = db;
        Vhost = vhost;
        Smtp = smtp;
        PdfDirectory = pdfDir;
        Storage = new FileSystemPdfStorage(pdfDir);
    }

    public TestDatabase Db { get; }
    public TestVhost Vhost { get; }
    public SmtpTestServer? Smtp { get; }
    public string PdfDirectory { get; }
    public FileSystemPdfStorage Storage { get; }
    public Recorder Recorder { get; } = new();
    public WebApplication App { get; private set; } = null!;
    public IBus Bus => App.Services.GetRequiredService<IBus>();
    public EmailDeliveryQueries Deliveries => new(Db.DataSource);

    /// <param name="smtpPort">Another SMTP server to use instead of starting an aiosmtpd.</param>
    public static async Task<MailerHarness> StartAsync(string prefix, int? smtpPort = null, IDictionary<string, string?>? settings = null)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        var vhost = await TestVhost.CreateAsync(prefix);
        var smtp = smtpPort is null ? await SmtpTestServer.StartAsync() : null;
        var pdfDir = Path.Combine(Path.GetTempPath(), "billing-mailer-tests", "pdfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(pdfDir);
        var harness = new MailerHarness(db, vhost, smtp, pdfDir);
        var all = new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = (smtpPort ?? smtp!.Port).ToString(),
            ["Smtp:TimeoutSeconds"] = "20",
            ["Mail:From"] = From,
            ["Mail:ReplyTo"] = ReplyTo,
            ["Mail:PublicPdfBaseUrl"] = PdfBaseUrl,
            ["PdfStorage:Directory"] = pdfDir,
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        harness.App = await InProcessService.StartAsync("mailer", db, vhost,
            bus =>
            {
                bus.AddMailerConsumers();
                bus.AddConsumer<RecordingConsumer>();
            },
            builder =>
            {
                builder.AddMailerServices();
                builder.Services.AddSingleton(harness.Recorder);
            },
            all);
        await harness.SeedPlanAsync();
        return harness;
    }

    private async Task SeedPlanAsync()
    {
        _planId = Guid.NewGuid();
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("insert into plans (id, code, name, currency) values (@id, @code, 'Starter', 'EUR')",
            new { id = _planId, code = "starter-" + _planId.ToString("N")[..8] });
    }

    /// <summary>An account and its invoice as the generator writes them; the PDF rendered and stored as the renderer does.</summary>
    public async Task<SeededInvoice> InvoiceAsync(string email = "", bool storePdf = true, string currency = "EUR", long totalMinor = 123_456)
    {
        var n = Interlocked.Increment(ref _seq);
        var accountId = Guid.NewGuid();
        var invoiceId = Guid.NewGuid();
        var number = $"INV-2026-{n:D5}";
        if (email == "") email = $"customer{n}@example.org";
        await using (var conn = await Db.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("""
                insert into accounts (id, name, billing_email, currency, plan_id) values (@accountId, @name, @email, @currency, @planId);
                insert into invoices (id, account_id, period, issuer, number, currency, subtotal_minor, tax_rate, tax_minor,
                                      total_minor, due_at, pdf_key)
                values (@invoiceId, @accountId, '2026-10', 'default', @number, @currency, @totalMinor, 0, 0, @totalMinor,
                        date '2026-11-30', @key);
                """, new { accountId, invoiceId, name = $"Customer {n} GmbH", email, currency, planId = _planId, number, totalMinor,
                key = PdfKeys.For(accountId, invoiceId) });
        }
        var key = PdfKeys.For(accountId, invoiceId);
        byte[]? pdf = null;
        if (storePdf) pdf = await StorePdfAsync(accountId, invoiceId, n);
        return new SeededInvoice(invoiceId, accountId, number, key, pdf, email);
    }

    public async Task<byte[]> StorePdfAsync(Guid accountId, Guid invoiceId, int seed)
    {
        var pdf = Renderer.Render(SampleInvoices.OnePage(seed));
        await Storage.PutAsync(PdfKeys.For(accountId, invoiceId), pdf, CancellationToken.None);
        return pdf;
    }

    public static InvoicePdfRendered Rendered(SeededInvoice invoice, bool rerender = false) =>
        new(invoice.InvoiceId, Guid.Empty, invoice.AccountId, invoice.PdfKey, invoice.Pdf?.Length ?? 0, invoice.Sha256 ?? "", rerender);

    public Task PublishRenderedAsync(SeededInvoice invoice, bool rerender = false, Guid? messageId = null) =>
        Bus.Publish(Rendered(invoice, rerender), ctx => { if (messageId is { } id) ctx.MessageId = id; });

    public async Task<string> EmailStatusAsync(Guid invoiceId)
    {
        await using var conn = await Db.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<string>("select email_status from invoices where id = @invoiceId", new { invoiceId }) ?? "";
    }

    public IReadOnlyList<ReceivedMail> MessagesTo(string email) =>
        Smtp!.Messages().Where(m => string.Equals(m.EnvelopeTo, email, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>Waits until the mailer is idle: nothing left in its input queues (ready or unacknowledged).</summary>
    public async Task WaitForQueuesDrainedAsync(params string[] queues)
    {
        foreach (var queue in queues.Length == 0 ? [InputQueue] : queues)
        {
            // Ready messages as the broker counts them now, then ready and unacknowledged from the management statistics
            // (sampled every few seconds: alone, they may still show the queue from before the last publish).
            await Eventually.Until(() => Vhost.ReadyNowAsync(queue), n => n is null or 0, TimeSpan.FromSeconds(60));
            await Eventually.Until(async () => await Vhost.QueueAsync(queue), q => q is { } v
                && v.TryGetProperty("messages", out var m) && m.GetInt32() == 0, TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>For failure messages: the delivery rows and the first faults in the error queues.</summary>
    public async Task<string> DescribeAsync()
    {
        var sb = new System.Text.StringBuilder();
        await using (var conn = await Db.DataSource.OpenConnectionAsync())
            foreach (var row in await conn.QueryAsync("select invoice_id, delivery_no, state, attempt_count, error from email_deliveries"))
                sb.AppendLine($"delivery {row.invoice_id}/{row.delivery_no} {row.state} x{row.attempt_count} {row.error}");
        using var http = TestVhost.Management();
        foreach (var queue in new[] { InputQueue + "_error", "resend-invoice-email_error" })
        {
            var response = await http.PostAsync($"api/queues/{Uri.EscapeDataString(Vhost.Name)}/{queue}/get",
                new StringContent("""{"count":3,"ackmode":"ack_requeue_true","encoding":"auto"}""", System.Text.Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            sb.AppendLine($"{queue}: {(body.Length > 3000 ? body[..3000] : body)}");
        }
        sb.AppendLine($"maildir: {Smtp?.Messages().Count}");
        return sb.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (Smtp is not null) await Smtp.DisposeAsync();
        await Vhost.DisposeAsync();
        await Db.DisposeAsync();
        try { Directory.Delete(PdfDirectory, recursive: true); } catch (IOException) { }
    }
}
