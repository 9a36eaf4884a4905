using System.Diagnostics;
using System.Net.Mail;
using System.Text;
using Billing.Bench.Pdf;
using Billing.Mail;
using Billing.Pdf;
using Billing.Testing;
using Npgsql;
using RabbitMQ.Client;

namespace Billing.Bench.Pipeline;

/// <summary>What the building blocks do on their own on this machine, measured in the same run as the pipeline.</summary>
public static class BareLimits
{
    /// <param name="Smtp">SmtpClient: a new connection per message, as a sample would send.</param>
    /// <param name="SmtpKept">Messages over kept connections, as the mailer's pool sends: the server's own limit.</param>
    /// <param name="Cpu">This process's CPU per operation of each building block, the client's side only.</param>
    public sealed record Result(double BrokerPublish, double BrokerConsume, double Smtp, double PdfRender, double DbInsertRows, double SmtpKept,
        BareCpu Cpu);

    /// <summary>CPU milliseconds per operation: a publish with confirm, a consume with ack, an email sent over a kept
    /// connection (PDF attached), a PDF rendered, a row written by COPY.</summary>
    public sealed record BareCpu(double PublishMs, double ConsumeMs, double SmtpSendMs, double RenderMs, double CopyRowMs)
    {
        /// <summary>The building blocks of a stage's work for one invoice, as (what, CPU ms).</summary>
        public IReadOnlyList<(string Service, string What, double Ms)> PerInvoice() =>
        [
            ("invoice-generator", "6 COPY rows + 2 publishes + 1 consume", 6 * CopyRowMs + 2 * PublishMs + ConsumeMs),
            ("pdf-renderer", "1 render + 1 publish + 1 consume", RenderMs + PublishMs + ConsumeMs),
            ("mailer", "1 SMTP send + 1 publish + 1 consume", SmtpSendMs + PublishMs + ConsumeMs),
            ("accounting-sync", "3 COPY rows + 1 publish + 1 consume", 3 * CopyRowMs + PublishMs + ConsumeMs),
        ];
    }

    private static double CpuMs() => Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

    public static async Task<Result> MeasureAsync(TestVhost vhost, TestDatabase db, TextWriter log)
    {
        const int messages = 30_000, keptEmails = 2_000, renders = 1_000, rows = 200_000;
        var (publish, consume, publishCpu, consumeCpu) = await BrokerAsync(vhost, messages);
        log.WriteLine($"  broker publish (confirms, windowed) {publish,10:N0} msg/s; consume {consume,10:N0} msg/s; CPU {publishCpu:N3} / {consumeCpu:N3} ms per message");
        var smtp = await SmtpAsync(600, parallel: 4);
        log.WriteLine($"  SMTP acceptance (4 clients, PDF attached) {smtp,6:N0} msg/s");
        var cpu = CpuMs();
        var smtpKept = await SmtpKeptAsync(keptEmails, parallel: 4);
        var smtpCpu = (CpuMs() - cpu) / keptEmails;
        log.WriteLine($"  SMTP acceptance (4 kept connections, PDF) {smtpKept,6:N0} msg/s; sender CPU {smtpCpu:N3} ms per email  ({TestServers.SmtpHost}:{TestServers.SmtpPort})");
        // The first renders load fonts and compile; the CPU per render is that of the renders after them.
        await PdfRenderBenchmark.RunAsync(100, Environment.ProcessorCount, TextWriter.Null, CancellationToken.None);
        cpu = CpuMs();
        var pdf = await PdfRenderBenchmark.RunAsync(renders, Environment.ProcessorCount, TextWriter.Null, CancellationToken.None);
        var renderCpu = (CpuMs() - cpu) / renders;
        log.WriteLine($"  PDF render ({Environment.ProcessorCount} threads) {pdf.RendersPerSecond,14:N0} renders/s; CPU {renderCpu:N3} ms per render");
        cpu = CpuMs();
        var copied = await DbInsertAsync(db, rows);
        var rowCpu = (CpuMs() - cpu) / rows;
        log.WriteLine($"  PostgreSQL COPY {copied,24:N0} rows/s; CPU {rowCpu * 1000:N2} µs per row");
        return new Result(publish, consume, smtp, pdf.RendersPerSecond, copied, smtpKept, new BareCpu(publishCpu, consumeCpu, smtpCpu, renderCpu, rowCpu));
    }

    private static async Task<(double Publish, double Consume, double PublishCpuMs, double ConsumeCpuMs)> BrokerAsync(TestVhost vhost, int count)
    {
        var factory = new ConnectionFactory { Uri = new Uri(vhost.AmqpUrl) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true));
        await channel.QueueDeclareAsync("bench-bare", durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        var body = Encoding.UTF8.GetBytes(new string('x', 600));
        var props = new BasicProperties { Persistent = true };
        var cpu = CpuMs();
        var sw = Stopwatch.StartNew();
        const int window = 256;
        var inFlight = new List<Task>(window);
        for (var i = 0; i < count; i++)
        {
            inFlight.Add(channel.BasicPublishAsync("", "bench-bare", true, props, body).AsTask());
            if (inFlight.Count == window) { await Task.WhenAll(inFlight); inFlight.Clear(); }
        }
        await Task.WhenAll(inFlight);
        var publish = count / sw.Elapsed.TotalSeconds;
        var publishCpu = (CpuMs() - cpu) / count;

        await using var consumerChannel = await connection.CreateChannelAsync();
        await consumerChannel.BasicQosAsync(0, 500, false);
        var received = 0;
        var done = new TaskCompletionSource();
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(consumerChannel);
        consumer.ReceivedAsync += async (_, e) =>
        {
            await consumerChannel.BasicAckAsync(e.DeliveryTag, false);
            if (Interlocked.Increment(ref received) == count) done.TrySetResult();
        };
        cpu = CpuMs();
        sw.Restart();
        await consumerChannel.BasicConsumeAsync("bench-bare", false, consumer);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return (publish, count / sw.Elapsed.TotalSeconds, publishCpu, (CpuMs() - cpu) / count);
    }

    private static async Task<double> SmtpAsync(int count, int parallel)
    {
        var pdf = new InvoicePdfRenderer().Render(SampleInvoices.OnePage(1));
        var next = -1;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            using var client = new SmtpClient(TestServers.SmtpHost, TestServers.SmtpPort);
            while (Interlocked.Increment(ref next) < count)
            {
                using var message = new MailMessage("bench@example.test", "bare@example.test", "bare", "body");
                message.Attachments.Add(new Attachment(new MemoryStream(pdf), "invoice.pdf", "application/pdf"));
                await client.SendMailAsync(message);
            }
        })));
        return count / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> SmtpKeptAsync(int count, int parallel)
    {
        var pdf = new InvoicePdfRenderer().Render(SampleInvoices.OnePage(1));
        var composer = new InvoiceEmailComposer(new MailOptions { From = "bench@example.test" });
        // One message each, composed before the clock starts: sending prepares (writes headers into) the message, so
        // one message sent on several connections at once is a race, and the mailer never does that.
        var emails = Enumerable.Range(0, count).Select(i => composer.Compose(new InvoiceEmail(Guid.NewGuid(), 1, "bare@example.test", "Bare",
            $"INV-{i + 1}", "2026-10", 100, "EUR", new DateOnly(2026, 11, 30), pdf), DateTimeOffset.UtcNow)).ToArray();
        using var sender = new PooledSmtpSender(new SmtpOptions { Host = TestServers.SmtpHost, Port = TestServers.SmtpPort, PoolSize = parallel });
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(emails.Select(email => sender.SendAsync(email, CancellationToken.None)));
        return count / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> DbInsertAsync(TestDatabase db, int rows)
    {
        await using var conn = await db.DataSource.OpenConnectionAsync();
        await using (var cmd = new NpgsqlCommand("create table bench_rows (id bigint, account uuid, amount bigint, note text)", conn))
            await cmd.ExecuteNonQueryAsync();
        var sw = Stopwatch.StartNew();
        await using (var writer = await conn.BeginBinaryImportAsync("copy bench_rows (id, account, amount, note) from stdin (format binary)"))
        {
            for (var i = 0; i < rows; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync((long)i);
                await writer.WriteAsync(Guid.NewGuid());
                await writer.WriteAsync((long)i * 7);
                await writer.WriteAsync("line");
            }
            await writer.CompleteAsync();
        }
        return rows / sw.Elapsed.TotalSeconds;
    }
}
